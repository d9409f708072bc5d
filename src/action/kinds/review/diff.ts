/**
 * Where GitHub accepts a review comment: on the right side of a file's diff, lines that are added
 * or shown as context, and a multi-line range only within one hunk. A review with one comment
 * elsewhere is refused whole (422), so every finding is checked here before posting.
 */
export interface FileDiff {
  /** The hunks' right-side line ranges, in order; each line of a range is commentable. */
  hunks: Array<{ lines: Set<number> }>
}

export type DiffMap = Map<string, FileDiff>

/** The right-side lines of each hunk of a unified diff patch as the pulls files API gives it. */
export function parsePatch(patch: string): FileDiff {
  const hunks: FileDiff['hunks'] = []
  let line = 0
  let current: Set<number> | undefined
  for (const text of patch.split('\n')) {
    const header = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(text)
    if (header) {
      line = Number(header[1])
      current = new Set()
      hunks.push({ lines: current })
    } else if (current) {
      if (text.startsWith('-') || text.startsWith('\\')) continue
      // context (' ') and added ('+') lines exist on the right side
      current.add(line++)
    }
  }
  return { hunks }
}

export function diffMapOf(files: ReadonlyArray<{ path: string; patch?: string }>): DiffMap {
  return new Map(files.filter((file) => file.patch !== undefined).map((file) => [file.path, parsePatch(file.patch!)]))
}

/** Whether `start`..`line` (or `line` alone) can carry one review comment on `path`. */
export function onDiff(diff: DiffMap, path: string, line: number, start: number | null): boolean {
  const file = diff.get(path)
  if (!file) return false
  const first = start ?? line
  if (first > line) return false
  return file.hunks.some(({ lines }) => lines.has(line) && lines.has(first))
}
