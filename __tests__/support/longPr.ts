import { findingIds, type Finding, type ReviewState } from '../../src/action/core/findings.js'
import { emptyTranscript, withTurn, type Transcript } from '../../src/action/thread/transcript.js'
import { pullFile, startGitHubServer, type GitHubServer } from './githubServer.js'

/*
 * A long-lived PR, shared by the tests of issue 33 and its bench: many findings on one added file, and
 * a thread record of 20 full turns.
 */

const SEVERITIES = ['nit', 'minor', 'major', 'critical'] as const
export const LONG_PR_HEAD = 'b'.repeat(40)

/** `count` findings on lines 1… of src/big.ts, every fourth of each severity, titles ~60 characters. */
export function manyFindings(count: number): Finding[] {
  return Array.from({ length: count }, (_, index) => ({
    path: 'src/big.ts',
    line: index + 1,
    start_line: null,
    severity: SEVERITIES[index % 4]!,
    title: `Finding number ${index + 1} mishandles the value it reads from the input`,
    body: 'What goes wrong, and the fix.',
    suggestion: null
  }))
}

/** The findings as a review state keeps them open. */
export function openOf(all: Finding[]): ReviewState['open'] {
  const ids = findingIds(all)
  return all.map((finding, index) => ({
    id: ids[index]!,
    path: finding.path,
    line: finding.line,
    severity: finding.severity,
    title: finding.title
  }))
}

/** A long-lived PR's record: 20 turns of 2,000-character prompts and answers, and `open` open findings. */
export function longRecord(key: string, open: number): Transcript {
  let record = emptyTranscript(key)
  for (let turn = 0; turn < 20; turn++)
    record = withTurn(record, {
      at: new Date(Date.UTC(2026, 0, 1, 0, turn)).toISOString(),
      prompt: 'p'.repeat(2000),
      response: 'r'.repeat(2000),
      conclusion: 'success',
      runUrl: `https://github.com/o/r/actions/runs/${turn}`,
      threadId: 'thread-1'
    })
  return {
    ...record,
    review: { headSha: LONG_PR_HEAD, at: '2026-01-01T01:00:00.000Z', open: openOf(manyFindings(open)) }
  }
}

/** A GitHub test server with PR 1 adding src/big.ts of `lines` lines, each a line a finding can be on. */
export async function longPrServer(lines: number): Promise<GitHubServer> {
  const server = await startGitHubServer()
  server.setPull(1)
  const text = Array.from({ length: lines }, (_, index) => `export const v${index} = ${index}`).join('\n')
  server.setPullFiles(1, [pullFile('src/big.ts', { before: null, after: `${text}\n` })])
  return server
}
