import { readdirSync, readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { CodexCancelledError, type ThreadEvent } from '../../src/sdk/index.js'
import { codexFixture, type CodexFixture } from '../support/codexFixture.js'
import { itemAt } from '../support/lists.js'

let fixture: CodexFixture | undefined
afterEach(async () => {
  await fixture?.model.close()
  fixture = undefined
})

/** Reads /proc/<pid>/<file> with its NUL separators as spaces; '' when gone or unreadable. */
function procText(pid: string | number, file: 'cmdline' | 'environ'): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8').replaceAll('\0', ' ')
  } catch {
    return ''
  }
}

/** Live processes (not this one) whose cmdline or environ passes `test`. */
function processes(file: 'cmdline' | 'environ', test: (text: string) => boolean): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .filter((pid) => test(procText(pid, file)))
    .map(Number)
}

/** codex processes (or anything they started) running with this CODEX_HOME. */
function codexProcesses(codexHome: string): number[] {
  return processes('environ', (environ) => environ.includes(`CODEX_HOME=${codexHome} `))
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return true
}

const stillPending = Symbol('still pending')

/** The settled value (or the rejection) of `promise`, or `stillPending` after `ms`: a hang fails fast. */
function within(promise: Promise<unknown>, ms: number): Promise<unknown> {
  return Promise.race([
    promise.catch((caught: unknown) => caught),
    new Promise((resolve) => setTimeout(() => resolve(stillPending), ms))
  ])
}

describe('cancelling a turn', () => {
  it('refuses a signal that is already aborted without starting codex', async () => {
    fixture = await codexFixture(() => ({ message: 'never sent' }))
    const thread = fixture.codex.startThread({ workingDirectory: fixture.repo })
    const error = await within(thread.run('hi', { signal: AbortSignal.abort(new Error('not today')) }), 5_000)
    expect(error).toBeInstanceOf(CodexCancelledError)
    expect((error as Error).message).toBe('Codex turn cancelled: not today')
    expect((error as CodexCancelledError).partial).toEqual({
      items: [],
      finalResponse: '',
      usage: null,
      turnUsage: null,
      threadId: null
    })
    // time enough for a wrongly started codex to reach the model
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(fixture.model.requests).toHaveLength(0)
    expect(codexProcesses(fixture.codexHome)).toEqual([])
  })

  it('ends a turn whose model stream hangs, soon after the abort', async () => {
    fixture = await codexFixture(() => ({ hang: true }))
    const thread = fixture.codex.startThread({ workingDirectory: fixture.repo })
    const controller = new AbortController()
    const outcome = thread.run('hang please', { signal: controller.signal })
    const { model } = fixture
    expect(await waitFor(() => model.requests.length > 0, 20_000)).toBe(true)
    // the check for leftovers below can see codex
    expect(codexProcesses(fixture.codexHome).length).toBeGreaterThan(0)
    const abortedAt = Date.now()
    controller.abort()
    const error = await within(outcome, 5_000)
    const elapsed = Date.now() - abortedAt
    console.info(`abort → rejection (hanging model): ${elapsed} ms`)
    expect(error).toBeInstanceOf(CodexCancelledError)
    expect((error as Error).message).toBe('Codex turn cancelled')
    expect(elapsed).toBeLessThan(2_000)
    const { partial } = error as CodexCancelledError
    expect(partial).toMatchObject({ items: [], finalResponse: '', usage: null })
    expect(partial.threadId).toMatch(/^[0-9a-f-]{36}$/)
    expect(thread.id).toBe(partial.threadId)
    expect(codexProcesses(fixture.codexHome)).toEqual([])
  })

  it('kills the commands the agent started, even in a session of their own', async () => {
    const markers = ['sleep 4321', 'sleep 4322']
    // the sleeps themselves (argv exactly `sleep N`), not the shell that names them
    const sleeps = (): number[] => processes('cmdline', (cmdline) => markers.includes(cmdline.trim()))
    fixture = await codexFixture(() => ({ command: `setsid ${markers[0]} & ${markers[1]}` }))
    const { codexHome } = fixture
    const thread = fixture.codex.startThread({ workingDirectory: fixture.repo, sandboxMode: 'danger-full-access' })
    const controller = new AbortController()
    const { events, result } = await thread.runStreamed('run the long command', { signal: controller.signal })
    const seen: ThreadEvent[] = []
    let abortedAt = 0
    let sleepsRunning = 0
    const consumed = (async () => {
      for await (const event of events) {
        seen.push(event)
        if (event.type === 'item.started' && event.item.type === 'command_execution' && !abortedAt) {
          // let the shell start both sleeps before pulling the plug
          await waitFor(() => sleeps().length === 2, 5_000)
          sleepsRunning = sleeps().length
          abortedAt = Date.now()
          controller.abort()
        }
      }
    })()
    const error = await within(result, 10_000)
    const elapsed = Date.now() - abortedAt
    console.info(`abort → rejection (running command): ${elapsed} ms`)
    expect(sleepsRunning).toBe(2)
    expect(error).toBeInstanceOf(CodexCancelledError)
    expect(elapsed).toBeLessThan(2_000)
    // the events end with the same error
    expect(await within(consumed, 1_000)).toBe(error)

    const leftovers = (): number[] => [...new Set([...sleeps(), ...codexProcesses(codexHome)])]
    expect(await waitFor(() => leftovers().length === 0, 2_000), `left running: ${leftovers().join(', ')}`).toBe(true)

    const command = (error as CodexCancelledError).partial.items.find((item) => item.type === 'command_execution')
    expect(command).toMatchObject({ status: 'in_progress', command: expect.stringContaining(itemAt(markers, 0)) })
    expect(seen.some((event) => event.type === 'item.started' && event.item.id === command?.id)).toBe(true)
  })

  it('reports a turn timeout from AbortSignal.timeout', async () => {
    fixture = await codexFixture(() => ({ hang: true }))
    const thread = fixture.codex.startThread({ workingDirectory: fixture.repo })
    const error = await within(thread.run('hang please', { signal: AbortSignal.timeout(5_000) }), 10_000)
    expect(error).toBeInstanceOf(CodexCancelledError)
    expect((error as Error).message).toBe('Codex turn timed out')
    expect((error as CodexCancelledError).reason).toMatchObject({ name: 'TimeoutError' })
    // the timeout hit a turn in flight, not one that had not started: codex had begun the thread
    expect(fixture.model.requests.length).toBeGreaterThan(0)
    const { partial } = error as CodexCancelledError
    expect(partial.threadId).toMatch(/^[0-9a-f-]{36}$/)
    expect(thread.id).toBe(partial.threadId)
    expect(codexProcesses(fixture.codexHome)).toEqual([])
  })
})
