/**
 * What the CI kind costs before the model is asked: the time to gather a commit's failed CI (list
 * the runs, their jobs, download and bound each failed job's log) for 1 and 5 failed jobs, and the
 * size of the prompt that lists them. Against the GitHub test server on 127.0.0.1, so it measures
 * the action's own work, not GitHub's latency. `npm run bench -- --only=ci`
 */
import { Redactor } from '../../src/action/core/redact.js'
import { buildPrompt } from '../../src/action/core/prompt.js'
import { createCiApi } from '../../src/action/github/ci.js'
import { createOctokit } from '../../src/action/github/octokit.js'
import { ciKind } from '../../src/action/kinds/ci/kind.js'
import { githubLog } from '../../__tests__/support/github/actionsRuns.js'
import { OWNER, REPO, startGitHubServer } from '../../__tests__/support/githubServer.js'
import { tempDir } from '../../__tests__/support/tempDirs.js'
import { median } from './stats.js'
import { ms, type Row, type SectionResult } from './report.js'

const ROUNDS = 5
const HEAD = 'c'.repeat(40)

/** A failed test job's log of about `lines` lines of output (~100 bytes each) ending in an error. */
function testLog(lines: number): string {
  const output = Array.from({ length: lines }, (_, index) => `  ✓ suite ${index % 40} › case ${index} (3 ms)`)
  output.push(' FAIL  src/calc.test.ts > add', 'AssertionError: expected -1 to be 3')
  return githubLog([{ name: 'npm test', output, error: 'Process completed with exit code 1.' }])
}

async function measure(jobs: number, logLines: number): Promise<{ ms: number; promptBytes: number; logBytes: number }> {
  const github = await startGitHubServer()
  try {
    const log = testLog(logLines)
    for (let index = 0; index < jobs; index++)
      github.ci.addRun({
        name: `Workflow ${index}`,
        headSha: HEAD,
        conclusion: 'failure',
        pr: 7,
        jobs: [
          {
            name: `test ${index}`,
            conclusion: 'failure',
            steps: [{ name: 'Run npm test', conclusion: 'failure' }],
            log
          }
        ]
      })
    const octokit = createOctokit({ token: 'ghs_bench', apiUrl: github.url, warn: () => {} })
    const times: number[] = []
    let promptBytes = 0
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now()
      const kind = await ciKind({
        ci: createCiApi(octokit, OWNER, REPO),
        headSha: HEAD,
        tempDir: tempDir('bench-ci'),
        redactor: new Redactor(),
        triggerPhrase: '@codex',
        standingInstructions: '',
        asked: { run: { id: 1, name: 'CI', conclusion: 'failure' } },
        log: () => {},
        warn: () => {}
      })
      times.push(performance.now() - started)
      const prompt = buildPrompt(
        kind.instructions,
        {
          eventName: 'workflow_run',
          repository: { owner: OWNER, repo: REPO },
          serverUrl: 'https://github.com',
          apiUrl: github.url,
          runId: '1',
          runAttempt: '1',
          runUrl: 'https://github.com/octo/demo/actions/runs/1',
          pullRequest: { number: 7, baseSha: 'a'.repeat(40), headSha: HEAD, baseRef: 'main', headRef: 'feature-7' },
          payload: {},
          tempDir: '/tmp'
        },
        kind.facts
      )
      promptBytes = Buffer.byteLength(prompt)
    }
    return { ms: median(times), promptBytes, logBytes: Buffer.byteLength(log) }
  } finally {
    await github.close()
  }
}

/** Issue 31: gathering the failed CI of a head and the prompt that lists it, for 1 and 5 failed jobs. */
export async function ciGather(): Promise<SectionResult> {
  const rows: Row[] = []
  for (const [jobs, lines] of [
    [1, 2_000],
    [5, 2_000],
    [1, 500_000],
    [5, 500_000]
  ] as const) {
    const result = await measure(jobs, lines)
    rows.push({
      item: 'ci',
      measure: `gather ${jobs} failed job${jobs > 1 ? 's' : ''}, ${(result.logBytes / 1024 / 1024).toFixed(2)} MiB log each`,
      median: ms(result.ms),
      note: `prompt ${result.promptBytes} bytes; n=${ROUNDS}`
    })
  }
  return {
    title: 'CI failures: gathering the logs (issue 31)',
    rows,
    explanation:
      "The CI kind before the model is asked, against the GitHub test server on 127.0.0.1 with the action's own " +
      "octokit: list the head's runs, their jobs, download each failed job's log (a 302 to plain text, timestamped " +
      'lines) and bound it (the tail and the lines around `##[error]`), then build the prompt, which lists each ' +
      "log's path and size, never its text. Median of 5 rounds."
  }
}
