import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { LOAD_CANDIDATES, type RunIdentity, type BundleStore } from './store.js'

/** Bundle names sort by when they were saved: a zero-padded epoch in milliseconds comes first. */
const BUNDLE_NAME = /^\d{15}-[\w.-]+\.bundle$/

/** A folder on a disk that outlives the run: self-hosted runners, local runs, tests. */
export class DirectoryBundleStore implements BundleStore {
  readonly label: string
  #saved?: string

  constructor(
    private readonly root: string,
    private readonly run: RunIdentity
  ) {
    this.label = `the directory ${root}`
  }

  async load<T>(key: string, open: (bundle: Buffer) => Promise<T | undefined>): Promise<T | undefined> {
    for (const name of (await this.#bundles(key)).slice(0, LOAD_CANDIDATES)) {
      const opened = await open(await readFile(path.join(this.root, key, name)))
      if (opened !== undefined) return opened
    }
    return undefined
  }

  async save(key: string, bundle: Buffer): Promise<void> {
    const dir = path.join(this.root, key)
    await mkdir(dir, { recursive: true })
    const name = `${String(Date.now()).padStart(15, '0')}-${this.run.runId}-${this.run.runAttempt}.bundle`
    // written aside and renamed, so a run reading at the same time never sees half a bundle
    const partial = path.join(dir, `.${name}.partial`)
    await writeFile(partial, bundle)
    await rename(partial, path.join(dir, name))
    this.#saved = name
  }

  async prune(key: string): Promise<void> {
    const saved = this.#saved
    if (saved === undefined) return
    const older = (await this.#bundles(key)).filter((name) => name < saved)
    await Promise.all(older.map((name) => rm(path.join(this.root, key, name), { force: true })))
  }

  /** The key's bundles, newest first. */
  async #bundles(key: string): Promise<string[]> {
    try {
      const names = await readdir(path.join(this.root, key))
      return names.filter((name) => BUNDLE_NAME.test(name)).sort((a, b) => b.localeCompare(a))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }
  }
}
