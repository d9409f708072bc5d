import { spawn } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import readline from 'node:readline'
import { execFileAsync } from '../shared/exec.js'

interface ProcessRequest {
  executable: string
  args: string[]
  env: Record<string, string>
  /** Written to stdin, which is then closed. */
  stdin: string
  signal?: AbortSignal
}

interface ProcessExit {
  exitCode: number | null
  signal: NodeJS.Signals | null
  /** The last STDERR_TAIL_BYTES of stderr. */
  stderr: string
  /** Set when the process could not be started at all. */
  spawnError?: NodeJS.ErrnoException
}

interface RunningProcess {
  /** stdout, a line at a time; ends when the process's stdout closes. */
  lines: AsyncIterable<string>
  exit: Promise<ProcessExit>
  /** Ends the process and every process it started; resolves once they are gone (at most ~2 s). */
  kill(): Promise<void>
}

const STDERR_TAIL_BYTES = 16 * 1024
const TERM_GRACE_MS = 1000
const STDOUT_DRAIN_MS = 2000
const FREEZE_ROUNDS = 5

/**
 * Starts codex in a process group of its own. Aborting the signal kills the whole tree: the group
 * and every descendant (frozen first, so none is missed), since commands the agent starts may run
 * in sessions of their own that a group kill would miss.
 */
export function startProcess(request: ProcessRequest): RunningProcess {
  const child = spawn(request.executable, request.args, {
    env: request.env,
    detached: process.platform !== 'win32',
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let stderr = Buffer.alloc(0)
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = Buffer.concat([stderr, chunk])
    if (stderr.length > STDERR_TAIL_BYTES) stderr = stderr.subarray(stderr.length - STDERR_TAIL_BYTES)
  })
  // codex may exit before reading all of stdin (a failed start); that is reported through exit.
  child.stdin.on('error', () => {})
  child.stdin.end(request.stdin)
  const lines = readline.createInterface({ input: child.stdout, crlfDelay: Infinity })

  let exited = false
  const exit = new Promise<ProcessExit>((resolve) => {
    child.once('error', (spawnError: NodeJS.ErrnoException) => {
      exited = true
      resolve({ exitCode: null, signal: null, stderr: stderr.toString('utf8'), spawnError })
    })
    child.once('exit', (exitCode, signal) => {
      exited = true
      // A leftover descendant holding stdout open must not keep the turn waiting forever. Lines
      // already read are still delivered; destroying stdout alone would not end `lines`.
      if (!child.stdout.closed) {
        const drain = setTimeout(() => {
          lines.close()
          child.stdout.destroy()
        }, STDOUT_DRAIN_MS)
        child.stdout.once('close', () => clearTimeout(drain))
      }
      resolve({ exitCode, signal, stderr: stderr.toString('utf8') })
    })
  })

  let killing: Promise<void> | undefined
  const kill = (): Promise<void> => {
    killing ??= child.pid === undefined || exited ? Promise.resolve() : killTree(child.pid, exit)
    return killing
  }
  const onAbort = (): void => void kill()
  if (request.signal?.aborted) onAbort()
  else request.signal?.addEventListener('abort', onAbort, { once: true })
  void exit.then(() => request.signal?.removeEventListener('abort', onAbort))

  return { lines, exit, kill }
}

async function killTree(pid: number, exit: Promise<ProcessExit>): Promise<void> {
  const tree = await freezeTree(pid)
  // A stopped process keeps SIGTERM pending and acts on it as soon as it is continued.
  signalAll(-pid, tree, 'SIGTERM')
  signalAll(-pid, tree, 'SIGCONT')
  const gone = await Promise.race([exit.then(() => true), delay(TERM_GRACE_MS).then(() => false)])
  // codex's own exit does not mean its commands are gone: finish off whatever is left.
  const stragglers = tree.filter(isAlive)
  if (!gone || stragglers.length) signalAll(-pid, stragglers, 'SIGKILL')
  await Promise.race([exit, delay(TERM_GRACE_MS)])
}

/**
 * Stops `root`'s group and every descendant, rescanning until no new one appears: a stopped
 * process cannot fork, so nothing started while /proc is read escapes as an orphan.
 */
async function freezeTree(root: number): Promise<number[]> {
  const tree = new Set([root])
  signalAll(-root, [root], 'SIGSTOP')
  for (let round = 0; round < FREEZE_ROUNDS; round++) {
    const found = (await descendantsOf(root)).filter((pid) => !tree.has(pid))
    if (!found.length) break
    for (const pid of found) tree.add(pid)
    signalAll(-root, found, 'SIGSTOP')
  }
  return [...tree]
}

function signalAll(group: number, pids: number[], signal: NodeJS.Signals): void {
  for (const target of [group, ...pids]) {
    try {
      process.kill(target, signal)
    } catch {
      // already gone
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Every process below `root`, read from /proc on Linux and from ps elsewhere. */
async function descendantsOf(root: number): Promise<number[]> {
  const parents = await parentTable()
  const children = new Map<number, number[]>()
  for (const [pid, ppid] of parents) children.set(ppid, [...(children.get(ppid) ?? []), pid])
  const found: number[] = []
  const queue = [root]
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child)
      queue.push(child)
    }
  }
  return found
}

async function parentTable(): Promise<Array<[number, number]>> {
  if (process.platform === 'linux') {
    const entries = await readdir('/proc').catch(() => [] as string[])
    const rows = await Promise.all(
      entries
        .filter((name) => /^\d+$/.test(name))
        .map(async (name): Promise<[number, number] | undefined> => {
          const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '')
          // the command name in parentheses may hold spaces: the fields after it are fixed
          const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
          return Number.isInteger(ppid) ? [Number(name), ppid] : undefined
        })
    )
    return rows.filter((row): row is [number, number] => row !== undefined)
  }
  try {
    const { stdout } = await execFileAsync('ps', ['-A', '-o', 'pid=,ppid='])
    return stdout
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/).map(Number) as [number, number])
  } catch {
    return []
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}
