import { existsSync, readFileSync, statSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AGENT_USER } from '../../src/action/codex/isolation.js'
import { githubLog, type JobSpec } from '../support/github/actionsRuns.js'
import { issueCommentEvent, workflowRunEvent } from '../support/github/events.js'
import type { ActionRun } from '../support/runAction.js'
import { runnerCommands } from '../support/runnerCommands.js'
import { TEST_API_KEY, usePrHarness } from '../support/prHarness.js'
import { answersToolCall, requestText, type ModelRequest } from '../support/scriptedModel.js'
import { tempDir } from '../support/tempDirs.js'

const PR = 47
const HEAD = 'c'.repeat(40)
const harness = usePrHarness(PR)
const store = (): Record<string, string> => ({ 'thread-store': 'directory', 'thread-store-path': tempDir('store') })

const testJob: JobSpec = {
  name: 'test (node 20)',
  conclusion: 'failure',
  steps: [
    { name: 'Set up job', conclusion: 'success' },
    { name: 'Run npm test', conclusion: 'failure' },
    { name: 'Post Run actions/checkout@v5', conclusion: 'success' }
  ],
  log: githubLog([
    { name: 'actions/checkout@v5', output: ['Syncing repository: octo/demo'] },
    {
      name: 'npm test',
      output: [
        ' FAIL  src/calc.test.ts > add > adds two numbers',
        'AssertionError: expected -1 to be 3 // Object.is equality',
        ' ❯ src/calc.test.ts:5:22',
        ' Test Files  1 failed (1)'
      ],
      error: 'Process completed with exit code 1.'
    }
  ])
}

const lintJob: JobSpec = {
  name: 'lint',
  conclusion: 'success',
  steps: [{ name: 'Run npm run lint', conclusion: 'success' }],
  log: githubLog([{ name: 'npm run lint', output: ['All good'] }])
}

