import type { FileChange } from '../../github/commitOnBranch.js'
import { git } from './changes.js'

/** Where a review thread's comment sits: a suggestion there replaces lines `start`..`line` of `path`. */
export interface CommentedLines {
  path: string
  line: number
  start: number
}

/**
 * The change as a suggestion block's text for the commented lines, when it fits them: one file, the
 * commented one, every hunk inside the commented lines. GitHub applies a reply's suggestion to the
 * thread's lines, so anything else would change lines the reader does not see: undefined then.
 */
export async function suggestionFor(
  root: string,
  start: string,
  changes: readonly FileChange[],
  at: CommentedLines
): Promise<string | undefined> {
  const [only] = changes
  if (changes.length !== 1 || !only || only.path !== at.path || !('contents' in only)) return undefined
  const diff = await git(root, ['diff', '--no-ext-diff', '--no-textconv', '-U0', start, '--', at.path])
  let delta = 0
  for (const match of diff.matchAll(/^@@ -(\d+)(?:,(\d+))? \+\d+(?:,(\d+))? @@/gm)) {
    const from = Number(match[1])
    const removed = match[2] === undefined ? 1 : Number(match[2])
    const added = match[3] === undefined ? 1 : Number(match[3])
    // a pure insertion is placed after line `from`; a change covers lines from..from+removed-1
    const first = removed ? from : from + 1
    const last = removed ? from + removed - 1 : from
    if (first < at.start || last > at.line) return undefined
    delta += added - removed
  }
  const lines = only.contents.toString('utf8').split('\n')
  return lines.slice(at.start - 1, at.line + delta).join('\n')
}
