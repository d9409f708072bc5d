import { DefaultArtifactClient } from '@actions/artifact'
import * as cache from '@actions/cache'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createOctokit } from '../../src/action/github/octokit.js'
import { ThreadArchive } from '../../src/action/thread/archive.js'
import { seal, unseal } from '../../src/action/thread/seal.js'
import { ArtifactBundleStore } from '../../src/action/thread/stores/artifact.js'
import { CacheBundleStore } from '../../src/action/thread/stores/cache.js'
import { createStorageApi } from '../../src/action/thread/stores/storageApi.js'
import { emptyTranscript } from '../../src/action/thread/transcript.js'
import { startActionsServices, type ActionsJob, type ActionsServices } from '../support/actionsServices.js'
import { OWNER, REPO } from '../support/githubServer.js'
import { tempDir } from '../support/tempDirs.js'

/*
 * The thread stores with @actions/artifact and @actions/cache unmocked, against the stand-in of the
 * Actions services: the Twirp results service, blobs in Azurite, the REST API of the GitHub test
 * server. @actions/github reads GITHUB_API_URL when it is first imported, so the GitHub server
 * starts before any import.
 */
const github = await vi.hoisted(async () => {
  const { startGitHubServer } = await import('../support/githubServer.js')
  const server = await startGitHubServer()
  process.env.GITHUB_API_URL = server.url
  return server
})

const SECRET = 'sk-the-api-key-of-this-repo'
const PLAIN = 'the session text, which no stored byte may show'
const PR_REF = 'refs/pull/7/merge'

let services: ActionsServices
/** RUNNER_TEMP: the same path on every runner, as on GitHub's; the cache's version hashes it. */
const runnerTemp = path.join(tempDir('runner'), 'temp')
let logged: string[]
beforeAll(async () => {
  services = await startActionsServices(github)
  vi.stubEnv('GITHUB_SERVER_URL', 'https://github.com')
  vi.stubEnv('RUNNER_TEMP', runnerTemp)
  vi.stubEnv('GITHUB_WORKSPACE', runnerTemp)
})
afterAll(async () => {
  await services.close()
  await github.close()
})
beforeEach(() => {
  github.artifacts.length = 0
  github.caches.length = 0
  github.requests.length = 0
  github.actionsPermission = 'write'
  services.calls.length = 0
  logged = []
})

let nextRun = 5000
/** A job on a fresh runner: its own run, an empty RUNNER_TEMP, the stores as the action makes them. */
function onRunner(job: Partial<ActionsJob> = {}) {
  const runId = job.runId ?? nextRun++
  for (const [name, value] of Object.entries(services.jobEnv({ runId, ref: PR_REF, ...job }))) vi.stubEnv(name, value)
  rmSync(runnerTemp, { recursive: true, force: true })
  mkdirSync(runnerTemp, { recursive: true })
  const api = createStorageApi(createOctokit({ token: 'ghs_token', apiUrl: github.url, warn: () => {} }), OWNER, REPO)
  const log = (message: string): void => void logged.push(message)
  return {
    runId,
    artifact: new ArtifactBundleStore({ api, token: 'ghs_token', owner: OWNER, repo: REPO, workDir: runnerTemp, log }),
    cache: new CacheBundleStore({ api, run: { runId: String(runId), runAttempt: '1' }, workDir: runnerTemp, log })
  }
}

const sealed = (text: string, key: string, secret = SECRET) => seal(Buffer.from(text), secret, key)
const opener = (key: string) => (bundle: Buffer) => unseal(bundle, SECRET, key).then((plain) => plain?.toString('utf8'))
const zipDownloads = () => github.requests.filter((request) => request.path.endsWith('/zip')).length
const callsOf = (method: string) => services.calls.filter((call) => call.method === method)

