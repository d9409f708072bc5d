import * as cache from '@actions/cache'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { StorageApi } from './storageApi.js'
import { deleteEach, type RunIdentity, type StoreLog, type BundleStore } from './store.js'

/** The trailing delimiter keeps `pr-1` from restoring `pr-12`'s caches. */
function cacheKeyPrefix(key: string): string {
  return `codex-thread-${key}-`
}

interface CacheStoreOptions {
  api: StorageApi
  run: RunIdentity
  workDir: string
  log: StoreLog
}

/**
 * @actions/cache, one entry per run attempt, restored by the key's prefix. A cache is scoped to the
 * ref that saved it (and readable from its base branch's), so runs of other events on the PR,
 * such as issue_comment, do not see it: the artifact store does not have that limit.
 */
export class CacheBundleStore implements BundleStore {
  readonly label = 'the Actions cache'
  #saved?: { key: string; at: string }

  constructor(private readonly options: CacheStoreOptions) {}

  /** The cache's version hashes the paths: every run must name the same one. */
  get #file(): string {
    return path.join(this.options.workDir, 'codex-thread-cache', 'bundle.bin')
  }

  async load<T>(key: string, open: (bundle: Buffer) => Promise<T | undefined>): Promise<T | undefined> {
    assertAvailable()
    const hit = await cache.restoreCache([this.#file], this.#cacheKey(key), [cacheKeyPrefix(key)])
    if (hit === undefined) return undefined
    const opened = await open(await readFile(this.#file))
    if (opened === undefined) this.options.log(`Cache ${hit} does not open with this run's secret`)
    return opened
  }

  async save(key: string, bundle: Buffer): Promise<void> {
    assertAvailable()
    await mkdir(path.dirname(this.#file), { recursive: true })
    await writeFile(this.#file, bundle)
    const at = new Date().toISOString()
    const cacheKey = this.#cacheKey(key)
    // @actions/cache reports its own failures in the log and answers -1
    if ((await cache.saveCache([this.#file], cacheKey)) === -1) throw new Error(`cache ${cacheKey} was not saved`)
    this.#saved = { key: cacheKey, at }
  }

  async prune(key: string): Promise<void> {
    const saved = this.#saved
    if (!saved) return
    const { api, log } = this.options
    // the prefix of pr-1 also lists pr-1-x's caches: only this key's own are candidates
    const own = new RegExp(`^${cacheKeyPrefix(key).replace(/[.]/g, '\\.')}\\d+-\\d+$`)
    const caches = (await api.listCaches(cacheKeyPrefix(key))).filter((entry) => own.test(entry.key))
    const cutoff = caches.find((entry) => entry.key === saved.key)?.createdAt ?? saved.at
    const older = caches.filter((entry) => entry.key !== saved.key && entry.createdAt < cutoff)
    const { kept, reason } = await deleteEach(older, (entry) => api.deleteCache(entry.id))
    if (!kept.length) return
    log(
      `${kept.length} older cache(s) of thread ${key} were not deleted (${reason}): GitHub evicts caches ` +
        'not used for 7 days'
    )
  }

  #cacheKey(key: string): string {
    return `${cacheKeyPrefix(key)}${this.options.run.runId}-${this.options.run.runAttempt}`
  }
}

function assertAvailable(): void {
  if (!cache.isFeatureAvailable()) throw new Error('the Actions cache service is not available to this run')
}
