import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { create, extract } from 'tar'
import { seal, unseal } from './seal.js'
import { parseTranscript, type Transcript } from './transcript.js'

/**
 * A bundle is what one run leaves for the next: the thread record and codex's session files of
 * the thread (`$CODEX_HOME/sessions/…/rollout-…-<thread id>.jsonl`, all `codex exec resume` needs),
 * packed with tar and sealed (bundleCrypto), since the session holds everything the agent saw.
 */
const RECORD_FILE = 'record.json'
const SESSIONS_DIR = 'sessions'

export interface OpenedBundle {
  record: Transcript
  /** Where the bundle was unpacked; its sessions/ mirrors a codex home's. */
  dir: string
}

/** The session files of `threadId` in a codex home, relative to it. */
export async function sessionFiles(codexHome: string, threadId: string): Promise<string[]> {
  let entries: string[]
  try {
    entries = await readdir(path.join(codexHome, SESSIONS_DIR), { recursive: true })
  } catch {
    return []
  }
  return entries
    .filter((entry) => path.basename(entry).endsWith(`-${threadId}.jsonl`))
    .map((entry) => path.join(SESSIONS_DIR, entry))
    .sort()
}

/** Packs and seals the record with the sessions of its thread found in `codexHome`. */
export async function packBundle(
  record: Transcript,
  codexHome: string,
  secret: string,
  workDir: string
): Promise<Buffer> {
  const staging = await mkdtemp(path.join(workDir, 'codex-bundle-'))
  try {
    const files = record.threadId ? await sessionFiles(codexHome, record.threadId) : []
    await writeFile(path.join(staging, RECORD_FILE), JSON.stringify(record))
    for (const file of files) await cp(path.join(codexHome, file), path.join(staging, file))
    const archive = path.join(workDir, `${path.basename(staging)}.tgz`)
    await create({ gzip: true, portable: true, file: archive, cwd: staging }, [RECORD_FILE, ...files])
    try {
      return await seal(await readFile(archive), secret, record.key)
    } finally {
      await rm(archive, { force: true })
    }
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
}

/**
 * Unseals and unpacks a bundle into a new folder under `workDir`. Undefined when it does not open
 * (another secret, another key, damaged): such a bundle counts as missing.
 */
export async function openBundle(
  sealed: Buffer,
  threadKey: string,
  secret: string,
  workDir: string
): Promise<OpenedBundle | undefined> {
  const plain = await unseal(sealed, secret, threadKey)
  if (!plain) return undefined
  const dir = await mkdtemp(path.join(workDir, 'codex-bundle-'))
  const archive = `${dir}.tgz`
  try {
    await writeFile(archive, plain)
    await extract({
      file: archive,
      cwd: dir,
      filter: (entry) => entry === RECORD_FILE || entry.startsWith(`${SESSIONS_DIR}/`)
    })
    const record = parseTranscript(await readFile(path.join(dir, RECORD_FILE), 'utf8'))
    if (record?.key === threadKey) return { record, dir }
  } catch {
    // a sealed bundle that does not unpack is as good as none
  } finally {
    await rm(archive, { force: true })
  }
  await rm(dir, { recursive: true, force: true })
  return undefined
}

/** Copies the bundle's sessions of `threadId` into `codexHome`; false when it has none. */
export async function restoreSessions(bundle: OpenedBundle, threadId: string, codexHome: string): Promise<boolean> {
  const files = await sessionFiles(bundle.dir, threadId)
  for (const file of files) await cp(path.join(bundle.dir, file), path.join(codexHome, file), { force: false })
  return files.length > 0
}
