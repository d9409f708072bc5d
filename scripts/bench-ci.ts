/**
 * What the CI kind costs before the model is asked: the time to gather a commit's failed CI (list
 * the runs, their jobs, download and bound each failed job's log) for 1 and 5 failed jobs, and the
 * size of the prompt that lists them. Against the GitHub test server on 127.0.0.1, so it measures
 * the action's own work, not GitHub's latency. `npx tsx scripts/bench-ci.ts [rounds]`
 */
import { Redactor } from '../src/action/core/redact.js'
import { buildPrompt } from '../src/action/core/prompt.js'
import { createCiApi } from '../src/action/github/ci.js'
import { createOctokit } from '../src/action/github/octokit.js'
import { ciKind } from '../src/action/kinds/ci/kind.js'
import { githubLog } from '../__tests__/support/github/actionsRuns.js'
import { OWNER, REPO, startGitHubServer } from '../__tests__/support/githubServer.js'
import { tempDir } from '../__tests__/support/tempDirs.js'

const rounds = Number(process.argv[2] ?? 7)
const HEAD = 'c'.repeat(40)

/** A failed test job's log of about `lines` lines of output (~100 bytes each) ending in an error. */
function testLog(lines: number): string {
  const output = Array.from({ length: lines }, (_, index) => `  ✓ suite ${index % 40} › case ${index} (3 ms)`)
  output.push(' FAIL  src/calc.test.ts > add', 'AssertionError: expected -1 to be 3')
  return githubLog([{ name: 'npm test', output, error: 'Process completed with exit code 1.' }])
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
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
    for (let round = 0; round < rounds; round++) {
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

console.log(`median of ${rounds} rounds; GitHub test server on 127.0.0.1`)
console.log('failed jobs | log per job | gather (ms) | prompt (bytes)')
for (const [jobs, lines] of [
  [1, 2_000],
  [5, 2_000],
  [1, 500_000],
  [5, 500_000]
] as const) {
  const result = await measure(jobs, lines)
  console.log(
    `${jobs} | ${(result.logBytes / 1024 / 1024).toFixed(2)} MiB | ${result.ms.toFixed(0)} | ${result.promptBytes}`
  )
}
