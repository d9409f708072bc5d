import { DefaultArtifactClient } from '@actions/artifact'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { StorageApi, StoredArtifact } from './storageApi.js'
import { deleteEach, type StoreLog, type BundleStore } from './store.js'

const BUNDLE_FILE = 'bundle.bin'

/**
 * How many of the key's artifacts `load` tries, newest first. Only runs of the repository's own
 * branches count, so junk needs write access; the bound keeps a store full of bundles sealed with
 * an older secret to seconds (one REST call and one small download each).
 */
export const ARTIFACT_LOAD_CANDIDATES = 50

export function artifactName(key: string): string {
  return `codex-thread-${key}`
}

export interface ArtifactStoreOptions {
  api: StorageApi
  /** For downloads from other runs: needs `actions: read`. */
  token: string
  owner: string
  repo: string
  workDir: string
  log: StoreLog
}

/**
 * One artifact per run, all named after the key, found again through the REST API. Unlike a
 * cache, an artifact is visible to every workflow and event of the repository.
 */
export class ArtifactBundleStore implements BundleStore {
  readonly label = 'the artifact store'
  readonly #client = new DefaultArtifactClient()
  #savedId?: number
  /**
   * The artifact whose bundle opened: its id names it for good (a replacement gets a new id), so a
   * later load in the run that finds it still the newest does not download it again.
   */
  #opened?: { id: number; sealed: Buffer }
  /** Artifacts that hold no bundle this run can open: not downloaded twice. */
  readonly #passedOver = new Set<number>()

  constructor(private readonly options: ArtifactStoreOptions) {}

  async load<T>(key: string, open: (bundle: Buffer) => Promise<T | undefined>): Promise<T | undefined> {
    const { api, log } = this.options
    const live = (await api.listArtifacts(artifactName(key))).filter((artifact) => !artifact.expired)
    const candidates = live.filter(uploadedByThisRepository).sort((a, b) => b.id - a.id)
    if (candidates.length < live.length)
      log(`Ignored ${live.length - candidates.length} artifact(s) of ${artifactName(key)} uploaded by runs of forks`)
    for (const artifact of candidates.slice(0, ARTIFACT_LOAD_CANDIDATES)) {
      if (this.#passedOver.has(artifact.id)) continue
      const sealed = this.#opened?.id === artifact.id ? this.#opened.sealed : await this.#download(artifact)
      const opened = sealed && (await open(sealed))
      if (sealed && opened !== undefined) {
        this.#opened = { id: artifact.id, sealed }
        return opened
      }
      this.#passedOver.add(artifact.id)
      const what = `Artifact ${artifact.id} (${artifact.name}, ${artifact.createdAt})`
      log(
        sealed
          ? `${what} does not open with this run's secret`
          : `${what} holds no ${BUNDLE_FILE}: something else uploaded it under the thread's name`
      )
    }
    return undefined
  }

  /** The artifact's bundle; undefined when it holds none. */
  async #download(artifact: StoredArtifact): Promise<Buffer | undefined> {
    const { token, owner, repo } = this.options
    return this.#inTempDir(async (dir) => {
      await this.#client.downloadArtifact(artifact.id, {
        path: dir,
        findBy: { token, workflowRunId: artifact.workflowRun!.id, repositoryOwner: owner, repositoryName: repo }
      })
      return readFile(path.join(dir, BUNDLE_FILE)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined
        throw error
      })
    })
  }

  async save(key: string, bundle: Buffer): Promise<void> {
    const name = artifactName(key)
    await this.#inTempDir(async (dir) => {
      const file = path.join(dir, BUNDLE_FILE)
      await writeFile(file, bundle)
      // sealed bytes do not compress
      const upload = () => this.#client.uploadArtifact(name, [file], dir, { compressionLevel: 0 })
      let response
      try {
        response = await upload()
      } catch (error) {
        // A re-run, or an earlier step of this run, already saved the key: this bundle replaces it.
        const replaced = await this.#client.deleteArtifact(name).then(
          () => true,
          () => false
        )
        if (!replaced) throw error
        response = await upload()
      }
      this.#savedId = response.id
    })
  }

  async prune(key: string): Promise<void> {
    const savedId = this.#savedId
    if (savedId === undefined) return
    const { api, log } = this.options
    const older = (await api.listArtifacts(artifactName(key))).filter(
      (artifact) => artifact.id < savedId && !artifact.expired
    )
    const { kept, reason } = await deleteEach(older, (artifact) => api.deleteArtifact(artifact.id))
    if (!kept.length) return
    const until = kept
      .map((artifact) => artifact.expiresAt ?? '')
      .sort()
      .at(-1)
    log(
      `${kept.length} older artifact(s) of ${artifactName(key)} were not deleted (${reason}): they are kept ` +
        `until they expire${until ? `, the last on ${until}` : ''}`
    )
  }

  async #inTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(path.join(this.options.workDir, 'codex-artifact-'))
    try {
      return await use(dir)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/**
 * A fork PR's own workflow runs can upload artifacts of any name into the repository: only those
 * of runs whose commit came from this repository can be ours, and junk among them needs write access.
 */
function uploadedByThisRepository(artifact: StoredArtifact): boolean {
  const run = artifact.workflowRun
  return run?.headRepositoryId !== undefined && run.headRepositoryId === run.repositoryId
}
