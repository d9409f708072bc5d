import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ARTIFACT_LOAD_CANDIDATES, ArtifactBundleStore } from '../../src/action/thread/stores/artifact.js'
import { seal, unseal } from '../../src/action/thread/seal.js'
import { DirectoryBundleStore } from '../../src/action/thread/stores/directory.js'
import { createOctokit } from '../../src/action/github/octokit.js'
import { createStorageApi } from '../../src/action/thread/stores/storageApi.js'
import type { BundleStore } from '../../src/action/thread/stores/store.js'
import { OWNER, REPO, REPO_ID, startGitHubServer, type GitHubServer } from '../support/githubServer.js'
import { tempDir } from '../support/tempDirs.js'
import { itemAt } from '../support/lists.js'

/**
 * @actions/artifact, replaced by a service holding each upload's files in memory: cheap enough for
 * the listing rules' many artifacts. threadStores.services.test.ts runs both stores unmocked.
 */
const artifactService = vi.hoisted(() => ({
  blobs: new Map<number, Buffer>(),
  /** Set per test: registers an upload where the REST API lists artifacts. */
  onUpload: (_name: string): number => 0,
  uploadArtifact:
    vi.fn<(name: string, files: string[], root: string, options: unknown) => Promise<{ id: number; size: number }>>(),
  downloadArtifact: vi.fn<(id: number, options: { path: string }) => Promise<{ downloadPath: string }>>(),
  deleteArtifact: vi.fn<(name: string, options: unknown) => Promise<unknown>>()
}))
vi.mock('@actions/artifact', () => ({
  DefaultArtifactClient: class {
    uploadArtifact = artifactService.uploadArtifact
    downloadArtifact = artifactService.downloadArtifact
    deleteArtifact = artifactService.deleteArtifact
  }
}))

const SECRET = 'sk-the-api-key-of-this-repo'
const KEY = 'pr-7'
const open = (bundle: Buffer) => unseal(bundle, SECRET, KEY).then((plain) => plain?.toString('utf8'))

let github: GitHubServer
let logged: string[]
let workDir: string
beforeEach(async () => {
  github = await startGitHubServer()
  logged = []
  workDir = tempDir('work')
  artifactService.blobs.clear()
  artifactService.uploadArtifact.mockReset().mockImplementation(async (name: string, files: string[]) => {
    const id = artifactService.onUpload(name)
    artifactService.blobs.set(id, readFileSync(itemAt(files, 0)))
    return { id, size: 1 }
  })
  artifactService.downloadArtifact.mockReset().mockImplementation(async (id: number, options: { path: string }) => {
    writeFileSync(path.join(options.path, 'bundle.bin'), artifactService.blobs.get(id)!)
    return { downloadPath: options.path }
  })
  artifactService.deleteArtifact.mockReset().mockRejectedValue(new Error('Artifact not found for name'))
  artifactService.onUpload = (name) => addArtifact(name).id
})
afterEach(() => github.close())

let nextId = 100
/** An artifact listed for the key; `fork` is the id of the fork a fork PR's run came from. */
function addArtifact(name: string, extra: { expired?: boolean; expires_at?: string; fork?: number } = {}) {
  const id = nextId++
  const artifact = {
    id,
    name,
    created_at: new Date(1_700_000_000_000 + id * 1000).toISOString(),
    expires_at: extra.expires_at ?? '2031-01-01T00:00:00Z',
    expired: extra.expired ?? false,
    workflow_run: {
      id: 9000 + id,
      repository_id: REPO_ID,
      head_repository_id: extra.fork ?? REPO_ID,
      head_branch: 'feature',
      head_sha: 'c'.repeat(40)
    }
  }
  github.artifacts.push(artifact)
  return artifact
}

function artifactStore(): ArtifactBundleStore {
  const api = createStorageApi(createOctokit({ token: 'ghs_token', apiUrl: github.url, warn: () => {} }), OWNER, REPO)
  return new ArtifactBundleStore({
    api,
    token: 'ghs_token',
    owner: OWNER,
    repo: REPO,
    workDir,
    log: (message) => logged.push(message)
  })
}

/** A bundle of an earlier run, saved through a store of that run. */
async function savedBy(store: BundleStore, text: string, secret = SECRET): Promise<void> {
  await store.save(KEY, await seal(Buffer.from(text), secret, KEY))
}

