import { describe, expect, it } from 'vitest'
import {
  buildPatch,
  commentableLines,
  diffHunkUpTo,
  findLine,
  findPosition,
  parsePatch,
  rightSideLines
} from './diff.js'

const lines = (count: number, prefix = 'line'): string =>
  Array.from({ length: count }, (_, index) => `${prefix} ${index + 1}\n`).join('')

describe('rightSideLines', () => {
  it('holds the added and context lines of the new file, not deleted ones or lines outside the hunks', () => {
    const patch = ['@@ -10,4 +10,5 @@ function f() {', ' a', '-b', '+B', '+C', ' d', ' e'].join('\n')
    expect([...rightSideLines(patch)]).toEqual([10, 11, 12, 13, 14])
    expect([...commentableLines(patch, 'LEFT')]).toEqual([10, 11, 12, 13])
  })

  it('counts each hunk from its own header and reads headers whose count is left out', () => {
    const patch = ['@@ -1 +1 @@', '-x', '+y', '@@ -20,2 +20,3 @@', ' p', '+q', ' r'].join('\n')
    expect([...rightSideLines(patch)]).toEqual([1, 20, 21, 22])
  })

  it('skips the no-newline marker and a trailing newline', () => {
    const patch = '@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n'
    expect([...rightSideLines(patch)]).toEqual([1, 2])
  })

  it('is empty for an empty patch', () => {
    expect(rightSideLines('').size).toBe(0)
  })
})

describe('positions and diff hunks', () => {
  const patch = ['@@ -1,2 +1,2 @@', ' a', '-b', '+c', '@@ -9,1 +9,2 @@', ' x', '+y'].join('\n')

  it('counts positions from the first header, the later header taking one', () => {
    const hunks = parsePatch(patch)
    expect(hunks[0]?.lines.map((line) => line.position)).toEqual([1, 2, 3])
    expect(hunks[1]?.position).toBe(4)
    expect(findPosition(hunks, 6)?.line.text).toBe('+y')
    expect(findPosition(hunks, 4)).toBeUndefined()
  })

  it("gives a line's hunk up to and including it", () => {
    const anchor = findLine(parsePatch(patch), 2, 'RIGHT')!
    expect(diffHunkUpTo(anchor)).toBe('@@ -1,2 +1,2 @@\n a\n-b\n+c')
  })
})

describe('buildPatch', () => {
  it('writes hunks with three lines of context, as git does', () => {
    const before = lines(20)
    const after = before.replace('line 10\n', 'line ten\n')
    expect(buildPatch(before, after)).toBe(
      [
        '@@ -7,7 +7,7 @@',
        ' line 7',
        ' line 8',
        ' line 9',
        '-line 10',
        '+line ten',
        ' line 11',
        ' line 12',
        ' line 13'
      ].join('\n')
    )
  })

  it('splits changes further apart than twice the context into hunks and merges closer ones', () => {
    const before = lines(40)
    const apart = before.replace('line 5\n', 'five\n').replace('line 30\n', 'thirty\n')
    expect(parsePatch(buildPatch(before, apart))).toHaveLength(2)
    const close = before.replace('line 5\n', 'five\n').replace('line 11\n', 'eleven\n')
    expect(parsePatch(buildPatch(before, close))).toHaveLength(1)
  })

  it('writes an added file as git does, and a removed one', () => {
    expect(buildPatch('', 'a\nb\n')).toBe('@@ -0,0 +1,2 @@\n+a\n+b')
    expect(buildPatch('a\n', '')).toBe('@@ -1 +0,0 @@\n-a')
  })

  it('marks a last line without a newline', () => {
    expect(buildPatch('a\nb', 'a\nb\n')).toBe('@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b')
  })

  it('gives a patch whose right side is the new text', () => {
    const before = lines(30)
    const after = lines(30).replace('line 3\n', '').replace('line 20\n', 'line 20\nnew 1\nnew 2\n')
    const newLines = after.split('\n')
    const rightSide = parsePatch(buildPatch(before, after))
      .flatMap((hunk) => hunk.lines)
      .filter((line) => line.newLine !== undefined)
    expect(rightSide.length).toBeGreaterThan(0)
    for (const line of rightSide) expect(line.text.slice(1)).toBe(newLines[(line.newLine ?? 0) - 1])
  })
})
