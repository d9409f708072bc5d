import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { lstat, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

/** The way to what the agent reaches, open while this run needs it. */
export interface Ways {
  /** This run no longer needs the way: each folder no other run holds gets its mode back. */
  close(): Promise<void>
}

export interface WaysOptions {
  chmod(dir: string, mode: number): Promise<void>
  /** The registry folder; default: one per user of this machine in the system temp folder. */
  dir?: string
}

/** What the registry knows of a folder it opened: the mode it had, and the runs that need it open. */
interface Opened {
  mode: number
  holders: string[]
}
type Registry = Record<string, Opened>

/**
 * Opens each of `dirs` that others cannot pass through (o+x only: pass, not list), noting it in a
 * registry that every run of this machine (this user's) shares, under a lock. Several runners on one
 * machine share the folders above their workspaces: a folder gets its mode back when the last run
 * holding it closes, never while another run's agent still passes through it. A run that died
 * without closing is dropped from the registry by the next run that closes.
 */
export async function openWays(dirs: readonly string[], options: WaysOptions): Promise<Ways> {
  const registry = await ownRegistry(
    options.dir ?? path.join(os.tmpdir(), `codex-thread-action-ways-${process.getuid!()}`)
  )
  const holder = `${process.pid}:${randomBytes(6).toString('hex')}`
  await withLock(registry, async (state) => {
    for (const dir of new Set(dirs)) {
      const { mode } = await stat(dir)
      const opened = state[dir]
      if (opened) opened.holders.push(holder)
      // open already, and not by a run: nothing to hold
      else if ((mode & 0o001) !== 0) continue
      else state[dir] = { mode: mode & 0o7777, holders: [holder] }
      // noted before it is opened: a run that dies in between leaves a note the next one acts on
      await save(registry, state)
      if ((mode & 0o001) === 0) await options.chmod(dir, (mode & 0o7777) | 0o001)
    }
  })
  return {
    close: () =>
      withLock(registry, async (state) => {
        // the deepest first, so each folder is reached while its mode is set
        for (const dir of Object.keys(state).sort((a, b) => b.length - a.length)) {
          const opened = state[dir]!
          opened.holders = opened.holders.filter((other) => other !== holder && alive(other))
          if (opened.holders.length > 0) continue
          await options.chmod(dir, opened.mode).catch((error: NodeJS.ErrnoException) => {
            if (error.code !== 'ENOENT') throw error
          })
          delete state[dir]
        }
        await save(registry, state)
      })
  }
}

/** The registry folder, made if missing; refused unless this user's alone, since it says what modes to set. */
async function ownRegistry(dir: string): Promise<string> {
  await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error
  })
  const found = await lstat(dir)
  if (!found.isDirectory() || found.uid !== process.getuid!() || (found.mode & 0o022) !== 0)
    throw new Error(`${dir} must be a folder of this user's that no one else can write in`)
  return dir
}

/** Runs `update` on the registry while holding its lock (flock(1): released by the kernel if this process dies). */
async function withLock(dir: string, update: (state: Registry) => Promise<void>): Promise<void> {
  const lock = spawn('flock', ['-x', path.join(dir, 'lock'), '/bin/sh', '-c', 'echo locked; exec cat'], {
    stdio: ['pipe', 'pipe', 'pipe']
  })
  const exited = once(lock, 'exit')
  let stderr = ''
  lock.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  await new Promise<void>((resolve, reject) => {
    lock.stdout.once('data', () => resolve())
    lock.once('error', reject)
    lock.once('exit', (code) => reject(new Error(`flock on ${dir} failed (${String(code)}): ${stderr.trim()}`)))
  })
  try {
    await update(await load(dir))
  } finally {
    lock.stdin.end()
    await exited.catch(() => undefined)
  }
}

async function load(dir: string): Promise<Registry> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'ways.json'), 'utf8')) as Registry
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw error
  }
}

async function save(dir: string, state: Registry): Promise<void> {
  const next = path.join(dir, `ways.json.${process.pid}`)
  await writeFile(next, JSON.stringify(state))
  await rename(next, path.join(dir, 'ways.json'))
}

/** Whether the run that took `holder` may still be running: its process exists (of any user). */
function alive(holder: string): boolean {
  try {
    process.kill(Number(holder.split(':')[0]), 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
