import { createHash } from 'node:crypto'

/**
 * The hidden HTML-comment markers the action writes into GitHub bodies and reads back: the sticky
 * comment's key, the finding ids of a review comment or body, the thread's signed record. Markers
 * are found only where the action writes them (the key on the first line, the others on the last),
 * after everything the agent wrote, so a marker quoted in the agent's text is never taken for one.
 *
 * A login proves nothing (with GITHUB_TOKEN every workflow of the repository writes as
 * github-actions[bot]), so the key and finding markers carry a proof: an authentication tag under
 * the thread's key (MarkerProof, kept in thread/) over what the marker claims and the digest of the
 * rest of the body. A marker copied into another comment fails it; a marker without one is an
 * older action's, or anyone's.
 */
const PREFIX = 'codex-thread-action'

/** Makes and checks proofs: an HMAC under a key the thread's secret derives, bound to the thread. */
export interface MarkerProof {
  /** The proof of `claim` (base64url), or undefined when the run has no key to prove anything with. */
  sign(claim: string): Promise<string | undefined>
  verify(claim: string, proof: string): Promise<boolean>
}

/** The characters a proof adds to a marker (` proof=` and 16 bytes in base64url): bodies leave room for it. */
export const PROOF_ROOM = ' proof='.length + 22

/** What a body's marker is worth: its proof holds, it has none (an older action's, or anyone's), or none at all. */
export type MarkerStanding = 'proven' | 'unsigned' | undefined

/** The first line of a thread's sticky comment, by which the comment is found again; proveMarkers adds its proof. */
export function commentMarker(threadKey: string): string {
  return `<!-- ${PREFIX}:key=${encodeURIComponent(threadKey)} -->`
}

/** The last line of a review comment (one id) or a review body (the ids of its findings); proveMarkers adds its proof. */
export function findingMarker(ids: readonly string[]): string {
  return `<!-- ${PREFIX}:finding=${ids.join(',')} -->`
}

const PROOF = '(?: proof=([A-Za-z0-9_-]{22}))?'
const KEY_LINE = new RegExp(`^<!-- ${PREFIX}:key=([^ ]+)${PROOF} -->$`)
const FINDING_LINE = new RegExp(`^<!-- ${PREFIX}:finding=([0-9a-f,]+)${PROOF} -->$`)

/**
 * The body with a proof on its key marker (first line) and finding marker (last line), each over
 * the rest of the body: what a marker claims holds only together with the text it came with.
 * Unchanged when the run has no key.
 */
export async function proveMarkers(body: string, proof: MarkerProof): Promise<string> {
  let lines = normalized(body).split('\n')
  const last = FINDING_LINE.exec(lines.at(-1) ?? '')
  if (last) {
    const tag = await proof.sign(findingClaim(last[1]!, lines.slice(0, -1)))
    if (tag) lines = [...lines.slice(0, -1), findingMarker(last[1]!.split(',')).replace(/ -->$/, ` proof=${tag} -->`)]
  }
  const first = KEY_LINE.exec(lines[0] ?? '')
  if (first) {
    const tag = await proof.sign(keyClaim(first[1]!, lines.slice(1)))
    if (tag) lines = [`<!-- ${PREFIX}:key=${first[1]} proof=${tag} -->`, ...lines.slice(1)]
  }
  return lines.join('\n')
}

/** Whether the body's first line is `threadKey`'s comment marker, and with what standing. */
export async function keyMarkerStanding(body: string, threadKey: string, proof: MarkerProof): Promise<MarkerStanding> {
  const lines = normalized(body).split('\n')
  const match = KEY_LINE.exec(lines[0] ?? '')
  if (!match || match[1] !== encodeURIComponent(threadKey)) return undefined
  if (match[2] === undefined) return 'unsigned'
  return (await proof.verify(keyClaim(match[1], lines.slice(1)), match[2])) ? 'proven' : undefined
}