/** The paths of the logs the prompt lists, read from its data block. */
function logFiles(request: ModelRequest | undefined): string[] {
  return [...requestText(request).matchAll(/log_file\\+":\\+"([^"\\]+)/g)].map((match) => match[1]!)
}

/** A script that greps the first listed log for `##[error]` (as the agent would, as its own user), then answers. */
function grepThenAnswer(answer: string) {
  return (request: ModelRequest) =>
    answersToolCall(request)
      ? { message: answer }
      : { command: `echo "user=$(id -un)"; grep -n -B4 '##\\[error\\]' ${logFiles(request)[0] ?? '/nonexistent'}` }
}

/** A failed run of workflow `name` on the PR's head commit, with `jobs`. */
function addFailedRun(jobs: JobSpec[], name = 'CI') {
  return harness.github.ci.addRun({ name, headSha: HEAD, conclusion: 'failure', pr: PR, jobs })
}

function commentsOf(key: string) {
  return harness.github.comments.filter((comment) => comment.body.includes(`codex-thread-action:key=${key}`))
}

/** A workflow_run event of the test server's run `runId`; `pr` null: a run GitHub lists no PR for (a fork's). */
function failedRunEvent(runId: number, name = 'CI', pr: number | null = PR, conclusion = 'failure') {
  return workflowRunEvent({ runId, name, headSha: HEAD, conclusion, ...(pr !== null && { pr }) })
}

function expectNoModelCall(run: ActionRun): void {
  expect(run.exitCode, run.log).toBe(0)
  expect(harness.model.requests).toHaveLength(0)
}

describe("the CI kind: a PR's failed checks explained from their logs, end to end", () => {
  it('a failed test job: the workflow_run continues pr-<n>, the agent greps the log on disk, the answer is published', async () => {
    const { runId } = addFailedRun([testJob, lintJob])
    harness.github.ci.addCheckRun({
      name: 'circleci: build',
      headSha: HEAD,
      conclusion: 'failure',
      app: 'circleci-checks',
      title: 'Build failed',
      summary: 'make: *** [all] Error 2'
    })
    const answer = '**What failed**: `test (node 20)` › `Run npm test`: `add` returns a - b.'
    const run = await harness.run(grepThenAnswer(answer), store(), {
      eventName: 'workflow_run',
      payload: failedRunEvent(runId)
    })
    expect(run.exitCode, run.log).toBe(0)

    const prompt = requestText(harness.model.requests[0])
    // the data block lists the run, the job, its failed step and the log's file; the log stays on disk
    expect(prompt).toContain(`Failed workflow run ${runId}`)
    expect(prompt).toContain('test (node 20)')
    expect(prompt).toContain('Run npm test')
    expect(prompt).not.toContain('job\\":\\"lint')
    expect(prompt).toContain('circleci: build')
    expect(prompt).toContain(`This turn was started by the failure of workflow run ${runId}`)
    expect(prompt).not.toContain('AssertionError')
    const [file] = logFiles(harness.model.requests[0])
    expect(prompt).toContain(`log_bytes\\":${statSync(file!).size}`)
    // the real codex, running as the agent's own user, read it: the grep's output came back to the model
    expect(requestText(harness.model.requests[1])).toContain(`user=${AGENT_USER}`)
    expect(requestText(harness.model.requests[1])).toContain('AssertionError: expected -1 to be 3')

    const requests = harness.github.requests.map((request) => `${request.method} ${request.path}`)
    expect(requests).toContain('GET /repos/octo/demo/actions/runs')
    expect(requests).toContain(`GET /repos/octo/demo/actions/runs/${runId}/jobs`)
    expect(requests).toContain(`GET /repos/octo/demo/commits/${HEAD}/check-runs`)
    // the 302, and its target fetched without the token
    expect(requests.filter((request) => request.endsWith('logs') || request.includes('/_logs/'))).toHaveLength(2)

    const [sticky] = commentsOf(`pr-${PR}`)
    expect(sticky?.body).toContain(answer)
    expect(run.outputs['final-response']).toBe(answer)
    expect(run.summary).toContain('add` returns a - b')
  })

  it('two failed workflows, through `@codex ci`: the newest run of each workflow, the answer a reply to the comment', async () => {
    const ci = harness.github.ci
    // an older failed run of Lint, fixed by a newer one on the same commit: not a failure any more
    ci.addRun({ name: 'Lint', headSha: HEAD, conclusion: 'failure', jobs: [{ ...testJob, name: 'old lint' }] })
    ci.addRun({ name: 'Lint', headSha: HEAD, conclusion: 'success', jobs: [lintJob] })
    const unit = ci.addRun({ name: 'Unit', headSha: HEAD, conclusion: 'failure', jobs: [testJob] })
    const e2e = ci.addRun({
      name: 'E2E',
      headSha: HEAD,
      conclusion: 'failure',
      jobs: [
        {
          name: 'playwright',
          conclusion: 'failure',
          steps: [{ name: 'Run npx playwright test', conclusion: 'failure' }],
          log: githubLog([
            { name: 'npx playwright test', output: ['Error: page.goto: net::ERR_CONNECTION_REFUSED'], error: 'boom' }
          ])
        }
      ]
    })
    ci.addRun({ name: 'Unit', headSha: 'd'.repeat(40), conclusion: 'failure', jobs: [testJob] })
    // no checks: read: the check runs are left out with a note, the rest goes on
    ci.checksPermission = 'none'
    harness.github.setPull(PR, { head: { sha: HEAD } })
    const asked = harness.github.addComment(PR, '@codex ci', 'alice')
    const run = await harness.run(() => ({ message: 'Two failures: a unit test and a refused connection.' }), store(), {
      eventName: 'issue_comment',
      payload: issueCommentEvent({ number: PR, id: asked.id, body: asked.body })
    })
    expect(run.exitCode, run.log).toBe(0)
    const prompt = requestText(harness.model.requests[0])
    expect(prompt).toContain(`Failed workflow run ${unit.runId}`)
    expect(prompt).toContain(`Failed workflow run ${e2e.runId}`)
    expect(prompt).not.toContain('old lint')
    expect(prompt).toContain('grant `checks: read`')
    expect(logFiles(harness.model.requests[0]).sort()).toEqual([
      expect.stringMatching(new RegExp(`job-${unit.jobIds[0]}\\.log$`)),
      expect.stringMatching(new RegExp(`job-${e2e.jobIds[0]}\\.log$`))
    ])
    expect(harness.github.reactions).toEqual([expect.objectContaining({ subject_id: asked.id, content: 'eyes' })])
    const reply = harness.github.comments.find((comment) => comment.body.startsWith('@alice asked:'))
    expect(reply?.body).toContain('Two failures: a unit test and a refused connection.')
    expect(commentsOf(`pr-${PR}`)).toHaveLength(1)
  })

  it('`@codex ci` on a green head: the action says nothing failed, with no model call', async () => {
    harness.github.ci.addRun({ name: 'CI', headSha: HEAD, conclusion: 'success', pr: PR, jobs: [lintJob] })
    harness.github.setPull(PR, { head: { sha: HEAD } })
    const asked = harness.github.addComment(PR, '@codex CI', 'alice')
    const run = await harness.run(() => ({ message: 'should not be called' }), store(), {
      eventName: 'issue_comment',
      payload: issueCommentEvent({ number: PR, id: asked.id, body: asked.body })
    })
    expectNoModelCall(run)
    const reply = harness.github.comments.find((comment) => comment.body.startsWith('@alice asked:'))
    expect(reply?.body).toContain('Nothing failed in the CI of ccccccc: no failed workflow run or check run.')
  })

  it('a 50 MiB log is bounded on disk: the lines around its ##[error] and its tail, and what was left out', async () => {
    const filler = Array.from({ length: 420_000 }, (_, index) => `test ${index} passed ${'.'.repeat(80)}`)
    filler.splice(200_000, 0, 'EXPECTED FAILURE in the middle: connection reset by peer')
    const log = Buffer.from(
      githubLog([{ name: 'npm test', output: filler, error: 'Process completed with exit code 1.' }]).replace(
        'EXPECTED FAILURE in the middle: connection reset by peer',
        'EXPECTED FAILURE in the middle: connection reset by peer\n2026-01-01T12:00:00.0000000Z ##[error]middle error'
      )
    )
    expect(log.length).toBeGreaterThan(50 * 1024 * 1024)
    const { runId } = addFailedRun([{ ...testJob, log }])
    const run = await harness.run(() => ({ message: 'Bounded.' }), store(), {
      eventName: 'workflow_run',
      payload: failedRunEvent(runId),
      env: { RUNNER_TEMP: tempDir('runner-temp') }
    })
    expect(run.exitCode, run.log).toBe(0)
    const [file] = logFiles(harness.model.requests[0])
    const kept = readFileSync(file!, 'utf8')
    expect(statSync(file!).size).toBeLessThanOrEqual(2 * 1024 * 1024 + 4096)
    expect(kept).toMatch(/^\[codex-thread-action: this log is 5[0-5]\.\d MiB, more than the 2\.0 MiB kept/)
    expect(kept).toContain('EXPECTED FAILURE in the middle')
    expect(kept).toContain(`test ${199_990} passed`)
    expect(kept).toContain('##[error]Process completed with exit code 1.')
    expect(kept).toMatch(/\[codex-thread-action: \d+ lines left out\]/)
    expect(kept).not.toContain('test 100000 passed')
    const prompt = requestText(harness.model.requests[0])
    expect(prompt).toMatch(/lines_left_out\\":\d{6}/)
    expect(prompt).toContain(`log_bytes_on_github\\":${log.length}`)
  }, 180_000) // half a million lines made, served, kept: generous for a loaded machine

  it('a log holding a secret and fake workflow commands: redacted on disk and wherever published, never a command in our log', async () => {
    const hostile = '::add-mask::PWNED-mask\n::error title=t::PWNED-error\nx ##[warning]PWNED-v1'
    const { runId } = harness.github.ci.addRun({
      name: '##[error]PWNED-name',
      headSha: HEAD,
      conclusion: 'failure',
      pr: PR,
      jobs: [
        {
          ...testJob,
          name: '::warning::PWNED-job',
          log: githubLog([
            { name: 'npm test', output: [`token=${TEST_API_KEY}`, ...hostile.split('\n')], error: 'exit 1' }
          ])
        }
      ]
    })
    const runnerTemp = tempDir('runner-temp')
    const run = await harness.run(
      (request) =>
        answersToolCall(request)
          ? { message: `The key ${TEST_API_KEY} leaked.\n${hostile}` }
          : { command: `cat ${logFiles(request)[0]}` },
      store(),
      {
        eventName: 'workflow_run',
        payload: failedRunEvent(runId, '##[error]PWNED-name'),
        env: { RUNNER_TEMP: runnerTemp }
      }
    )
    expect(run.exitCode, run.log).toBe(0)
    const [file] = logFiles(harness.model.requests[0])
    const kept = readFileSync(file!, 'utf8')
    expect(kept).toContain('token=***')
    expect(kept).toContain('::add-mask::PWNED-mask') // data, as the log has it: the agent reads it, nobody acts on it
    // the model never received the secret: not in the prompt, not in the command's output
    for (const request of harness.model.requests) expect(requestText(request)).not.toContain(TEST_API_KEY)
    // the action's own ::add-mask:: of the key aside
    const log = run.log.replace(`::add-mask::${TEST_API_KEY}`, '')
    const published = [log, run.summary, JSON.stringify(run.outputs), ...harness.github.comments.map((c) => c.body)]
    for (const text of published) expect(text).not.toContain(TEST_API_KEY)
    // nothing the log, the run's or the job's name held is a command the runner acts on
    expect(runnerCommands(run.log).filter((command) => command.data.includes('PWNED'))).toEqual([])
    // the raw log (unredacted) is not left behind
    expect(existsSync(file!.replace(/logs\/(job-\d+\.log)$/, '.$1.raw'))).toBe(false)
  })

  it.each([
    ["a fork PR's failed run (GitHub lists no pull request)", null, 'failure', 'belongs to no pull request'],
    ['a run that succeeded', PR, 'success', 'ended success: nothing failed'],
    ['a cancelled run', PR, 'cancelled', 'ended cancelled: nothing failed']
  ])('%s starts nothing: one line, skipped, green', async (_name, pr, conclusion, why) => {
    const run = await harness.run(() => ({ message: 'should not be called' }), store(), {
      eventName: 'workflow_run',
      payload: failedRunEvent(9001, 'CI', pr, conclusion)
    })
    expectNoModelCall(run)
    expect(run.log).toMatch(new RegExp(`^Skipped: workflow run "CI" .*${why}`, 'm'))
    expect(run.outputs.conclusion).toBe('skipped')
    expect(harness.github.comments).toHaveLength(0)
    expect(harness.github.requests.filter((request) => request.path.includes('/actions/'))).toHaveLength(0)
  })

  it('without actions: read, one line naming what to grant, and no model call', async () => {
    const { runId } = addFailedRun([testJob])
    harness.github.actionsPermission = 'none'
    const run = await harness.run(() => ({ message: 'should not be called' }), store(), {
      eventName: 'workflow_run',
      payload: failedRunEvent(runId)
    })
    expectNoModelCall(run)
    expect(run.log).toContain('grant `actions: read`')
    const [sticky] = commentsOf(`pr-${PR}`)
    expect(sticky?.body).toContain('may not read GitHub Actions runs: grant `actions: read`')
    expect(run.outputs['final-response']).toContain('grant `actions: read`')
  })
})
