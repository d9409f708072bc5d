import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto'

/**
 * Sealed bundles: AES-256-GCM under a key derived with scrypt from the thread secret. Artifacts of a
 * public repository and caches of its default branch can be read by others, and a thread secret
 * may be a chosen password rather than a random key: hence a slow, salted derivation.
 */
const MAGIC = Buffer.from('CTB1')
const SALT_BYTES = 16
const IV_BYTES = 12
const TAG_BYTES = 16
const HEADER_BYTES = MAGIC.length + SALT_BYTES + IV_BYTES + TAG_BYTES
const SCRYPT: ScryptOptions = { N: 2 ** 14, r: 8, p: 1 }

function deriveKey(secret: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, 32, SCRYPT, (error, key) => (error ? reject(error) : resolve(key)))
  )
}

/**
 * The key that authenticates the thread's record in the PR comment, bound to the thread key. The
 * record is public, so the derivation is as slow as the bundles': a weak thread secret must not
 * fall to a dictionary run against it. The salt is fixed per thread key, since every run must
 * derive the same key without a stored salt.
 */
export function deriveRecordKey(secret: string, threadKey: string): Promise<Buffer> {
  return deriveKey(secret, Buffer.from(`codex-thread-action record key for ${threadKey}`))
}

/** Binds a bundle to its thread key, so one saved for pr-1 never opens as pr-2's. */
function associatedData(threadKey: string): Buffer {
  return Buffer.from(`codex-thread-action bundle for ${threadKey}`)
}

interface SealingKey {
  salt: Buffer
  key: Buffer
}

async function freshSealingKey(secret: string): Promise<SealingKey> {
  const salt = randomBytes(SALT_BYTES)
  return { salt, key: await deriveKey(secret, salt) }
}

/** Keys derived ahead for the next `seal` with a secret; each is used once, so every bundle has its own salt. */
const preparedKeys = new Map<string, Promise<SealingKey>>()

/**
 * Starts deriving the key of the next `seal` with `secret`, so a run that seals at its end does not
 * wait there for scrypt (~60 ms): it derives while the turn runs.
 */
export function prepareSeal(secret: string): void {
  if (preparedKeys.has(secret)) return
  const prepared = freshSealingKey(secret)
  // a failure surfaces in the seal that awaits it, not as an unhandled rejection before that
  prepared.catch(() => undefined)
  preparedKeys.set(secret, prepared)
}

export async function seal(plain: Buffer, secret: string, threadKey: string): Promise<Buffer> {
  const prepared = preparedKeys.get(secret)
  preparedKeys.delete(secret)
  const { salt, key } = await (prepared ?? freshSealingKey(secret))
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(associatedData(threadKey))
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()])
  return Buffer.concat([MAGIC, salt, iv, cipher.getAuthTag(), encrypted])
}

/** The plain bundle, or undefined when it was sealed with another secret or key, or was altered. */
export async function unseal(sealed: Buffer, secret: string, threadKey: string): Promise<Buffer | undefined> {
  if (sealed.length < HEADER_BYTES || !sealed.subarray(0, MAGIC.length).equals(MAGIC)) return undefined
  let offset = MAGIC.length
  const take = (bytes: number): Buffer => sealed.subarray(offset, (offset += bytes))
  const salt = take(SALT_BYTES)
  const iv = take(IV_BYTES)
  const tag = take(TAG_BYTES)
  const decipher = createDecipheriv('aes-256-gcm', await deriveKey(secret, salt), iv)
  decipher.setAAD(associatedData(threadKey))
  decipher.setAuthTag(tag)
  try {
    return Buffer.concat([decipher.update(sealed.subarray(offset)), decipher.final()])
  } catch {
    return undefined
  }
}
