import { createCipheriv, createDecipheriv, hkdf, randomBytes, scrypt, type ScryptOptions } from 'node:crypto'

/**
 * Sealed bundles and the signed record: keys derived from the thread secret. Artifacts of a public
 * repository, caches of its default branch and the PR comment can be read by others, and a thread
 * secret may be a chosen password rather than a random key: hence one slow derivation with scrypt
 * per thread key, from which each bundle's key (with a salt of its own) and the record's key are
 * expanded with HKDF. One scrypt per run, not one per bundle, keeps the run's time and memory down
 * (each scrypt holds 16 MiB).
 */
const MAGIC = Buffer.from('CTB2')
/** Bundles sealed before the thread key existed: a scrypt of their own, per bundle. */
const LEGACY_MAGIC = Buffer.from('CTB1')
const SALT_BYTES = 16
const IV_BYTES = 12
const TAG_BYTES = 16
const HEADER_BYTES = MAGIC.length + SALT_BYTES + IV_BYTES + TAG_BYTES
const SCRYPT: ScryptOptions = { N: 2 ** 14, r: 8, p: 1 }

function scryptKey(secret: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, 32, SCRYPT, (error, key) => (error ? reject(error) : resolve(key)))
  )
}

function expand(key: Buffer, salt: Buffer, info: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    hkdf('sha256', key, salt, info, 32, (error, derived) => (error ? reject(error) : resolve(Buffer.from(derived))))
  )
}

/** Each run derives a thread's key once, whoever asks first (the record's codec, a bundle). */
const derivedThreadKeys = new Map<string, Promise<Buffer>>()

/**
 * The thread's key: scrypt of the secret, salted with the thread key, so one thread's key opens
 * nothing of another's and every run derives the same one without a stored salt.
 */
function threadKeyOf(secret: string, threadKey: string): Promise<Buffer> {
  const id = `${threadKey}\0${secret}`
  let key = derivedThreadKeys.get(id)
  if (!key) {
    key = scryptKey(secret, Buffer.from(`codex-thread-action thread key for ${threadKey}`))
    derivedThreadKeys.set(id, key)
  }
  return key
}

/** The key that authenticates the thread's record in the PR comment, bound to the thread key. */
export async function deriveRecordKey(secret: string, threadKey: string): Promise<Buffer> {
  return expand(await threadKeyOf(secret, threadKey), Buffer.alloc(0), 'codex-thread-action record')
}

/** The key that proves the action's hidden markers (sticky comment key, finding ids) are its own, bound to the thread key. */
export async function deriveMarkerKey(secret: string, threadKey: string): Promise<Buffer> {
  return expand(await threadKeyOf(secret, threadKey), Buffer.alloc(0), 'codex-thread-action markers')
}

/** Binds a bundle to its thread key, so one saved for pr-1 never opens as pr-2's. */
function associatedData(threadKey: string): Buffer {
  return Buffer.from(`codex-thread-action bundle for ${threadKey}`)
}

async function bundleKey(secret: string, threadKey: string, salt: Buffer): Promise<Buffer> {
  return expand(await threadKeyOf(secret, threadKey), salt, 'codex-thread-action bundle')
}

export async function seal(plain: Buffer, secret: string, threadKey: string): Promise<Buffer> {
  const salt = randomBytes(SALT_BYTES)
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', await bundleKey(secret, threadKey, salt), iv)
  cipher.setAAD(associatedData(threadKey))
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()])
  return Buffer.concat([MAGIC, salt, iv, cipher.getAuthTag(), encrypted])
}

/** The plain bundle, or undefined when it was sealed with another secret or key, or was altered. */
export async function unseal(sealed: Buffer, secret: string, threadKey: string): Promise<Buffer | undefined> {
  if (sealed.length < HEADER_BYTES) return undefined
  const magic = sealed.subarray(0, MAGIC.length)
  const legacy = magic.equals(LEGACY_MAGIC)
  if (!legacy && !magic.equals(MAGIC)) return undefined
  let offset = MAGIC.length
  const take = (bytes: number): Buffer => sealed.subarray(offset, (offset += bytes))
  const salt = take(SALT_BYTES)
  const iv = take(IV_BYTES)
  const tag = take(TAG_BYTES)
  const key = legacy ? await scryptKey(secret, salt) : await bundleKey(secret, threadKey, salt)
  const decipher = createDecipheriv('aes-256-gcm', key, iv)
  decipher.setAAD(associatedData(threadKey))
  decipher.setAuthTag(tag)
  try {
    return Buffer.concat([decipher.update(sealed.subarray(offset)), decipher.final()])
  } catch {
    return undefined
  }
}
