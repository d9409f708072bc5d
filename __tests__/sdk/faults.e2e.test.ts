import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { CodexCancelledError, CodexExecError, CodexThreadRunError } from '../../src/sdk/index.js'
import { codexFixture, type CodexFixture } from '../support/codexFixture.js'

let fixture: CodexFixture | undefined
afterEach(async () => {
  await fixture?.model.close()
  fixture = undefined
})

/** A local port nothing listens on: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('model faults against the real codex CLI', () => {
  it('retries a model that answers 500, then fails the turn with turn.failed', { timeout: 90_000 }, async () => {
    fixture = await codexFixture(() => ({ status: 500 }))
    const started = Date.now()
    const error = await fixture.codex
      .startThread({ workingDirectory: fixture.repo })
      .run('hi')
      .catch((caught: unknown) => caught)
    const elapsed = Date.now() - started
    console.info(`500 every time: failed after ${elapsed} ms and ${fixture.model.requests.length} requests`)
    // codex exits non-zero too, but turn.failed is what the caller learns
    expect(error).toBeInstanceOf(CodexThreadRunError)
    expect(error).not.toBeInstanceOf(CodexExecError)
    // the message is codex's last word, also sent as an `error` event before turn.failed
    expect((error as Error).message).not.toBe('')
    expect(fixture.warnings.at(-1)).toBe(`codex: ${(error as Error).message}`)
    expect((error as CodexThreadRunError).partial.threadId).toMatch(/^[0-9a-f-]{36}$/)
    expect(fixture.model.requests.length).toBeGreaterThan(5)
    // each retry arrived as an `error` event, which the logger reports
    const reconnecting = fixture.warnings.filter((warning) => warning.startsWith('codex: Reconnecting...'))
    expect(reconnecting.length).toBeGreaterThanOrEqual(3)
    expect(reconnecting[0]).toMatch(/^codex: Reconnecting\.\.\. 1\/\d+/)
    expect(elapsed).toBeGreaterThan(5_000)
  })

  it('keeps retrying a refused connection until the turn times out, logging why', async () => {
    const port = await closedPort()
    fixture = await codexFixture(() => ({ message: 'unused' }), { baseUrl: `http://127.0.0.1:${port}/v1` })
    const started = Date.now()
    const error = await fixture.codex
      .startThread({ workingDirectory: fixture.repo })
      .run('hi', { signal: AbortSignal.timeout(8_000) })
      .catch((caught: unknown) => caught)
    const elapsed = Date.now() - started
    console.info(
      `refused connection: ended by the timeout after ${elapsed} ms; warnings: ${fixture.warnings.join(', ')}`
    )
    // codex 0.169 waits for the network indefinitely: only the caller's signal ends the turn
    expect(error).toBeInstanceOf(CodexCancelledError)
    expect((error as Error).message).toBe('Codex turn timed out')
    expect((error as CodexCancelledError).partial.threadId).toMatch(/^[0-9a-f-]{36}$/)
    expect(fixture.warnings.some((warning) => /Reconnecting.*Connection failed/.test(warning))).toBe(true)
    expect(elapsed).toBeLessThan(12_000)
  })
})