/** Whether the body carries a key or finding marker whose proof holds: a comment the action wrote. */
export async function carriesProvenMarker(body: string, proof: MarkerProof): Promise<boolean> {
  const key = KEY_LINE.exec(normalized(body).split('\n')[0] ?? '')?.[1]
  if (key !== undefined && (await keyMarkerStanding(body, decodeURIComponent(key), proof)) === 'proven') return true
  return (await provenFindingIds(body, proof)).length > 0
}

/** The finding ids of a body's last line when its proof holds; none otherwise, whoever wrote it. */
export async function provenFindingIds(body: string, proof: MarkerProof): Promise<string[]> {
  const lines = normalized(body).split('\n')
  const match = FINDING_LINE.exec(lines.at(-1) ?? '')
  if (match?.[2] === undefined) return []
  const ids = match[1]!
  return (await proof.verify(findingClaim(ids, lines.slice(0, -1)), match[2])) ? ids.split(',').filter(Boolean) : []
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
  const match = new RegExp(`^<!-- ${PREFIX}:record=([A-Za-z0-9+/=]+)(?:\\.([A-Za-z0-9_-]+))? -->$`).exec(
    normalized(body).split('\n').at(-1) ?? ''
  )
  return match ? { payload: match[1] ?? '', tag: match[2] } : undefined
}

/**
 * The line a PR's author writes in the description to have the walkthrough put there (input
 * `describe: placeholder`): replaced by the walkthrough's block, which is rewritten on every push.
 */
export const WALKTHROUGH_PLACEHOLDER = `<!-- ${PREFIX}:walkthrough -->`

const WALKTHROUGH_START = new RegExp(`^<!-- ${PREFIX}:walkthrough-start(?: proof=([A-Za-z0-9_-]{22}))? -->$`)
const WALKTHROUGH_END = `<!-- ${PREFIX}:walkthrough-end -->`

/**
 * The walkthrough's block for a PR description, its lines: a start marker proving the content to
 * the end marker as the action's, so a block anyone edited or wrote is never taken for ours.
 * Undefined when the run has no key to prove it with.
 */
export async function walkthroughBlock(content: string, proof: MarkerProof): Promise<string[] | undefined> {
  // a stray \r inside would not survive the line ends the description gives the block
  const lines = normalized(content).replace(/\r/g, '').split('\n')
  const tag = await proof.sign(walkthroughClaim(lines))
  return tag === undefined
    ? undefined
    : [`<!-- ${PREFIX}:walkthrough-start proof=${tag} -->`, ...lines, WALKTHROUGH_END]
}

/**
 * Where a description's walkthrough block is, by line (`end` is its end marker's), and whether its
 * proof holds over what it holds now; undefined without a start marker followed by an end marker.
 * `lines` are the body's lines as they are, a `\r` left at their end.
 */
export async function findWalkthroughBlock(
  lines: readonly string[],
  proof: MarkerProof
): Promise<{ start: number; end: number; proven: boolean } | undefined> {
  const bare = lines.map((line) => line.replace(/\r$/, ''))
  const start = bare.findIndex((line) => WALKTHROUGH_START.test(line))
  const end = start === -1 ? -1 : bare.indexOf(WALKTHROUGH_END, start + 1)
  if (end === -1) return undefined
  const tag = WALKTHROUGH_START.exec(bare[start]!)![1]
  const proven = tag !== undefined && (await proof.verify(walkthroughClaim(bare.slice(start + 1, end)), tag))
  return { start, end, proven }
}

function walkthroughClaim(content: string[]): string {
  return `walkthrough\n${digest(content)}`
}

function keyClaim(encodedKey: string, rest: string[]): string {
  return `key\n${encodedKey}\n${digest(rest)}`
}

function findingClaim(ids: string, rest: string[]): string {
  return `finding\n${ids}\n${digest(rest)}`
}

function digest(lines: string[]): string {
  return createHash('sha256').update(lines.join('\n')).digest('base64url')
}

/** The body as GitHub may hand it back: line ends as \n, no trailing blank space. */
function normalized(body: string): string {
  return body.replace(/\r\n/g, '\n').trimEnd()
}
