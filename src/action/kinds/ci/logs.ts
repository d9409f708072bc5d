import { createReadStream, createWriteStream } from 'node:fs'
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Redactor } from '../../core/redact.js'

/**
 * How much of a failed job's log the agent is lent. A log up to `keepBytes` is kept whole; a
 * longer one keeps the lines around each `##[error]` (up to `errorBytes` of them) and its last
 * `tailBytes`, with a line saying what was left out wherever lines were.
 */
export interface LogLimits {
  keepBytes: number
  tailBytes: number
  errorBytes: number
  /** Lines kept before and after each `##[error]` line: the failing output comes before the error. */
  errorBefore: number
  errorAfter: number
  /**
   * The longest line kept of a log past `keepBytes`: a longer one (a minified bundle, a dump on one
   * line) is left out where it was, so that no line is ever held whole in memory. 64 KiB if unset.
   */
  lineBytes?: number
}

const MIB = 1024 * 1024

export const LOG_LIMITS: LogLimits = {
  keepBytes: 2 * MIB,
  tailBytes: 1 * MIB,
  errorBytes: 1 * MIB,
  errorBefore: 30,
  errorAfter: 10,
  lineBytes: 64 * 1024
}

/** A failed job's log as the agent gets it. */
export interface KeptLog {
  path: string
  /** The kept file's size. */
  bytes: number
  /** The log's size as GitHub served it. */
  originalBytes: number
  /** Lines not kept (0 when the log is whole). */
  linesLeftOut: number
}

/**
 * The folder the logs go in: world-readable, so that codex running as its own user (isolation)
 * can read and grep it, inside a parent only this run's user may list, named at random, so that no
 * other user of the machine finds it. Every log in it is redacted first.
 */
export async function makeLogFolder(tempDir: string): Promise<string> {
  const parent = await mkdtemp(path.join(tempDir, 'ci-logs-'))
  await chmod(parent, 0o711)
  const folder = path.join(parent, 'logs')
  await mkdir(folder, { mode: 0o755 })
  // the umask may have narrowed it
  await chmod(folder, 0o755)
  return folder
}

/**
 * Saves `source` (a job's log) as `folder/name`, bounded by `limits` and with every secret the run
 * knows redacted, line by line: the log is hostile text, and what the agent reads it may repeat.
 */
export async function keepLog(
  source: Readable,
  folder: string,
  name: string,
  redactor: Redactor,
  limits: LogLimits = LOG_LIMITS
): Promise<KeptLog> {
  const file = path.join(folder, name)
  // the raw log, unredacted, goes where only this user can read it (the folder's private parent)
  const raw = path.join(path.dirname(folder), `.${name}.raw`)
  try {
    await pipeline(source, createWriteStream(raw, { mode: 0o600 }))
    const originalBytes = (await stat(raw)).size
    let linesLeftOut = 0
    if (originalBytes <= limits.keepBytes) {
      const text = await readFile(raw, 'utf8')
      await writeFile(
        file,
        text
          .split('\n')
          .map((line) => redactor.redact(line))
          .join('\n'),
        { mode: 0o644 }
      )
    } else linesLeftOut = await writeBounded(raw, file, originalBytes, redactor, limits)
    await chmod(file, 0o644)
    return { path: file, bytes: (await stat(file)).size, originalBytes, linesLeftOut }
  } finally {
    await rm(raw, { force: true })
  }
}

/** A line of the raw log: its text, or undefined when it is longer than a kept line (`bytes` long then). */
interface LogLine {
  text: string | undefined
  bytes: number
}

/**
 * The file's lines (`\n` or `\r\n`), each read up to `lineBytes`: a longer line is counted, not held.
 * Lines split at `\n` bytes, which UTF-8 never has inside a character.
 */
async function* lines(file: string, lineBytes: number): AsyncGenerator<LogLine> {
  let parts: Buffer[] = []
  let held = 0
  let bytes = 0
  const line = (): LogLine => {
    const read = { text: held === bytes ? Buffer.concat(parts).toString('utf8').replace(/\r$/, '') : undefined, bytes }
    parts = []
    held = bytes = 0
    return read
  }
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let from = 0
    for (let end = chunk.indexOf(10); ; end = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, end === -1 ? chunk.length : end)
      bytes += piece.length
      if (held === bytes - piece.length && bytes <= lineBytes) {
        parts.push(piece)
        held = bytes
      } else parts = []
      if (end === -1) break
      yield line()
      from = end + 1
    }
  }
  if (bytes) yield line()
}

/** Two passes over the raw log: which lines to keep, then those lines. Returns how many were left out. */
async function writeBounded(
  raw: string,
  file: string,
  originalBytes: number,
  redactor: Redactor,
  limits: LogLimits
): Promise<number> {
  const lineBytes = limits.lineBytes ?? 64 * 1024
  const sizes: number[] = []
  const errors: number[] = []
  for await (const { text, bytes } of lines(raw, lineBytes)) {
    if (text?.includes('##[error]')) errors.push(sizes.length)
    sizes.push(text === undefined ? Buffer.byteLength(longLine(bytes)) : bytes + 1)
  }
  const keep = new Uint8Array(sizes.length)
  let tailStart = sizes.length
  for (let room = limits.tailBytes; tailStart > 0 && sizes[tailStart - 1]! <= room;) room -= sizes[--tailStart]!
  keep.fill(1, tailStart)
  let errorRoom = limits.errorBytes
  let errorsLeftOut = 0
  for (const at of errors) {
    if (at >= tailStart) break
    const from = Math.max(0, at - limits.errorBefore)
    const to = Math.min(sizes.length, at + limits.errorAfter + 1)
    let bytes = 0
    for (let index = from; index < to; index++) if (!keep[index]) bytes += sizes[index]!
    if (bytes > errorRoom) {
      errorsLeftOut++
      continue
    }
    errorRoom -= bytes
    keep.fill(1, from, to)
  }
  const kept = keep.reduce((sum, flag) => sum + flag, 0)
  const leftOut = sizes.length - kept
  const header =
    `[codex-thread-action: this log is ${mib(originalBytes)} MiB, more than the ${mib(limits.keepBytes)} MiB kept of a log. ` +
    `Kept: the ${limits.errorBefore} lines before and ${limits.errorAfter} after each ##[error] line` +
    `${errorsLeftOut ? ` (${errorsLeftOut} of ${errors.length} left out, past ${mib(limits.errorBytes)} MiB)` : ''}` +
    ` and the last ${mib(limits.tailBytes)} MiB. Left out: ${leftOut} of ${sizes.length} lines, marked where they were.]`
  async function* keptLines(): AsyncGenerator<string> {
    yield `${header}\n`
    let index = 0
    let gap = 0
    for await (const { text, bytes } of lines(raw, lineBytes)) {
      if (keep[index++]) {
        if (gap) yield `[codex-thread-action: ${gap} lines left out]\n`
        gap = 0
        yield text === undefined ? longLine(bytes) : `${redactor.redact(text)}\n`
      } else gap++
    }
    if (gap) yield `[codex-thread-action: ${gap} lines left out]\n`
  }
  await pipeline(keptLines, createWriteStream(file, { mode: 0o644 }))
  return leftOut
}

function longLine(bytes: number): string {
  return `[codex-thread-action: a line of ${bytes} bytes left out]\n`
}

function mib(bytes: number): string {
  return (bytes / MIB).toFixed(1)
}
