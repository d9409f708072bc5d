import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startActionsServices, type ActionsServices, type TwirpMethod } from '../support/actionsServices.js'
import { usePrHarness } from '../support/prHarness.js'
import { requestText } from '../support/scriptedModel.js'
import { tempDir, tempRepo } from '../support/tempDirs.js'

/*
 * dist/index.js with thread-store artifact and cache, the real clients inside it, against the
 * stand-in of the Actions services: runs of one PR on different runners keep one thread, and what
 * goes wrong with the store (an entry gone or damaged, a failing service, a re-run, a token that
 * may not delete) costs neither the turn nor the thread's earlier turns.
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
/**
 * A run on a fresh runner: an empty RUNNER_TEMP, a new HOME, its own runtime token; its own run id
 * unless it re-runs `rerun.runId` as attempt `rerun.attempt`.
 */
function onFreshRunner(prompt: string, store: string, rerun?: { runId: number; attempt: number }) {
  const runId = rerun?.runId ?? 6000 + ++runs
  rmSync(runnerTemp, { recursive: true, force: true })
  mkdirSync(runnerTemp, { recursive: true })
  return harness.runServed(
    { prompt, 'thread-store': store },
    {
      workspace: repo,
      runId: String(runId),
      env: {
        ...services.jobEnv({ runId, ref: 'refs/pull/7/merge' }),
        RUNNER_TEMP: runnerTemp,
        GITHUB_RUN_ATTEMPT: String(rerun?.attempt ?? 1)
      }
    }
  )
}

const answers = ['first answer alpha', 'second answer beta', 'third answer gamma']
const serveAnswers = () => harness.serve((_request, index) => ({ message: answers[index] ?? '' }))

/** What each live entry of the store holds, out of its container (the artifact's zip is stored, not deflated). */
async function storedBytes(store: string): Promise<Buffer[]> {
  if (store === 'artifact')
    return Promise.all(harness.github.artifacts.map((artifact) => services.artifactBlob(artifact.id)))
  const blobs = await Promise.all(services.caches().map((entry) => services.cacheBlob(entry)))
  // the cache's tar is zstd-compressed: the tar inside holds the file's bytes as they are
  return blobs.map((blob) => execFileSync('zstd', ['-dc'], { input: blob }))
}

/** The store's entries, in the order they were saved. */
const entries = (store: string): Array<{ id: number }> =>
  store === 'artifact' ? harness.github.artifacts : services.caches().map((entry) => ({ id: entry.id! }))

/** Who saved each entry: the artifact's run, the cache's key (run and attempt). */
const savedBy = (store: string): string[] =>
  store === 'artifact'
    ? harness.github.artifacts.map((artifact) => `run ${artifact.workflow_run?.id}`)
    : services.caches().map((entry) => entry.key)

/** The run published its turn: a success, with the answer in the sticky comment. */
function expectPublished(run: Awaited<ReturnType<typeof onFreshRunner>>, answer: string) {
  expect(run.exitCode, run.log).toBe(0)
  expect(run.outputs.conclusion).toBe('success')
  expect(harness.github.comments.at(-1)?.body).toContain(answer)
}

const warnings = (log: string) => log.split('\n').filter((line) => line.startsWith('::warning::'))

