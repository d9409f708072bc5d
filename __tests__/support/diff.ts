/**
 * Unified-diff helpers for the GitHub test server: reading the `patch` of a pull request file the way
 * GitHub anchors review comments to it, and writing such a patch from before/after text.
 */

export type Side = 'LEFT' | 'RIGHT'

export interface DiffLine {
  kind: 'context' | 'add' | 'del'
  /** The line as it stands in the patch, with its ' ', '+' or '-' prefix. */
  text: string
  /** Line number in the old file (context and deleted lines). */
  oldLine?: number
  /** Line number in the new file (context and added lines). */
  newLine?: number
  /** GitHub's deprecated `position`: lines below the file's first `@@` header, later headers counted. */
  position: number
}

export interface Hunk {
  header: string
  oldStart: number
  oldLines: number
  newStart: number
  newLines: number
  /** The hunk header's position; the header itself is not commentable, but later headers take a position. */
  position: number
  lines: DiffLine[]
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/

/** Splits a file's `patch` (as GitHub lists it: hunks only, no `diff --git`/`---`/`+++` lines) into hunks. */
export function parsePatch(patch: string): Hunk[] {
  const hunks: Hunk[] = []
  let oldLine = 0
  let newLine = 0
  let oldLeft = 0
  let newLeft = 0
  let position = -1
  for (const text of patch.split('\n')) {
    const header = HUNK_HEADER.exec(text)
    if (header) {
      // the first header is position 0 so that the line below it is position 1, as GitHub counts
      position++
      oldLine = Number(header[1])
      newLine = Number(header[3])
      oldLeft = header[2] === undefined ? 1 : Number(header[2])
      newLeft = header[4] === undefined ? 1 : Number(header[4])
      hunks.push({
        header: text,
        oldStart: oldLine,
        oldLines: oldLeft,
        newStart: newLine,
        newLines: newLeft,
        position,
        lines: []
      })
      continue
    }
    const hunk = hunks.at(-1)
    // text before the first header, and the "\ No newline at end of file" marker, anchor nothing
    if (!hunk || text.startsWith('\\')) continue
    // a patch's final newline leaves an empty string once the hunk is complete; inside a hunk an empty
    // string is a blank context line whose leading space an editor stripped
    if (text === '' && oldLeft <= 0 && newLeft <= 0) continue
    position++
    if (text.startsWith('+')) {
      newLeft--
      hunk.lines.push({ kind: 'add', text, newLine: newLine++, position })
    } else if (text.startsWith('-')) {
      oldLeft--
      hunk.lines.push({ kind: 'del', text, oldLine: oldLine++, position })
    } else {
      oldLeft--
      newLeft--
      hunk.lines.push({ kind: 'context', text, oldLine: oldLine++, newLine: newLine++, position })
    }
  }
  return hunks
}

/**
 * The new-file line numbers a review comment may target with `side: RIGHT`: added and context lines.
 * Lines outside every hunk are not part of the diff, and GitHub refuses comments on them.
 */
export function rightSideLines(patch: string): Set<number> {
  return commentableLines(patch, 'RIGHT')
}

/** The line numbers commentable on one side: RIGHT counts the new file, LEFT the old one. */
export function commentableLines(patch: string, side: Side): Set<number> {
  const lines = new Set<number>()
  for (const hunk of parsePatch(patch))
    for (const line of hunk.lines) {
      const number = side === 'RIGHT' ? line.newLine : line.oldLine
      if (number !== undefined) lines.add(number)
    }
  return lines
}

export interface Anchor {
  hunk: Hunk
  hunkIndex: number
  /** Index of the line within its hunk. */
  index: number
  line: DiffLine
}

/** Finds the diff line a comment's `line`/`side` points at, if the diff shows it. */
export function findLine(hunks: Hunk[], line: number, side: Side): Anchor | undefined {
  for (const [hunkIndex, hunk] of hunks.entries()) {
    const index = hunk.lines.findIndex((entry) => (side === 'RIGHT' ? entry.newLine : entry.oldLine) === line)
    const found = hunk.lines[index]
    if (found) return { hunk, hunkIndex, index, line: found }
  }
  return undefined
}

/** Finds the diff line at a deprecated `position`; a hunk header's position anchors nothing. */
export function findPosition(hunks: Hunk[], position: number): Anchor | undefined {
  for (const [hunkIndex, hunk] of hunks.entries()) {
    const index = hunk.lines.findIndex((entry) => entry.position === position)
    const found = hunk.lines[index]
    if (found) return { hunk, hunkIndex, index, line: found }
  }
  return undefined
}

/** A review comment's `diff_hunk`: its hunk's header and lines up to and including the commented one. */
export function diffHunkUpTo(anchor: Anchor): string {
  return [anchor.hunk.header, ...anchor.hunk.lines.slice(0, anchor.index + 1).map((line) => line.text)].join('\n')
}

export interface PatchStats {
  additions: number
  deletions: number
}

export function patchStats(patch: string): PatchStats {
  let additions = 0
  let deletions = 0
  for (const hunk of parsePatch(patch))
    for (const line of hunk.lines) {
      if (line.kind === 'add') additions++
      else if (line.kind === 'del') deletions++
    }
  return { additions, deletions }
}

interface TextLine {
  text: string
  /** False for a last line without a trailing newline, which git marks and treats as a different line. */
  eol: boolean
}

function splitLines(text: string): TextLine[] {
  if (text === '') return []
  const parts = text.split('\n')
  const eol = parts.at(-1) === ''
  if (eol) parts.pop()
  return parts.map((part, index) => ({ text: part, eol: eol || index < parts.length - 1 }))
}

interface Edit {
  kind: 'context' | 'add' | 'del'
  line: TextLine
  oldLine: number
  newLine: number
}

/** A line diff by longest common subsequence: quadratic, which is fine for test-sized files. */
function diffLines(before: TextLine[], after: TextLine[]): Edit[] {
  const same = (a: TextLine, b: TextLine): boolean => a.text === b.text && a.eol === b.eol
  const rows = before.length + 1
  const cols = after.length + 1
  const lcs = new Uint32Array(rows * cols)
  // the table is zero past either end
  const common = (i: number, j: number): number => lcs[i * cols + j] ?? 0
  for (let i = before.length - 1; i >= 0; i--)
    for (let j = after.length - 1; j >= 0; j--)
      // both indices are within their lists
      lcs[i * cols + j] = same(before[i]!, after[j]!)
        ? common(i + 1, j + 1) + 1
        : Math.max(common(i + 1, j), common(i, j + 1))
  const edits: Edit[] = []
  let i = 0
  let j = 0
  while (i < before.length || j < after.length) {
    const old = before[i]
    const next = after[j]
    if (old && next && same(old, next)) {
      edits.push({ kind: 'context', line: next, oldLine: ++i, newLine: ++j })
    } else if (old && (!next || common(i + 1, j) >= common(i, j + 1))) {
      // deletions before additions, as git prints a replaced block
      edits.push({ kind: 'del', line: old, oldLine: ++i, newLine: j })
    } else if (next) {
      edits.push({ kind: 'add', line: next, oldLine: i, newLine: ++j })
    }
  }
  return edits
}

/** git's hunk range: the count is left out when it is 1, and an empty range names the line before it. */
function range(start: number, count: number): string {
  if (count === 1) return String(start)
  return `${count === 0 ? start - 1 : start},${count}`
}

/**
 * A unified patch from `before` to `after` with `context` lines around each change, in the shape GitHub
 * lists as a pull request file's `patch`: hunks only, no file headers, no trailing newline.
 */
export function buildPatch(before: string, after: string, context = 3): string {
  const edits = diffLines(splitLines(before), splitLines(after))
  const changed = edits.flatMap((edit, index) => (edit.kind === 'context' ? [] : [index]))
  if (changed.length === 0) return ''
  // changes closer than twice the context share a hunk, as in git
  const groups: Array<[number, number]> = []
  for (const index of changed) {
    const last = groups.at(-1)
    if (last && index - last[1] <= 2 * context) last[1] = index
    else groups.push([index, index])
  }
  const out: string[] = []
  for (const [first, last] of groups) {
    const slice = edits.slice(Math.max(0, first - context), Math.min(edits.length, last + context + 1))
    const oldCount = slice.filter((edit) => edit.kind !== 'add').length
    const newCount = slice.filter((edit) => edit.kind !== 'del').length
    // a group holds at least its changed edit
    const head = slice[0]!
    // the first line's numbers, or for an empty side the line after which the hunk applies
    const oldStart = head.kind === 'add' ? head.oldLine + 1 : head.oldLine
    const newStart = head.kind === 'del' ? head.newLine + 1 : head.newLine
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`)
    for (const edit of slice) {
      out.push(`${edit.kind === 'add' ? '+' : edit.kind === 'del' ? '-' : ' '}${edit.line.text}`)
      if (!edit.line.eol) out.push('\\ No newline at end of file')
    }
  }
  return out.join('\n')
}
