// Kept apart from faults.e2e.test.ts: codex retries these for ~25 s, and a file of its own runs in parallel.
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { usePrHarness } from '../support/prHarness.js'

const harness = usePrHarness(11)

async function closedPortUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return `http://127.0.0.1:${port}/v1`
}

describe('model faults codex retries before giving up', () => {
  it(
    'a model answering 500 fails the step after codex retries, with its reconnect notices as warnings',
    { timeout: 120_000 },
    async () => {
      const run = await harness.run(() => ({ status: 500 }), { prompt: 'Hi' })
      expect(run.exitCode).toBe(1)
      expect(run.outputs.conclusion).toBe('failure')
      expect(harness.model.requests.length).toBeGreaterThan(1)
      expect(run.log).toMatch(/::warning::codex: Reconnecting/)
      // codex's own wording for a 5xx, from its turn.failed
      expect(run.log).toMatch(/::error::We’re currently experiencing high demand/)
      expect(harness.github.comments[0]?.body).toContain('❌ Failed')
    }
  )

  it(
    'a model endpoint refusing connections fails the step instead of waiting for network forever',
    { timeout: 120_000 },
    async () => {
      // no model listens: the run is pointed at a port nobody holds
      const run = await harness.run(() => ({ message: 'unused' }), { prompt: 'Hi', 'base-url': await closedPortUrl() })
      expect(run.exitCode).toBe(1)
      expect(run.outputs.conclusion).toBe('failure')
      // codex reaches the action's model proxy, which answers 502 naming the cause; codex retries, then fails the turn
      expect(run.log).toMatch(/::error::.*502 Bad Gateway: The model API could not be reached \(ECONNREFUSED\)/)
      expect(run.durationMs).toBeLessThan(90_000)
    }
  )
})
