import { mkdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startActionsServices, type ActionsServices } from '../support/actionsServices.js'
import { usePrHarness } from '../support/prHarness.js'
import { requestText } from '../support/scriptedModel.js'
import { tempDir, tempRepo } from '../support/tempDirs.js'

/*
 * dist/index.js with thread-store artifact and cache, the real clients inside it, against the
 * stand-in of the Actions services: two runs of one PR on different runners resume one thread.
 */
const harness = usePrHarness(7)
let services: ActionsServices
let repo: string
beforeEach(async () => {
  services = await startActionsServices(harness.github)
  repo = tempRepo()
})
afterEach(() => services.close())

/** RUNNER_TEMP is the same path on each of GitHub's runners, and the cache's version hashes it. */
const runnerTemp = path.join(tempDir('runners'), 'temp')

let runs = 0
/** A run on a fresh runner: its own run id and runtime token, an empty RUNNER_TEMP, a new HOME. */
function onFreshRunner(prompt: string, store: string) {
  const runId = 6000 + ++runs
  rmSync(runnerTemp, { recursive: true, force: true })
  mkdirSync(runnerTemp, { recursive: true })
  return harness.runServed(
    { prompt, 'thread-store': store },
    {
      workspace: repo,
      runId: String(runId),
      env: { ...services.jobEnv({ runId, ref: 'refs/pull/7/merge' }), RUNNER_TEMP: runnerTemp }
    }
  )
}

describe.each(['artifact', 'cache'])('thread-store %s through dist/index.js', (store) => {
  it('resumes the thread on another runner, with the earlier turn in the model request', async () => {
    await harness.serve((_request, index) => ({ message: ['first answer alpha', 'second answer beta'][index] ?? '' }))
    const first = await onFreshRunner('first question', store)
    expect(first.exitCode, first.log).toBe(0)
    expect(first.outputs.resumed).toBe('false')
    expect(first.log).not.toMatch(/::warning::/)

    const second = await onFreshRunner('second question', store)
    expect(second.exitCode, second.log).toBe(0)
    expect(second.outputs['thread-id']).toBe(first.outputs['thread-id'])
    expect(second.outputs.resumed).toBe('true')
    expect(second.log).not.toMatch(/::warning::/)
    const request = requestText(harness.model.requests[1])
    expect(request).toContain('first question')
    expect(request).toContain('first answer alpha')
  })
})
