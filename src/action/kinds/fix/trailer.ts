import { createHash } from 'node:crypto'
import type { MarkerProof } from '../../core/markers.js'

/** The git trailer of the action's fix commits: the finding ids the commit claims to fix, and the proof. */
export const FIX_TRAILER = 'Codex-Thread-Fix'

const TRAILER_LINE = new RegExp(`^${FIX_TRAILER}: ([0-9a-f,]*|-) proof=([A-Za-z0-9_-]{22})$`)

/**
 * The commit message's last line: the ids (or `-` for a fix of no listed finding) and an HMAC under
 * the thread's key over them and the rest of the message, as the finding markers carry one. Anyone
 * can write a commit that claims to be the action's; only the thread's secret makes one that proves it.
 */
export async function withFixTrailer(message: string, ids: readonly string[], proof: MarkerProof): Promise<string> {
  const claimed = ids.join(',') || '-'
  const tag = await proof.sign(claimOf(claimed, message))
  return tag ? `${message}\n\n${FIX_TRAILER}: ${claimed} proof=${tag}` : message
}

/** The finding ids a commit message's trailer claims, when its proof holds; undefined when it is not the action's. */
export async function provenFixClaim(message: string, proof: MarkerProof): Promise<string[] | undefined> {
  const lines = message.replace(/\r\n/g, '\n').trimEnd().split('\n')
  const match = TRAILER_LINE.exec(lines.at(-1) ?? '')
  if (!match) return undefined
  const above = lines.slice(0, -1).join('\n').trimEnd()
  if (!(await proof.verify(claimOf(match[1]!, above), match[2]!))) return undefined
  return match[1] === '-' ? [] : match[1]!.split(',')
}

function claimOf(ids: string, message: string): string {
  return `fix\n${ids}\n${createHash('sha256').update(message.trimEnd()).digest('base64url')}`
}