describe('the artifact store against the results service', () => {
  it('resumes on another runner what one run saved, and stores only sealed bytes', async () => {
    await onRunner().artifact.save('pr-7', await sealed(PLAIN, 'pr-7'))
    expect(services.calls).toEqual([
      { method: 'CreateArtifact', status: 200 },
      { method: 'FinalizeArtifact', status: 200 }
    ])
    const [stored] = github.artifacts
    expect(stored).toMatchObject({ name: 'codex-thread-pr-7', expired: false })
    expect((await services.artifactBlob(stored!.id)).includes('session text')).toBe(false)

    expect(await onRunner().artifact.load('pr-7', opener('pr-7'))).toBe(PLAIN)
    expect(await onRunner().artifact.load('pr-8', opener('pr-8'))).toBeUndefined()
  })

  it("replaces the entry a re-run of the same run saved, and prunes older runs' with actions: write", async () => {
    await onRunner().artifact.save('pr-7', await sealed('first run', 'pr-7'))
    const runId = nextRun++
    await onRunner({ runId }).artifact.save('pr-7', await sealed('attempt 1', 'pr-7'))
    const rerun = onRunner({ runId })
    await rerun.artifact.save('pr-7', await sealed('attempt 2', 'pr-7'))
    expect(callsOf('CreateArtifact').map((call) => call.status)).toEqual([200, 200, 409, 200])
    expect(github.artifacts).toHaveLength(2)

    await rerun.artifact.prune('pr-7')
    expect(github.artifacts).toHaveLength(1)
    expect(await onRunner().artifact.load('pr-7', opener('pr-7'))).toBe('attempt 2')
  })

  it('with actions: read, loads and saves, and says what prune kept', async () => {
    github.actionsPermission = 'read'
    await onRunner().artifact.save('pr-7', await sealed('older', 'pr-7'))
    const latest = onRunner()
    await latest.artifact.save('pr-7', await sealed('newer', 'pr-7'))
    await latest.artifact.prune('pr-7')
    expect(github.artifacts).toHaveLength(2)
    expect(logged.at(-1)).toMatch(
      /^1 older artifact\(s\) of codex-thread-pr-7 were not deleted \(.*the token needs actions: write\)\): they are kept until they expire, the last on /
    )
    expect(await onRunner().artifact.load('pr-7', opener('pr-7'))).toBe('newer')

    github.actionsPermission = 'none'
    await expect(onRunner().artifact.load('pr-7', opener('pr-7'))).rejects.toThrow(/the token needs actions: read/)
  })

  it('passes over an artifact of the same name that holds no bundle, and loads an older one', async () => {
    await onRunner().artifact.save('pr-7', await sealed('ours', 'pr-7'))
    // another workflow uploads its own files under the thread's name
    onRunner()
    const foreign = path.join(runnerTemp, 'report.txt')
    writeFileSync(foreign, 'not a bundle')
    await new DefaultArtifactClient().uploadArtifact('codex-thread-pr-7', [foreign], runnerTemp)

    expect(await onRunner().artifact.load('pr-7', opener('pr-7'))).toBe('ours')
    expect(logged).toEqual([expect.stringMatching(/holds no bundle\.bin: something else uploaded it/)])
  })

  it('downloads the bundle once per run, however often the archive reads the store', async () => {
    const key = 'pr-7'
    const codexHome = tempDir('codex-home')
    const archive = (store: ArtifactBundleStore) =>
      new ThreadArchive({
        key,
        vault: { store, secret: SECRET },
        codexHome,
        workDir: runnerTemp,
        log: { info: (message) => logged.push(message), warning: (message) => logged.push(message) }
      })
    await archive(onRunner().artifact).save({ ...emptyTranscript(key), threadId: 'thread-1' })

    const resuming = archive(onRunner().artifact)
    expect((await resuming.load()).record.threadId).toBe('thread-1')
    expect((await resuming.latestRecord())?.threadId).toBe('thread-1')
    expect(zipDownloads()).toBe(1)
  })

  it('rides out a 500 on each call of the service: the library retries', async () => {
    const runId = nextRun++
    await onRunner({ runId }).artifact.save('pr-7', await sealed('attempt 1', 'pr-7'))
    for (const method of ['CreateArtifact', 'ListArtifacts', 'DeleteArtifact', 'FinalizeArtifact'] as const)
      services.fail(method)
    await onRunner({ runId }).artifact.save('pr-7', await sealed('attempt 2', 'pr-7'))
    expect(services.calls.filter((call) => call.status === 500).map((call) => call.method)).toEqual([
      'CreateArtifact',
      'ListArtifacts',
      'DeleteArtifact',
      'FinalizeArtifact'
    ])
    expect(await onRunner().artifact.load('pr-7', opener('pr-7'))).toBe('attempt 2')
  })
})