describe.each(['artifact', 'cache'])('thread-store %s through dist/index.js', (store) => {
  it('resumes the thread on another runner, with the earlier turn in the model request; stores no plain text', async () => {
    await serveAnswers()
    const first = await onFreshRunner('first question', store)
    expectPublished(first, 'first answer alpha')
    expect(first.outputs.resumed).toBe('false')
    expect(warnings(first.log)).toEqual([])

    const second = await onFreshRunner('second question', store)
    expectPublished(second, 'second answer beta')
    expect(second.outputs['thread-id']).toBe(first.outputs['thread-id'])
    expect(second.outputs.resumed).toBe('true')
    expect(warnings(second.log)).toEqual([])
    const request = requestText(harness.model.requests[1])
    expect(request).toContain('first question')
    expect(request).toContain('first answer alpha')

    const stored = await storedBytes(store)
    expect(stored).toHaveLength(1)
    for (const text of ['first question', 'first answer alpha', 'second question', 'second answer beta'])
      expect(stored[0]!.includes(text), text).toBe(false)
  })

  it('reseeds a new thread from the comment when the entry is damaged, then when it is gone', async () => {
    await serveAnswers()
    const first = await onFreshRunner('first question', store)
    expectPublished(first, 'first answer alpha')

    const [saved] = store === 'artifact' ? [{ artifactId: harness.github.artifacts[0]!.id }] : services.caches()
    await services.corrupt(saved)
    const second = await onFreshRunner('second question', store)
    expectPublished(second, 'second answer beta')
    expect(second.outputs.resumed).toBe('false')
    expect(second.outputs['thread-id']).not.toBe(first.outputs['thread-id'])
    expect(second.log).toContain('starting a new thread seeded with the transcript of 1 earlier turn(s)')
    expect(requestText(harness.model.requests[1])).toContain('first answer alpha')

    harness.github.artifacts.length = 0
    harness.github.caches.length = 0
    const third = await onFreshRunner('third question', store)
    expectPublished(third, 'third answer gamma')
    expect(third.outputs.resumed).toBe('false')
    expect(third.log).toContain('starting a new thread seeded with the transcript of 2 earlier turn(s)')
    expect(warnings(third.log)).toEqual([])
    const request = requestText(harness.model.requests[2])
    expect(request).toContain('first answer alpha')
    expect(request).toContain('second answer beta')
  })

  it('a re-run replaces its own entry, riding out a 500 on each service call; prune deletes older entries', async () => {
    await serveAnswers()
    expectPublished(await onFreshRunner('first question', store), 'first answer alpha')
    const runId = 6900 + ++runs
    expectPublished(await onFreshRunner('second question', store, { runId, attempt: 1 }), 'second answer beta')
    // actions: write: the first run's entry is pruned
    expect(entries(store)).toHaveLength(1)

    const methods: TwirpMethod[] =
      store === 'artifact'
        ? ['CreateArtifact', 'ListArtifacts', 'DeleteArtifact', 'FinalizeArtifact']
        : ['GetCacheEntryDownloadURL', 'CreateCacheEntry', 'FinalizeCacheEntryUpload']
    for (const method of methods) services.fail(method)
    const rerun = await onFreshRunner('third question', store, { runId, attempt: 2 })
    expectPublished(rerun, 'third answer gamma')
    expect(rerun.outputs.resumed).toBe('true')
    expect(warnings(rerun.log)).toEqual([])
    expect(new Set(services.calls.filter((call) => call.status === 500).map((call) => call.method))).toEqual(
      new Set(methods)
    )
    // one entry, the re-run's: attempt 1's was replaced (artifact) or pruned (cache)
    expect(entries(store)).toHaveLength(1)
    expect(savedBy(store)).toEqual([store === 'artifact' ? `run ${runId}` : `codex-thread-pr-7/${runId}-2`])
    const fourth = await onFreshRunner('fourth question', store)
    expect(fourth.outputs.resumed).toBe('true')
    expect(requestText(harness.model.requests[3])).toContain('third answer gamma')
  })

  it('with actions: read, resumes and says what prune kept', async () => {
    harness.github.actionsPermission = 'read'
    await serveAnswers()
    expectPublished(await onFreshRunner('first question', store), 'first answer alpha')
    const second = await onFreshRunner('second question', store)
    expectPublished(second, 'second answer beta')
    expect(second.outputs.resumed).toBe('true')
    expect(entries(store)).toHaveLength(2)
    expect(warnings(second.log)).toEqual([])
    expect(second.log).toMatch(
      store === 'artifact'
        ? /1 older artifact\(s\) of codex-thread-pr-7 were not deleted \(.*the token needs actions: write\)\): they are kept until they expire, the last on \d{4}-/
        : /1 older cache\(s\) of thread pr-7 were not deleted \(.*the token needs actions: write\)\): GitHub evicts caches not used for 7 days/
    )
  })
})

describe('a store service that keeps failing, through dist/index.js', () => {
  // the libraries try each call 5 times, 3 s apart and growing: ~25 s
  it('artifact: the save is a warning, the turn is published, and the next run loses no turn', async () => {
    await serveAnswers()
    services.fail('CreateArtifact', 500, 5)
    const first = await onFreshRunner('first question', 'artifact')
    expectPublished(first, 'first answer alpha')
    expect(warnings(first.log)).toEqual([
      expect.stringMatching(/^::warning::Could not save thread pr-7 to the artifact store: .*5 attempts/)
    ])
    expect(harness.github.artifacts).toHaveLength(0)

    const second = await onFreshRunner('second question', 'artifact')
    expectPublished(second, 'second answer beta')
    expect(second.log).toContain('starting a new thread seeded with the transcript of 1 earlier turn(s)')
    expect(requestText(harness.model.requests[1])).toContain('first answer alpha')
  }, 120_000)

  it('cache: the lookup is a warning, the turn is published, seeded from the comment', async () => {
    await serveAnswers()
    expectPublished(await onFreshRunner('first question', 'cache'), 'first answer alpha')
    services.fail('GetCacheEntryDownloadURL', 500, 5)
    const second = await onFreshRunner('second question', 'cache')
    expectPublished(second, 'second answer beta')
    expect(warnings(second.log)).toEqual([
      expect.stringMatching(
        /^::warning::Failed to restore: Failed to GetCacheEntryDownloadURL: Failed to make request after 5 attempts/
      )
    ])
    expect(second.outputs.resumed).toBe('false')
    expect(requestText(harness.model.requests[1])).toContain('first answer alpha')
  }, 120_000)
})