describe('the artifact store', () => {
  it('finds the newest bundle of the key through the REST API and downloads it from its run', async () => {
    await savedBy(artifactStore(), 'older turn')
    await savedBy(artifactStore(), 'newer turn')
    addArtifact('codex-thread-pr-70')

    expect(await artifactStore().load(KEY, open)).toBe('newer turn')
    const [name, files, root, options] = itemAt(artifactService.uploadArtifact.mock.calls, 0)
    expect(name).toBe('codex-thread-pr-7')
    expect(path.dirname(itemAt(files, 0))).toBe(root)
    expect(options).toEqual({ compressionLevel: 0 })
    const newest = itemAt(github.artifacts, 1)
    expect(artifactService.downloadArtifact).toHaveBeenCalledExactlyOnceWith(newest.id, {
      path: expect.any(String),
      findBy: {
        token: 'ghs_token',
        workflowRunId: newest.workflow_run.id,
        repositoryOwner: OWNER,
        repositoryName: REPO
      }
    })
    const list = github.requests.find((request) => request.path === `/repos/${OWNER}/${REPO}/actions/artifacts`)
    expect(list, 'the store listed the artifacts').toMatchObject({ method: 'GET' })
    expect(readdirSync(workDir)).toEqual([])
  })

  it('answers a miss when the key has no artifact, or only expired ones', async () => {
    expect(await artifactStore().load(KEY, open)).toBeUndefined()
    addArtifact('codex-thread-pr-7', { expired: true })
    expect(await artifactStore().load(KEY, open)).toBeUndefined()
    expect(artifactService.downloadArtifact).not.toHaveBeenCalled()
  })

  it('passes over a bundle sealed with another secret: alone, it counts as missing', async () => {
    await savedBy(artifactStore(), 'sealed by a fork', 'another-secret')
    expect(await artifactStore().load(KEY, open)).toBeUndefined()
    expect(logged.join('\n')).toMatch(/does not open with this run's secret/)

    await savedBy(artifactStore(), 'ours')
    await savedBy(artifactStore(), 'planted later', 'another-secret')
    expect(await artifactStore().load(KEY, open)).toBe('ours')
  })

  it("ignores artifacts of forks' runs, and tries the repository's own past the newest few", async () => {
    await savedBy(artifactStore(), 'ours')
    // a fork PR's own workflow uploads under the key's name, as many as it likes
    for (let junk = 0; junk < 3; junk++) {
      artifactService.onUpload = (name) => addArtifact(name, { fork: 777 }).id
      await savedBy(artifactStore(), 'planted by a fork')
    }
    artifactService.onUpload = (name) => addArtifact(name).id
    for (let older = 0; older < 6; older++) await savedBy(artifactStore(), 'rotated secret', 'another-secret')

    expect(await artifactStore().load(KEY, open)).toBe('ours')
    expect(artifactService.downloadArtifact).toHaveBeenCalledTimes(7)
    expect(logged).toContain('Ignored 3 artifact(s) of codex-thread-pr-7 uploaded by runs of forks')

    // bounded: past ARTIFACT_LOAD_CANDIDATES the store gives up
    for (let older = 0; older < ARTIFACT_LOAD_CANDIDATES; older++)
      await savedBy(artifactStore(), 'rotated secret', 'another-secret')
    artifactService.downloadArtifact.mockClear()
    expect(await artifactStore().load(KEY, open)).toBeUndefined()
    expect(artifactService.downloadArtifact).toHaveBeenCalledTimes(ARTIFACT_LOAD_CANDIDATES)
  })

  it('fails, for the caller to warn, when the service is unavailable', async () => {
    artifactService.uploadArtifact.mockRejectedValue(new Error('Unable to get the ACTIONS_RUNTIME_TOKEN env variable'))
    await expect(savedBy(artifactStore(), 'lost')).rejects.toThrow(/ACTIONS_RUNTIME_TOKEN/)

    github.fail({ method: 'GET', path: /actions\/artifacts$/, status: 403, times: 1 })
    await expect(artifactStore().load(KEY, open)).rejects.toThrow(
      'scripted failure 403 (the token needs actions: read)'
    )

    addArtifact('codex-thread-pr-7')
    artifactService.downloadArtifact.mockRejectedValue(new Error('Unexpected HTTP response from blob storage: 503'))
    await expect(artifactStore().load(KEY, open)).rejects.toThrow(/503/)
  })

  it('replaces the bundle a re-run of the same run saved before', async () => {
    artifactService.uploadArtifact.mockRejectedValueOnce(
      new Error('(409) Conflict: an artifact with this name already exists')
    )
    artifactService.deleteArtifact.mockResolvedValue({ id: 1 })
    await savedBy(artifactStore(), 'second attempt')
    expect(artifactService.deleteArtifact).toHaveBeenCalledWith('codex-thread-pr-7')
    expect(artifactService.uploadArtifact).toHaveBeenCalledTimes(2)
    expect(await artifactStore().load(KEY, open)).toBe('second attempt')
  })

  it('prunes the older artifacts of the key, or says how long they stay', async () => {
    await savedBy(artifactStore(), 'one')
    await savedBy(artifactStore(), 'two')
    const other = addArtifact('codex-thread-pr-70')
    const store = artifactStore()
    await savedBy(store, 'three')
    const three = github.artifacts.at(-1)!
    await store.prune(KEY)
    expect(github.artifacts.map((artifact) => artifact.id)).toEqual([other.id, three.id])
    expect(await artifactStore().load(KEY, open)).toBe('three')

    const kept = artifactStore()
    await savedBy(kept, 'four')
    github.fail({ method: 'DELETE', path: /actions\/artifacts\/\d+$/, status: 403, times: 1 })
    await kept.prune(KEY)
    expect(logged.at(-1)).toMatch(
      /1 older artifact\(s\) of codex-thread-pr-7 were not deleted \(.*\(the token needs actions: write\)\): they are kept until they expire, the last on 2031-01-01T00:00:00Z/
    )
  })
})

describe('the directory store', () => {
  it('keeps bundles in a folder per key, loads the newest that opens and prunes older ones', async () => {
    const root = tempDir('store')
    const store = (runId: string) => new DirectoryBundleStore(root, { runId, runAttempt: '1' })
    expect(await store('1').load(KEY, open)).toBeUndefined()

    await savedBy(store('1'), 'first')
    await new Promise((resolve) => setTimeout(resolve, 5))
    await savedBy(store('2'), 'foreign', 'another-secret')
    expect(await store('3').load(KEY, open)).toBe('first')

    const latest = store('4')
    await new Promise((resolve) => setTimeout(resolve, 5))
    await savedBy(latest, 'latest')
    await latest.prune(KEY)
    const names = readdirSync(path.join(root, KEY))
    expect(names).toHaveLength(1)
    expect(names[0]).toMatch(/^\d{15}-4-1\.bundle$/)
    expect(await store('5').load(KEY, open)).toBe('latest')
    expect(await store('5').load('pr-8', open)).toBeUndefined()
  })
})
