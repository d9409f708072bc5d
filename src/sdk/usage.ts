import { readdirSync, statSync, type Dirent } from 'node:fs'
import { open } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { isPlainObject } from '../shared/checks.js'
import { isUsage, type Usage } from './events.js'

// codex keeps each thread in `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<thread id>.jsonl` and,
// after every model response (compaction requests included), appends a `token_count` event whose
// `total_token_usage` is the thread's running total: what `turn.completed` reports on a resumed
// thread, and where a resumed codex starts counting from.

/** Where codex keeps its threads for a process with this environment. */
export function sessionsDir(env: Record<string, string | undefined>): string {
  return path.join(env.CODEX_HOME || path.join(env.HOME || os.homedir(), '.codex'), 'sessions')
}

/** A thread's session file as it stood at one moment: codex only ever appends to it. */
export interface RecordedSession {
  file: string
  bytes: number
}

/**
 * The thread's session file and its current size, or null when codex has none for it. Synchronous
 * (a few directory reads) so that the size is taken before codex, started next, appends the turn.
 */
export function findSession(sessions: string, threadId: string): RecordedSession | null {
  const file = findFile(sessions, `-${threadId}.jsonl`)
  return file ? { file, bytes: statSync(file).size } : null
}

/**
 * The thread's running total as codex recorded it in the first `session.bytes` bytes of its
 * session file: the last `token_count` total there, or zero when no model response was recorded.
 */
export async function recordedTotal(session: RecordedSession): Promise<Usage> {
  const handle = await open(session.file)
  let text: string
  try {
    const buffer = Buffer.alloc(session.bytes)
    const { bytesRead } = await handle.read(buffer, 0, session.bytes, 0)
    text = buffer.toString('utf8', 0, bytesRead)
  } finally {
    await handle.close()
  }
  let total: Usage = { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0 }
  for (const line of text.split('\n')) {
    // most lines are history; only token counts need parsing
    if (!line.includes('"token_count"')) continue
    let raw: unknown
    try {
      raw = JSON.parse(line)
    } catch {
      continue
    }
    total = tokenCountTotal(raw) ?? total
  }
  return total
}

/**
 * `total` less `before`, counter by counter (counters `before` lacks count from zero); null when
 * a counter would go negative: the two totals are not of the same thread.
 */
export function usageSince(total: Usage, before: Usage): Usage | null {
  const earlier = new Map<string, unknown>(Object.entries(before))
  const since: Usage = { ...total }
  // every numeric counter, those a newer codex adds included
  for (const [key, value] of Object.entries(total)) {
    const was = earlier.get(key)
    if (typeof value !== 'number' || typeof was !== 'number') continue
    if (was > value) return null
    Object.assign(since, { [key]: value - was })
  }
  return since
}

/** The running total of an `event_msg` line whose payload is a `token_count` with info. */
function tokenCountTotal(line: unknown): Usage | undefined {
  if (!isPlainObject(line) || line.type !== 'event_msg') return undefined
  const payload = line.payload
  if (!isPlainObject(payload) || payload.type !== 'token_count' || !isPlainObject(payload.info)) return undefined
  const total = payload.info.total_token_usage
  return isUsage(total) ? total : undefined
}

function findFile(dir: string, suffix: string): string | null {
  let entries: Dirent[]
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return null
  }
  const file = entries.find((entry) => entry.isFile() && entry.name.endsWith(suffix))
  if (file) return path.join(dir, file.name)
  // the folders are dates: newest first finds a recent thread sooner
  const dirs = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name)
  for (const name of dirs.sort().reverse()) {
    const found = findFile(path.join(dir, name), suffix)
    if (found) return found
  }
  return null
}
