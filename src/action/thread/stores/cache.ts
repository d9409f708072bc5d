import * as cache from '@actions/cache'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { StorageApi } from './storageApi.js'
import { deleteEach, type RunIdentity, type StoreLog, type BundleStore } from './store.js'

/**
 * The prefix of a thread's cache keys. The cache service restores the newest entry whose key
 * starts with a restore key, so the separator is one thread keys cannot hold: `docs` must not find
 * the entries of `docs-api`.
 */
function cacheKeyPrefix(key: string): string {
  return `codex-thread-${key}/`
}

/** Before the separator was `/`: `codex-thread-<key>-<run id>-<attempt>`, a prefix other threads' keys share. */
function legacyKeyPrefix(key: string): string {
  return `codex-thread-${key}-`
}

/** Whether a cache key is one of this thread's own entries, in either format. */
function isOwnEntry(key: string, cacheKey: string): boolean {
  return new RegExp(`^codex-thread-${key.replace(/\./g, '\\.')}[/-]\\d+-\\d+$`).test(cacheKey)
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
  /** The entry downloaded last: a later load in the run that finds it still the newest does not download it again. */
  #downloaded?: { key: string; sealed: Buffer }

  constructor(private readonly options: CacheStoreOptions) {}

  /** The cache's version hashes the paths: every run must name the same one. */
  get #file(): string {
    return path.join(this.options.workDir, 'codex-thread-cache', 'bundle.bin')
  }

  async load<T>(key: string, open: (bundle: Buffer) => Promise<T | undefined>): Promise<T | undefined> {
    assertAvailable()
    const entry = await this.#newestEntry(key)
    const sealed = entry && (await this.#download(entry))
    if (!sealed) return undefined
    const opened = await open(sealed)
    if (opened === undefined) this.options.log(`Cache ${entry} does not open with this run's secret`)
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
    // the listing also holds the caches of keys this one is a prefix of: only its own are candidates
    const caches = (await api.listCaches(`codex-thread-${key}`)).filter((entry) => isOwnEntry(key, entry.key))
    const cutoff = caches.find((entry) => entry.key === saved.key)?.createdAt ?? saved.at
    const older = caches.filter((entry) => entry.key !== saved.key && entry.createdAt < cutoff)
    const { kept, reason } = await deleteEach(older, (entry) => api.deleteCache(entry.id))
    if (!kept.length) return
    log(
      `${kept.length} older cache(s) of thread ${key} were not deleted (${reason}): GitHub evicts caches ` +
        'not used for 7 days'
    )
  }

  /**
   * The key of the thread's newest entry the service lets this run read. Entries in the legacy
   * format are found by a prefix other threads' keys share; when the service's newest match is
   * another thread's, the thread's own are looked up through the REST API.
   */
  async #newestEntry(key: string): Promise<string | undefined> {
    const matched = await cache.restoreCache(
      [this.#file],
      this.#cacheKey(key),
      [cacheKeyPrefix(key), legacyKeyPrefix(key)],
      {
        lookupOnly: true
      }
    )
    if (matched === undefined || isOwnEntry(key, matched)) return matched
    const { api, log } = this.options
    const own = await api.listCaches(legacyKeyPrefix(key)).then(
      (caches) =>
        caches.filter((entry) => isOwnEntry(key, entry.key)).sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
      (error: Error) => {
        log(`Could not list thread ${key}'s caches saved under the older key format: ${error.message}`)
        return []
      }
    )
    log(
      `Cache ${matched} is another thread's; ` +
        (own[0] ? `restoring ${own[0].key}, thread ${key}'s newest` : `thread ${key} has none of its own`)
    )
    return own[0]?.key
  }

  /** The entry's bundle; undefined when it is gone. */
  async #download(cacheKey: string): Promise<Buffer | undefined> {
    if (this.#downloaded?.key === cacheKey) return this.#downloaded.sealed
    if ((await cache.restoreCache([this.#file], cacheKey)) !== cacheKey) return undefined
    this.#downloaded = { key: cacheKey, sealed: await readFile(this.#file) }
    return this.#downloaded.sealed
  }

  #cacheKey(key: string): string {
    return `${cacheKeyPrefix(key)}${this.options.run.runId}-${this.options.run.runAttempt}`
  }
}

function assertAvailable(): void {
  if (!cache.isFeatureAvailable()) throw new Error('the Actions cache service is not available to this run')
}
