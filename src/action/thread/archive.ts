import { rm } from 'node:fs/promises'
import type { RunContext } from '../core/context.js'
import type { Octokit } from '../github/octokit.js'
import type { Settings } from '../settings/settings.js'
import { openBundle, packBundle, restoreSessions, sessionFiles, type OpenedBundle } from './bundle.js'
import { DirectoryBundleStore } from './stores/directory.js'
import { createStorageApi } from './stores/storageApi.js'
import type { BundleStore } from './stores/store.js'
import { mergeTranscripts, type Transcript } from './transcript.js'

export interface ThreadArchiveSettings {
  key: string
  settings: Pick<Settings, 'threadStore' | 'threadStorePath' | 'threadSecret' | 'apiKey' | 'githubToken'>
  context: Pick<RunContext, 'repository' | 'runId' | 'runAttempt' | 'tempDir' | 'serverUrl'>
  /** The GitHub client the artifact and cache stores list and prune with; undefined without a token. */
  octokit?: Octokit
  codexHome: string
  log: ThreadArchiveOptions['log']
}

/**
 * The key's archive in the chosen store, sealed with thread-secret or else the API key. The store's
 * client library loads meanwhile: the archive is used at once, and waits for it when it reads.
 */
export function createThreadArchive({
  key,
  settings,
  context,
  octokit,
  codexHome,
  log
}: ThreadArchiveSettings): ThreadArchive {
  const workDir = context.tempDir
  const secret = settings.threadSecret ?? settings.apiKey
  if (!secret)
    log.warning(
      'Neither thread-secret nor an API key to seal the session and sign the record with: neither is kept, ' +
        'and every run starts a new thread'
    )
  const vault =
    secret &&
    createBundleStore(settings, context, octokit, log).then(
      (store) => store && { store, secret },
      (error: Error) => {
        log.warning(`Could not load the ${settings.threadStore} store: ${error.message}; the session is not kept`)
        return undefined
      }
    )
  return new ThreadArchive({ key, vault: vault || undefined, codexHome, workDir, log })
}

async function createBundleStore(
  settings: ThreadArchiveSettings['settings'],
  context: ThreadArchiveSettings['context'],
  octokit: Octokit | undefined,
  log: ThreadArchiveOptions['log']
): Promise<BundleStore | undefined> {
  if (settings.threadStore === 'directory') return new DirectoryBundleStore(settings.threadStorePath!, context)
  if (!octokit) {
    log.warning(
      `Input "github-token" is empty: the ${settings.threadStore} store cannot be reached, so the session is not kept`
    )
    return undefined
  }
  if (settings.threadStore === 'artifact' && onEnterpriseServer(context.serverUrl)) {
    log.warning(
      `thread-store "artifact" is not available on GitHub Enterprise Server (${context.serverUrl}): its artifact ` +
        'service (v4) is GitHub.com\'s, so the session is not kept. Set thread-store to "cache" or "directory"'
    )
    return undefined
  }
  const { owner, repo } = context.repository
  const api = createStorageApi(octokit, owner, repo)
  const workDir = context.tempDir
  // @actions/cache and @actions/artifact each take ~100 ms and tens of MiB to load: only the store
  // in use is imported (ncc puts each in a chunk of its own beside dist/index.js)
  if (settings.threadStore === 'cache') {
    const { CacheBundleStore } = await import('./stores/cache.js')
    return new CacheBundleStore({ api, run: context, workDir, log: log.info })
  }
  const { ArtifactBundleStore } = await import('./stores/artifact.js')
  return new ArtifactBundleStore({ api, token: settings.githubToken, owner, repo, workDir, log: log.info })
}

/** As @actions/artifact tells GHES (which it refuses): neither github.com, nor GHE.com (*.ghe.com), nor *.localhost. */
function onEnterpriseServer(serverUrl: string): boolean {
  let host = 'github.com'
  try {
    host = new URL(serverUrl).hostname.toLowerCase()
  } catch {
    // a server URL that does not parse is taken for github.com's
  }
  return host !== 'github.com' && !host.endsWith('.ghe.com') && !host.endsWith('.localhost')
}

interface Vault {
  store: BundleStore
  secret: string
}

