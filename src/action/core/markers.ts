/**
 * The hidden HTML-comment markers the action writes into GitHub bodies and reads back: the sticky
 * comment's key, the finding ids of a review comment or body, the thread's signed record. Markers
 * are found only where the action writes them (the key on the first line, the others on the last),
 * after everything the agent wrote, so a marker quoted in the agent's text is never taken for one.
 */
const PREFIX = 'codex-thread-action'

/** The first line of a thread's sticky comment, by which the comment is found again. */
export function commentMarker(threadKey: string): string {
  return `<!-- ${PREFIX}:key=${encodeURIComponent(threadKey)} -->`
}

/** The last line of a review comment (one id) or a review body (the ids of its findings). */
export function findingMarker(ids: readonly string[]): string {
  return `<!-- ${PREFIX}:finding=${ids.join(',')} -->`
}

/** The finding ids of a body's last line; none when its last line is not a finding marker. */
export function findingIdsIn(body: string): string[] {
  const match = new RegExp(`^<!-- ${PREFIX}:finding=([0-9a-f,]+) -->$`).exec(lastLine(body))
  return match?.[1]?.split(',').filter(Boolean) ?? []
}

/** The last line of the sticky comment: the record (base64 JSON) and its authentication tag (base64url). */
export function recordMarker(payload: string, tag: string): string {
  return `<!-- ${PREFIX}:record=${payload}.${tag} -->`
}

/**
 * The record marker on a body's last line: its payload, and its tag when it has one (a marker
 * without one is an older action's, and forgeable). Undefined when the last line is not one.
 */
export function readRecordMarker(body: string): { payload: string; tag?: string } | undefined {
  const match = new RegExp(`^<!-- ${PREFIX}:record=([A-Za-z0-9+/=]+)(?:\\.([A-Za-z0-9_-]+))? -->$`).exec(lastLine(body))
  return match ? { payload: match[1] ?? '', tag: match[2] } : undefined
}

function lastLine(body: string): string {
  return body.trimEnd().split('\n').at(-1) ?? ''
}
