import type { Walkthrough } from '../../core/findings.js'

/**
 * What the review's instructions say of the walkthrough: the whole PR as it is now, whatever range
 * the findings cover, so a later push rewrites it rather than adding to it.
 */
export function walkthroughFields(baseSha: string | undefined, headSha: string | undefined): string[] {
  const range = `${baseSha ?? 'BASE'}...${headSha ?? 'HEAD'}`
  return [
    '- walkthrough: the whole pull request at a glance as it is now, not only what changed since the last review',
    `  (\`git diff --stat ${range}\` lists every changed file). overview: a few sentences on what the PR does and`,
    '  why. files: every changed file, related files grouped into one row; paths relative to the repository root;',
    '  change is one line on what changed in them. effort: how much work a careful review takes, 1 (trivial) to 5',
    '  (long and hard); effort_reason: one line why. risks: the areas that carry risk, one short line each (none is',
    '  fine). diagram: when the change has a flow between components worth drawing, a Mermaid sequence diagram:',
    '  its text only, first line `sequenceDiagram`, no code fence, no HTML, no links or click directives; else null.'
  ]
}

/** What a row says of the PR's files the agent left out of its table. */
const UNDESCRIBED = 'Not described by the agent.'

/**
 * The walkthrough with its file rows checked against the PR's files as GitHub lists them: a path
 * the PR does not change, or named twice, is dropped; files no row names follow in a row of their
 * own, so the table is always the PR as it is now.
 */
export function checkedWalkthrough(walkthrough: Walkthrough, prFiles: readonly string[]): Walkthrough {
  const changed = new Set(prFiles)
  const named = new Set<string>()
  const files = walkthrough.files
    .map((row) => ({
      ...row,
      paths: row.paths.filter((file) => changed.has(file) && !named.has(file) && Boolean(named.add(file)))
    }))
    .filter((row) => row.paths.length)
  const rest = prFiles.filter((file) => !named.has(file))
  return { ...walkthrough, files: rest.length ? [...files, { paths: rest, change: UNDESCRIBED }] : files }
}