export interface ThreadArchiveOptions {
  key: string
  /**
   * Where sealed bundles are kept, with the secret that seals them; undefined: nowhere. A promise
   * while the store's client library loads.
   */
  vault?: Vault | Promise<Vault | undefined>
  codexHome: string
  /** Scratch space for bundles (RUNNER_TEMP). */
  workDir: string
  // properties, not methods: the stores are handed `log.info` on its own
  log: { info: (message: string) => void; warning: (message: string) => void }
}

export interface LoadedThread {
  /** The stored and the comment's records, merged. */
  record: Transcript
  /** The thread to resume, whose session is now in codex home; undefined: start a new one. */
  resumeId?: string
}

/** What a thread key remembers between runs: its record, and codex's session of the thread. */
export class ThreadArchive {
  /** A store that failed once in this run is not asked again. */
  #storeFailed = false

  constructor(private readonly options: ThreadArchiveOptions) {}

  /**
   * Finds the key's thread; `commentRecord` is the record in the sticky comment, if any, which may
   * still be on its way: the store is read meanwhile.
   */
  async load(commentRecord?: Transcript | Promise<Transcript | undefined>): Promise<LoadedThread> {
    const { key, codexHome, log } = this.options
    const [bundle, fromComment, vault] = await Promise.all([this.#loadBundle(), commentRecord, this.options.vault])
    try {
      const record = mergeTranscripts(key, bundle?.record, fromComment)
      const id = record.threadId
      if (!id) {
        log.info(`Thread ${key}: no earlier turns, starting a new thread`)
        return { record }
      }
      // a persistent codex home (self-hosted runner) already has the freshest session
      if ((await sessionFiles(codexHome, id)).length) {
        log.info(`Thread ${key}: resuming ${id} with the session already in codex-home`)
        return { record, resumeId: id }
      }
      if (bundle && (await restoreSessions(bundle, id, codexHome))) {
        log.info(`Thread ${key}: resuming ${id} with its session from ${vault!.store.label}`)
        return { record, resumeId: id }
      }
      const where = vault ? `in codex-home nor in ${vault.store.label}` : 'in codex-home and no store is used'
      log.info(
        `Thread ${key}: the session of ${id} is not ${where}; starting a new thread seeded with the ` +
          `transcript of ${record.turns.length} earlier turn(s)`
      )
      return { record }
    } finally {
      if (bundle) await rm(bundle.dir, { recursive: true, force: true })
    }
  }

  /** The record of the newest bundle in the store now: what a run of the thread that ended meanwhile saved. */
  async latestRecord(): Promise<Transcript | undefined> {
    const bundle = await this.#loadBundle()
    if (bundle) await rm(bundle.dir, { recursive: true, force: true })
    return bundle?.record
  }

  /** Seals the record with the thread's session and saves it, then prunes older bundles. Never throws. */
  async save(record: Transcript): Promise<void> {
    const { key, codexHome, workDir, log } = this.options
    const vault = await this.options.vault
    if (!vault) return
    try {
      const started = Date.now()
      const bundle = await packBundle(record, codexHome, vault.secret, workDir)
      await vault.store.save(key, bundle)
      log.info(
        `Thread ${key}: saved ${record.threadId ?? 'the record'} to ${vault.store.label} ` +
          `(${(bundle.length / 1024).toFixed(1)} KiB sealed, ${Date.now() - started} ms)`
      )
    } catch (error) {
      log.warning(`Could not save thread ${key} to ${vault.store.label}: ${(error as Error).message}`)
      return
    }
    await vault.store
      .prune(key)
      .catch((error: Error) => log.warning(`Could not prune older bundles of thread ${key}: ${error.message}`))
  }

  async #loadBundle(): Promise<OpenedBundle | undefined> {
    const { key, workDir, log } = this.options
    const vault = await this.options.vault
    if (!vault || this.#storeFailed) return undefined
    try {
      return await vault.store.load(key, (sealed) => openBundle(sealed, key, vault.secret, workDir))
    } catch (error) {
      this.#storeFailed = true
      log.warning(`Could not load thread ${key} from ${vault.store.label}: ${(error as Error).message}`)
      return undefined
    }
  }
}
