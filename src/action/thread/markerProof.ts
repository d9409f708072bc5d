import { createHmac, timingSafeEqual } from 'node:crypto'
import type { MarkerProof } from '../core/markers.js'
import { deriveMarkerKey } from './seal.js'

/** Proof bytes kept: 128 bits of HMAC-SHA256 (base64url, 22 characters; core/markers.ts PROOF_ROOM). */
const PROOF_BYTES = 16

/**
 * The thread's marker proof: HMAC-SHA256 under a key derived from thread-secret (or the API key)
 * and the thread key, over the thread key and the marker's claim. Without a secret nothing is
 * signed and nothing verifies. The key's derivation starts at once and is awaited when first used.
 */
export function createMarkerProof(threadKey: string, secret: string | undefined): MarkerProof {
  const key = secret ? deriveMarkerKey(secret, threadKey) : undefined
  const tag = async (claim: string): Promise<Buffer | undefined> =>
    key &&
    createHmac('sha256', await key)
      .update(`${threadKey}\n${claim}`)
      .digest()
      .subarray(0, PROOF_BYTES)
  return {
    async sign(claim) {
      return (await tag(claim))?.toString('base64url')
    },
    async verify(claim, proof) {
      const expected = await tag(claim)
      const given = Buffer.from(proof, 'base64url')
      return expected !== undefined && given.length === expected.length && timingSafeEqual(given, expected)
    }
  }
}
