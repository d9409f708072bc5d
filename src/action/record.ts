import { z } from 'zod'

const TurnEntrySchema = z.object({
  at: z.string(),
  prompt: z.string(),
  response: z.string(),
  conclusion: z.string(),
  runUrl: z.string(),
  threadId: z.string().nullable()
})

const ThreadRecordSchema = z.object({
  version: z.literal(1),
  key: z.string(),
  threadId: z.string().nullable(),
  /** Newest first. */
  turns: z.array(TurnEntrySchema)
})

export type TurnEntry = z.infer<typeof TurnEntrySchema>
export type ThreadRecord = z.infer<typeof ThreadRecordSchema>

/** Kept turns and text per turn: the record rides in a comment and must stay small. */
export const RECORD_MAX_TURNS = 20
export const RECORD_MAX_TEXT = 2000

const RECORD_PATTERN = /<!-- codex-thread-action:record=([A-Za-z0-9+/=]+) -->/

export function emptyRecord(key: string): ThreadRecord {
  return { version: 1, key, threadId: null, turns: [] }
}

/** Adds a turn (newest first), keeping the record within its bounds. */
export function withTurn(record: ThreadRecord, turn: TurnEntry): ThreadRecord {
  const clipped = { ...turn, prompt: clip(turn.prompt), response: clip(turn.response) }
  return {
    ...record,
    threadId: turn.threadId ?? record.threadId,
    turns: [clipped, ...record.turns].slice(0, RECORD_MAX_TURNS)
  }
}

/**
 * Both records' turns, each once, newest first: two runs of one thread at once each keep their
 * turn. The thread to continue is the one the newest turn ran in.
 */
export function mergeRecords(key: string, ...records: Array<ThreadRecord | undefined>): ThreadRecord {
  const turns = new Map<string, TurnEntry>()
  for (const turn of records.flatMap((record) => record?.turns ?? [])) turns.set(`${turn.at}|${turn.runUrl}`, turn)
  const newestFirst = [...turns.values()].sort((a, b) => b.at.localeCompare(a.at)).slice(0, RECORD_MAX_TURNS)
  const threadId =
    newestFirst.find((turn) => turn.threadId)?.threadId ?? records.find((record) => record?.threadId)?.threadId ?? null
  return { version: 1, key, threadId, turns: newestFirst }
}

/** The marker's share of a comment: the rest of the 65,536 characters belongs to the response. */
export const RECORD_MAX_MARKER = 30_000

/** The record as a hidden comment marker, its oldest turns left out when it would not fit the budget. */
export function encodeRecord(record: ThreadRecord): string {
  for (let kept = record.turns.length; ; kept--) {
    const json = JSON.stringify({ ...record, turns: record.turns.slice(0, kept) })
    const marker = `<!-- codex-thread-action:record=${Buffer.from(json).toString('base64')} -->`
    if (marker.length <= RECORD_MAX_MARKER || kept === 0) return marker
  }
}

/** The record hidden in a comment body, or undefined when there is none or it does not parse. */
export function decodeRecord(body: string): ThreadRecord | undefined {
  const match = RECORD_PATTERN.exec(body)
  return match ? parseRecord(Buffer.from(match[1], 'base64').toString('utf8')) : undefined
}

export function parseRecord(json: string): ThreadRecord | undefined {
  try {
    const parsed = ThreadRecordSchema.safeParse(JSON.parse(json))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

function clip(text: string): string {
  return text.length > RECORD_MAX_TEXT ? `${text.slice(0, RECORD_MAX_TEXT - 1)}…` : text
}
