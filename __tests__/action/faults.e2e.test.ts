import { describe, expect, it } from 'vitest'
import { fakeCodex } from '../support/fakeCodex.js'
import { peakMemoryMiB, processesWithEnv } from '../support/processes.js'
import { usePrHarness } from '../support/prHarness.js'
import { answersToolCall, type ModelScript } from '../support/scriptedModel.js'
import { tempDir } from '../support/tempDirs.js'
import { itemAt } from '../support/lists.js'

const harness = usePrHarness(9)

const commandThen =
  (reply: ReturnType<ModelScript>): ModelScript =>
  (request) =>
    answersToolCall(request) ? reply : { command: 'echo partial-work-before-the-fault' }

describe('faults end to end', () => {
  it('a model 400 fails the step with the model message; what the agent did is still published', async () => {
    const run = await harness.run(
      commandThen({
        status: 400,
        body: JSON.stringify({ error: { message: 'context too long', type: 'invalid_request_error' } })
      })
    )
    expect(run.exitCode).toBe(1)
    expect(run.outputs.conclusion).toBe('failure')
    expect(run.log).toMatch(/::error::.*context too long/)
    // the command that ran before the failure is in the log, the summary and the comment
    expect(run.log).toContain('partial-work-before-the-fault')
    expect(run.summary).toContain('echo partial-work-before-the-fault')
    expect(run.summary).toContain('context too long')
    const comment = itemAt(harness.github.comments, 0)
    expect(comment.body).toContain('❌ Failed')
    expect(comment.body).toContain('context too long')
    expect(comment.body).toContain('Commands (1)')
    expect(run.outputs['thread-id']).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('codex exiting non-zero fails the step with its stderr tail, keeping the items seen', async () => {
    const codexPath = fakeCodex({
      lines: [
        JSON.stringify({ type: 'thread.started', thread_id: 'fake-thread' }),
        JSON.stringify({ type: 'item.completed', item: { id: 'm', type: 'agent_message', text: 'half an answer' } })
      ],
      stderr: 'panic: sandbox exploded\n',
      exitCode: 3
    })
    const run = await harness.run(() => ({ message: 'unused' }), { 'codex-path': codexPath })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.conclusion).toBe('failure')
    expect(run.log).toMatch(/::error::Codex Exec exited with code 3: panic: sandbox exploded/)
    expect(run.outputs['final-response']).toBe('half an answer')
    expect(run.outputs['thread-id']).toBe('fake-thread')
    expect(harness.github.comments[0]?.body).toContain('half an answer')
  })

  it('a codex that cannot be started fails the step, and the comment does not stay "Working…"', async () => {
    const codexPath = fakeCodex({ lines: [], vanishAfterVersion: true })
    const run = await harness.run(() => ({ message: 'unused' }), { 'codex-path': codexPath })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.conclusion).toBe('failure')
    expect(run.log).toMatch(/::error::Could not start codex at .*ENOENT/)
    expect(harness.github.comments).toHaveLength(1)
    expect(harness.github.comments[0]?.body).toContain('❌ Failed')
    expect(harness.github.comments[0]?.body).not.toContain('Working')
  })

  it('a malformed event line fails the step quoting the line', async () => {
    const codexPath = fakeCodex({
      lines: [JSON.stringify({ type: 'turn.completed', usage: { input_tokens: 'many' } })]
    })
    const run = await harness.run(() => ({ message: 'unused' }), { 'codex-path': codexPath })
    expect(run.exitCode).toBe(1)
    expect(run.log).toMatch(/::error::codex printed a malformed "turn.completed" event .*input_tokens/)
  })

  it('a GitHub 5xx on the comment is retried; the comment is written once', async () => {
    harness.github.fail({ method: 'POST', path: /\/comments$/, status: 502, times: 1 })
    const run = await harness.run(() => ({ message: 'answer after a flaky API' }))
    expect(run.exitCode, run.log).toBe(0)
    expect(harness.github.comments).toHaveLength(1)
    expect(harness.github.comments[0]?.body).toContain('answer after a flaky API')
    expect(harness.github.requests.filter((request) => request.method === 'POST')).toHaveLength(2)
  })

  it('a GitHub 429 with retry-after is waited out by the throttling plugin', async () => {
    harness.github.fail({
      method: 'POST',
      path: /\/comments$/,
      status: 429,
      times: 1,
      headers: { 'retry-after': '1', 'x-ratelimit-remaining': '0' }
    })
    const run = await harness.run(() => ({ message: 'answer after a rate limit' }))
    expect(run.exitCode, run.log).toBe(0)
    expect(harness.github.comments).toHaveLength(1)
    expect(run.log).toMatch(/rate limit/i)
  })

  it('a comment that cannot be written is a warning: outputs and summary are written regardless', async () => {
    harness.github.fail({ method: 'POST', path: /\/comments$/, status: 403, times: 100 })
    const run = await harness.run(() => ({ message: 'answer nobody can post' }))
    expect(run.exitCode, run.log).toBe(0)
    expect(run.log).toMatch(/::warning::Could not (write|update) the PR comment/)
    expect(run.outputs['final-response']).toBe('answer nobody can post')
    expect(run.outputs['comment-url']).toBe('')
    expect(run.summary).toContain('answer nobody can post')
  })

  it('SIGINT mid-turn cancels within the runner window: codex gone, partial published, conclusion cancelled', async () => {
    const codexHome = tempDir('home')
    let signalledAt = 0
    const run = await harness.run(
      commandThen({ hang: true }),
      { 'codex-home': codexHome },
      {
        onStart: (child, log) => {
          const poll = setInterval(() => {
            if (!log().includes('partial-work-before-the-fault')) return
            clearInterval(poll)
            signalledAt = Date.now()
            child.kill('SIGINT')
          }, 50)
        }
      }
    )
    const cancelMs = Date.now() - signalledAt
    expect(signalledAt).toBeGreaterThan(0)
    expect(cancelMs).toBeLessThan(7500)
    expect(run.outputs.conclusion).toBe('cancelled')
    expect(run.exitCode).toBe(1)
    expect(processesWithEnv(`CODEX_HOME=${codexHome}`)).toEqual([])
    expect(run.summary).toContain('partial-work-before-the-fault')
    expect(harness.github.comments[0]?.body).toContain('⏹️ Cancelled')
    expect(harness.github.comments[0]?.body).toContain('Commands (1)')
  })

  it('timeout-minutes ends the turn as timed_out and says after how long', async () => {
    const codexHome = tempDir('home')
    const run = await harness.run(() => ({ hang: true }), { 'timeout-minutes': '0.05', 'codex-home': codexHome })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.conclusion).toBe('timed_out')
    expect(run.log).toContain('::error::The turn timed out after 3.0s')
    expect(processesWithEnv(`CODEX_HOME=${codexHome}`)).toEqual([])
    expect(harness.github.comments[0]?.body).toContain('⌛ Timed out')
  })

  it('a command printing hundreds of MB keeps the action memory bounded', async () => {
    let peak = 0
    const run = await harness.run(
      (request) =>
        answersToolCall(request) ? { message: 'survived' } : { command: "head -c 300000000 /dev/zero | tr '\\0' x" },
      {},
      {
        onStart: (child) => {
          const poll = setInterval(() => {
            try {
              peak = Math.max(peak, peakMemoryMiB(child.pid!))
            } catch {
              clearInterval(poll)
            }
          }, 20)
          child.once('exit', () => clearInterval(poll))
        }
      }
    )
    expect(run.exitCode, run.log.slice(-2000)).toBe(0)
    expect(run.outputs['final-response']).toBe('survived')
    expect(peak).toBeGreaterThan(0)
    expect(peak).toBeLessThan(250)
    // the job log keeps a bounded slice of the output
    expect(run.log.length).toBeLessThan(200_000)
  })
})