describe('the cache store against the results service', () => {
  it('resumes on another runner what one run saved, under a key no other thread can share', async () => {
    const first = onRunner()
    await first.cache.save('pr-7', await sealed(PLAIN, 'pr-7'))
    const [entry] = services.caches()
    expect(entry).toMatchObject({ key: `codex-thread-pr-7/${first.runId}-1`, scope: PR_REF })
    expect((await services.cacheBlob(entry!)).includes('session text')).toBe(false)

    expect(await onRunner().cache.load('pr-7', opener('pr-7'))).toBe(PLAIN)
    // another PR's runs do not read this PR's scope; the base branch's are read
    expect(await onRunner({ ref: 'refs/pull/8/merge' }).cache.load('pr-7', opener('pr-7'))).toBeUndefined()
    await onRunner({ ref: 'refs/heads/main' }).cache.save('pr-9', await sealed('from main', 'pr-9'))
    const onPr9 = onRunner({ ref: 'refs/pull/9/merge', readRefs: ['refs/heads/main'] })
    expect(await onPr9.cache.load('pr-9', opener('pr-9'))).toBe('from main')
  })

  it("does not restore the newest entry of a thread whose key starts with this one's", async () => {
    await onRunner().cache.save('docs', await sealed('docs turn', 'docs'))
    await onRunner().cache.save('docs-api', await sealed('docs-api turn', 'docs-api'))
    expect(await onRunner().cache.load('docs', opener('docs'))).toBe('docs turn')
    expect(await onRunner().cache.load('docs-api', opener('docs-api'))).toBe('docs-api turn')
    expect(logged).toEqual([])
  })

  it('finds entries saved under the older key format, and says when the newest match is another thread', async () => {
    const legacy = onRunner()
    // an entry as the store named it before: codex-thread-<key>-<run id>-<attempt>
    const file = path.join(runnerTemp, 'codex-thread-cache', 'bundle.bin')
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, await sealed('saved by an older version', 'docs'))
    expect(await cache.saveCache([file], `codex-thread-docs-${legacy.runId}-1`)).toBeGreaterThan(0)
    expect(await onRunner().cache.load('docs', opener('docs'))).toBe('saved by an older version')

    // a newer entry of docs-api also starts with docs's old prefix, and is what the service answers
    await onRunner().cache.save('docs-api', await sealed('docs-api turn', 'docs-api'))
    expect(await onRunner().cache.load('docs', opener('docs'))).toBe('saved by an older version')
    expect(logged).toEqual([
      expect.stringMatching(
        /^Cache codex-thread-docs-api\/\d+-1 is another thread's; restoring codex-thread-docs-\d+-1/
      )
    ])

    // prune removes the thread's own older entries in both formats, and no other thread's
    const latest = onRunner()
    await latest.cache.save('docs', await sealed('newest', 'docs'))
    await latest.cache.prune('docs')
    expect(github.caches.map((entry) => entry.key).sort()).toEqual([
      expect.stringMatching(/^codex-thread-docs-api\//),
      `codex-thread-docs/${latest.runId}-1`
    ])
  })

  it('downloads the entry once per run', async () => {
    await onRunner().cache.save('pr-7', await sealed('turn', 'pr-7'))
    const { cache: store } = onRunner()
    expect(await store.load('pr-7', opener('pr-7'))).toBe('turn')
    expect(await store.load('pr-7', opener('pr-7'))).toBe('turn')
    // a lookup and a restore, then a lookup that finds the same entry
    expect(callsOf('GetCacheEntryDownloadURL')).toHaveLength(3)
  })

  it('with actions: read, saves and loads, and says what prune kept', async () => {
    github.actionsPermission = 'read'
    await onRunner().cache.save('pr-7', await sealed('older', 'pr-7'))
    const latest = onRunner()
    await latest.cache.save('pr-7', await sealed('newer', 'pr-7'))
    await latest.cache.prune('pr-7')
    expect(github.caches).toHaveLength(2)
    expect(logged.at(-1)).toMatch(/^1 older cache\(s\) of thread pr-7 were not deleted \(.*actions: write\)/)
    expect(await onRunner().cache.load('pr-7', opener('pr-7'))).toBe('newer')
  })

  it('rides out a 500 on each call of the service: the library retries', async () => {
    for (const method of ['CreateCacheEntry', 'FinalizeCacheEntryUpload', 'GetCacheEntryDownloadURL'] as const)
      services.fail(method)
    await onRunner().cache.save('pr-7', await sealed('turn', 'pr-7'))
    expect(await onRunner().cache.load('pr-7', opener('pr-7'))).toBe('turn')
    expect(services.calls.filter((call) => call.status === 500).map((call) => call.method)).toEqual([
      'CreateCacheEntry',
      'FinalizeCacheEntryUpload',
      'GetCacheEntryDownloadURL'
    ])
  })
})
