/** The list's item at `index`; throws, failing the test, when there is none. */
export function itemAt<T>(list: readonly T[], index: number): T {
  const item = list[index]
  if (item === undefined) throw new Error(`expected an item at index ${index}, the list holds ${list.length}`)
  return item
}
