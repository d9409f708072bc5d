import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential
} from '@azure/storage-blob'
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { REPO_ID, type GitHubServer } from './githubServer.js'
import { projectRoot } from './runAction.js'
import { tempDir } from './tempDirs.js'

/**
 * A stand-in for what a GitHub-hosted job reaches besides the REST API: the results service at
 * ACTIONS_RESULTS_URL (Twirp JSON: the artifact service and cache service v2) and the blob storage
 * it signs URLs into, served by Azurite, so @actions/artifact and @actions/cache run unmocked and
 * their Azure SDK really stages and commits blocks. Artifacts finalized here are listed, downloaded
 * (302 to a signed URL) and deleted through the REST API of the GitHub test server it is given.
 *
 * The protocol follows the clients' generated Twirp code (requests in proto field names, int64 as
 * strings) and GitHub's documentation of cache matching.
 */

/** Azurite's well-known development account. */
const ACCOUNT = 'devstoreaccount1'
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
const CONTAINER = 'actions-results'

export type TwirpMethod =
  | 'CreateArtifact'
  | 'FinalizeArtifact'
  | 'ListArtifacts'
  | 'GetSignedArtifactURL'
  | 'DeleteArtifact'
  | 'CreateCacheEntry'
  | 'FinalizeCacheEntryUpload'
  | 'GetCacheEntryDownloadURL'

const ARTIFACT_SERVICE = 'github.actions.results.api.v1.ArtifactService'
const CACHE_SERVICE = 'github.actions.results.api.v1.CacheService'

/** The fields each request may carry, in proto names; anything else is a protocol change this stand-in does not know. */
const REQUEST_FIELDS: Record<TwirpMethod, { service: string; fields: string[] }> = {
  CreateArtifact: {
    service: ARTIFACT_SERVICE,
    fields: ['workflow_run_backend_id', 'workflow_job_run_backend_id', 'name', 'expires_at', 'version', 'mime_type']
  },
  FinalizeArtifact: {
    service: ARTIFACT_SERVICE,
    fields: ['workflow_run_backend_id', 'workflow_job_run_backend_id', 'name', 'size', 'hash']
  },
  ListArtifacts: {
    service: ARTIFACT_SERVICE,
    fields: ['workflow_run_backend_id', 'workflow_job_run_backend_id', 'name_filter', 'id_filter']
  },
  GetSignedArtifactURL: {
    service: ARTIFACT_SERVICE,
    fields: ['workflow_run_backend_id', 'workflow_job_run_backend_id', 'name']
  },
  DeleteArtifact: {
    service: ARTIFACT_SERVICE,
    fields: ['workflow_run_backend_id', 'workflow_job_run_backend_id', 'name']
  },
  CreateCacheEntry: { service: CACHE_SERVICE, fields: ['metadata', 'key', 'version'] },
  FinalizeCacheEntryUpload: { service: CACHE_SERVICE, fields: ['metadata', 'key', 'size_bytes', 'version'] },
  GetCacheEntryDownloadURL: { service: CACHE_SERVICE, fields: ['metadata', 'key', 'restore_keys', 'version'] }
}

/** A job as the runner describes it to the services. */
export interface ActionsJob {
  /** GITHUB_RUN_ID: the id the REST API lists the run's artifacts under. */
  runId: number
  /** The ref whose cache scope the job writes, e.g. refs/pull/7/merge. */
  ref?: string
  /** Further scopes it may read, in the order they are searched (a PR's base branch, the default branch). */
  readRefs?: string[]
  /** The repository the run's commit came from; a fork's id makes the run's artifacts a fork's. */
  headRepositoryId?: number
}

interface RegisteredJob extends Required<ActionsJob> {
  runBackendId: string
  jobBackendId: string
}

interface ArtifactRecord {
  job: RegisteredJob
  name: string
  blob: string
  id?: number
  size?: number
  digest?: string
  createdAt?: string
}

export interface CacheRecord {
  id?: number
  key: string
  version: string
  scope: string
  blob: string
  size?: number
  createdAt?: string
}

export interface ServiceCall {
  method: TwirpMethod
  status: number
}

export interface ActionsServices {
  /** ACTIONS_RESULTS_URL */
  resultsUrl: string
  /** Azurite's blob endpoint, for the account the signed URLs name. */
  blobUrl: string
  /** The environment a job of `job` runs with: runtime token, results URL, cache service v2. */
  jobEnv(job: ActionsJob): Record<string, string>
  /** The next `times` calls of `method` answer `status` (a Twirp internal error by default). */
  fail(method: TwirpMethod, status?: number, times?: number): void
  /** Every Twirp call and how it was answered. */
  calls: ServiceCall[]
  /** Committed cache entries, oldest first. */
  caches(): CacheRecord[]
  /** The bytes a finalized artifact's blob holds (its zip). */
  artifactBlob(id: number): Promise<Buffer>
  cacheBlob(entry: CacheRecord): Promise<Buffer>
  /** Flips the bytes in the middle of an artifact's or a cache entry's blob, as a damaged store would. */
  corrupt(entry: { artifactId: number } | CacheRecord): Promise<void>
  close(): Promise<void>
}

export async function startActionsServices(github: GitHubServer): Promise<ActionsServices> {
  const azurite = await startAzurite()
  const credential = new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY)
  const container = new BlobServiceClient(`${azurite.url}/${ACCOUNT}`, credential).getContainerClient(CONTAINER)
  await container.create()
  const signingKey = randomBytes(32)
  const jobs = new Map<string, RegisteredJob>()
  const artifacts: ArtifactRecord[] = []
  const caches: CacheRecord[] = []
  const failures: Array<{ method: TwirpMethod; status: number; times: number }> = []
  const calls: ServiceCall[] = []
  let nextId = 70_000

  const signedUrl = (blob: string, permissions: string): string => {
    const query = generateBlobSASQueryParameters(
      {
        containerName: CONTAINER,
        blobName: blob,
        permissions: BlobSASPermissions.parse(permissions),
        startsOn: new Date(Date.now() - 60_000),
        expiresOn: new Date(Date.now() + 3_600_000),
        protocol: SASProtocol.HttpsAndHttp
      },
      credential
    ).toString()
    return `${container.getBlobClient(blob).url}?${query}`
  }
  const blobBytes = (blob: string): Promise<Buffer> => container.getBlobClient(blob).downloadToBuffer()
  /** The committed blob's size, or undefined while nothing is committed. */
  const committedSize = async (blob: string): Promise<number | undefined> => {
    const client = container.getBlobClient(blob)
    return (await client.exists()) ? (await client.getProperties()).contentLength : undefined
  }

  // the REST side: a finalized artifact is listed there; its download redirects to a signed URL
  const liveArtifact = (record: ArtifactRecord): boolean =>
    record.id !== undefined && github.artifacts.some((listed) => listed.id === record.id)
  github.artifactDownloadUrl = (id) => {
    const record = artifacts.find((entry) => entry.id === id && liveArtifact(entry))
    return record && signedUrl(record.blob, 'r')
  }
  const liveCache = (record: CacheRecord): boolean =>
    record.id !== undefined && github.caches.some((listed) => listed.id === record.id)

  const handlers: Record<TwirpMethod, (job: RegisteredJob, request: Fields) => Promise<Answer>> = {
    async CreateArtifact(job, request) {
      const name = text(request.name)
      if (!name) return twirpError(400, 'invalid_argument', 'name is required')
      if (artifacts.some((entry) => entry.job.runBackendId === job.runBackendId && entry.name === name))
        return twirpError(409, 'already_exists', 'an artifact with this name already exists on the workflow run')
      const blob = `${job.runBackendId}/${job.jobBackendId}/artifacts/${randomUUID()}.zip`
      artifacts.push({ job, name, blob })
      return { ok: true, signed_upload_url: signedUrl(blob, 'cw') }
    },
    async FinalizeArtifact(job, request) {
      const record = artifacts.find(
        (entry) => entry.job.runBackendId === job.runBackendId && entry.name === request.name && entry.id === undefined
      )
      if (!record) return twirpError(404, 'not_found', 'artifact not found')
      const size = await committedSize(record.blob)
      if (size === undefined) return twirpError(400, 'failed_precondition', 'no blob was uploaded for the artifact')
      if (String(size) !== text(request.size))
        return twirpError(400, 'invalid_argument', `size ${text(request.size)} is not the blob's ${size}`)
      const digest = `sha256:${createHash('sha256')
        .update(await blobBytes(record.blob))
        .digest('hex')}`
      const hash = (request.hash as { value?: string } | string | undefined) ?? undefined
      const claimed = typeof hash === 'string' ? hash : hash?.value
      if (claimed !== undefined && claimed !== digest)
        return twirpError(400, 'invalid_argument', `hash ${claimed} is not the blob's ${digest}`)
      Object.assign(record, { id: nextId++, size, digest, createdAt: new Date().toISOString() })
      github.artifacts.push({
        id: record.id!,
        name: record.name,
        created_at: record.createdAt!,
        expires_at: text(request.expires_at) || new Date(Date.now() + 90 * 86_400_000).toISOString(),
        expired: false,
        workflow_run: {
          id: job.runId,
          repository_id: REPO_ID,
          head_repository_id: job.headRepositoryId,
          head_branch: job.ref.replace(/^refs\/heads\//, ''),
          head_sha: 'c'.repeat(40)
        }
      })
      return { ok: true, artifact_id: String(record.id) }
    },
    async ListArtifacts(job, request) {
      const nameFilter = wrapped(request.name_filter)
      const idFilter = wrapped(request.id_filter)
      const listed = artifacts.filter(
        (entry) =>
          entry.job.runBackendId === job.runBackendId &&
          liveArtifact(entry) &&
          (nameFilter === undefined || entry.name === nameFilter) &&
          (idFilter === undefined || String(entry.id) === idFilter)
      )
      return {
        artifacts: listed.map((entry) => ({
          workflow_run_backend_id: entry.job.runBackendId,
          workflow_job_run_backend_id: entry.job.jobBackendId,
          database_id: String(entry.id),
          name: entry.name,
          size: String(entry.size),
          created_at: entry.createdAt,
          digest: entry.digest
        }))
      }
    },
    async GetSignedArtifactURL(job, request) {
      const record = artifacts.find(
        (entry) => entry.job.runBackendId === job.runBackendId && entry.name === request.name && liveArtifact(entry)
      )
      if (!record) return twirpError(404, 'not_found', 'artifact not found')
      return { signed_url: signedUrl(record.blob, 'r') }
    },
    async DeleteArtifact(job, request) {
      const index = artifacts.findIndex(
        (entry) => entry.job.runBackendId === job.runBackendId && entry.name === request.name && liveArtifact(entry)
      )
      if (index === -1) return twirpError(404, 'not_found', 'artifact not found')
      const [record] = artifacts.splice(index, 1)
      github.artifacts.splice(
        github.artifacts.findIndex((listed) => listed.id === record!.id),
        1
      )
      await container.deleteBlob(record!.blob)
      return { ok: true, artifact_id: String(record!.id) }
    },
    async CreateCacheEntry(job, request) {
      const key = text(request.key)
      const version = text(request.version)
      if (!key || !version) return twirpError(400, 'invalid_argument', 'key and version are required')
      // a job writes the scope of its own ref (the token's one scope with write permission)
      const scope = job.ref
      if (caches.some((entry) => entry.scope === scope && entry.key === key && entry.version === version))
        return twirpError(409, 'already_exists', 'cache entry with the same key, version, and scope already exists')
      const blob = `caches/${createHash('sha256').update(`${scope}|${key}|${version}`).digest('hex')}`
      caches.push({ key, version, scope, blob })
      return { ok: true, signed_upload_url: signedUrl(blob, 'cw') }
    },
    async FinalizeCacheEntryUpload(job, request) {
      const scope = job.ref
      const record = caches.find(
        (entry) => entry.scope === scope && entry.key === request.key && entry.version === request.version && !entry.id
      )
      if (!record) return twirpError(404, 'not_found', 'cache entry not found')
      const size = await committedSize(record.blob)
      if (size === undefined || String(size) !== text(request.size_bytes))
        return { ok: false, message: `the uploaded size ${size} is not ${text(request.size_bytes)}` }
      Object.assign(record, { id: nextId++, size, createdAt: new Date().toISOString() })
      github.caches.push({ id: record.id!, key: record.key, ref: scope, created_at: record.createdAt! })
      return { ok: true, entry_id: String(record.id) }
    },
    async GetCacheEntryDownloadURL(job, request) {
      const key = text(request.key)
      const version = text(request.version)
      const restoreKeys = Array.isArray(request.restore_keys) ? request.restore_keys.map(text) : []
      // GitHub's order: in each readable scope (the job's ref first), the key exactly, then the key
      // as a prefix, then each restore key as a prefix; of several prefix matches, the newest
      for (const scope of [job.ref, ...job.readRefs]) {
        const candidates = caches.filter(
          (entry) => entry.scope === scope && entry.version === version && liveCache(entry)
        )
        const newest = (prefix: string) => candidates.filter((entry) => entry.key.startsWith(prefix)).at(-1)
        const hit =
          candidates.find((entry) => entry.key === key) ??
          newest(key) ??
          restoreKeys.map(newest).find((entry) => entry !== undefined)
        if (hit) return { ok: true, signed_download_url: signedUrl(hit.blob, 'r'), matched_key: hit.key }
      }
      return { ok: false, signed_download_url: '', matched_key: '' }
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const reply = (method: TwirpMethod | undefined, answer: Answer): void => {
        const status = answer instanceof TwirpError ? answer.status : 200
        if (method) calls.push({ method, status })
        const body = answer instanceof TwirpError ? { code: answer.code, msg: answer.message } : answer
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
      }
      const route = /^\/twirp\/([\w.]+)\/(\w+)$/.exec(req.url ?? '')
      const method = route?.[2] as TwirpMethod | undefined
      const spec = method && REQUEST_FIELDS[method]
      if (req.method !== 'POST' || !spec || spec.service !== route![1])
        return reply(undefined, twirpError(404, 'bad_route', `no handler for ${req.method} ${req.url}`))
      const failure = failures.find((entry) => entry.method === method && entry.times > 0)
      if (failure) {
        failure.times--
        return reply(method, twirpError(failure.status, 'internal', `scripted failure ${failure.status}`))
      }
      const job = authenticate(req.headers.authorization, signingKey, jobs)
      if (typeof job === 'string') return reply(method, twirpError(401, 'unauthenticated', job))
      if (!String(req.headers['content-type']).startsWith('application/json'))
        return reply(method, twirpError(415, 'bad_route', 'this stand-in speaks Twirp JSON only'))
      let request: Fields
      try {
        request = protoNames(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Fields)
      } catch {
        return reply(method, twirpError(400, 'malformed', 'the body is not JSON'))
      }
      const unknown = Object.keys(request).filter((field) => !spec.fields.includes(field))
      if (unknown.length) return reply(method, twirpError(400, 'malformed', `unknown field(s) ${unknown.join(', ')}`))
      // the artifact service answers for the token's run only; a job uploads as itself, and finds
      // and deletes the artifacts of the run's other jobs and attempts by their ids
      const uploads = method === 'CreateArtifact' || method === 'FinalizeArtifact'
      if (
        spec.service === ARTIFACT_SERVICE &&
        (request.workflow_run_backend_id !== job.runBackendId ||
          (uploads && request.workflow_job_run_backend_id !== job.jobBackendId))
      )
        return reply(method, twirpError(403, 'permission_denied', 'the token is not for this workflow job run'))
      handlers[method](job, request).then(
        (answer) => reply(method, answer),
        (error: Error) => reply(method, twirpError(500, 'internal', error.message))
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const resultsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`

  return {
    resultsUrl,
    blobUrl: `${azurite.url}/${ACCOUNT}`,
    calls,
    jobEnv(job) {
      const registered: RegisteredJob = {
        runId: job.runId,
        ref: job.ref ?? 'refs/heads/main',
        readRefs: job.readRefs ?? [],
        headRepositoryId: job.headRepositoryId ?? REPO_ID,
        // a re-run of a run keeps its backend id: its artifacts share the run's names
        runBackendId: [...jobs.values()].find((known) => known.runId === job.runId)?.runBackendId ?? randomUUID(),
        jobBackendId: randomUUID()
      }
      jobs.set(registered.jobBackendId, registered)
      return {
        ACTIONS_RUNTIME_TOKEN: runtimeToken(registered, signingKey),
        ACTIONS_RESULTS_URL: resultsUrl,
        ACTIONS_CACHE_SERVICE_V2: 'true'
      }
    },
    fail(method, status = 500, times = 1) {
      failures.push({ method, status, times })
    },
    caches: () => caches.filter(liveCache),
    artifactBlob(id) {
      const record = artifacts.find((entry) => entry.id === id)
      if (!record) throw new Error(`no artifact ${id}`)
      return blobBytes(record.blob)
    },
    cacheBlob: (entry) => blobBytes(entry.blob),
    async corrupt(entry) {
      const blob = 'artifactId' in entry ? artifacts.find((record) => record.id === entry.artifactId)?.blob : entry.blob
      if (!blob) throw new Error(`no blob for ${JSON.stringify(entry)}`)
      const bytes = await blobBytes(blob)
      const middle = bytes.subarray(bytes.length / 4, (bytes.length * 3) / 4)
      for (let index = 0; index < middle.length; index++) middle[index]! ^= 0xff
      await container.getBlockBlobClient(blob).uploadData(bytes)
    },
    async close() {
      delete github.artifactDownloadUrl
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await azurite.stop()
    }
  }
}

type Fields = Record<string, unknown>
type Answer = Fields | TwirpError

class TwirpError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string
  ) {}
}

function twirpError(status: number, code: string, message: string): TwirpError {
  return new TwirpError(status, code, message)
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : ''
}

/** A google.protobuf wrapper (StringValue, Int64Value): JSON carries the bare value. */
function wrapped(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  return typeof value === 'object' ? text((value as { value?: unknown }).value) : text(value)
}

/** protojson accepts a field by its JSON (lowerCamel) name as well as its proto name. */
function protoNames(request: Fields): Fields {
  return Object.fromEntries(
    Object.entries(request).map(([field, value]) => [field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), value])
  )
}

const base64url = (value: Buffer | string): string => Buffer.from(value).toString('base64url')

/**
 * A runtime token shaped like the runner's: `scp` names the results scope with the run's and job's
 * backend ids (which the clients parse out of it), `ac` the cache scopes with their permissions
 * (1 read, 2 write). Signed HS256 with the stand-in's own key.
 */
function runtimeToken(job: RegisteredJob, key: Buffer): string {
  const now = Math.floor(Date.now() / 1000)
  const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }))
  const claims = base64url(
    JSON.stringify({
      scp: `Actions.ExampleScope Actions.Results:${job.runBackendId}:${job.jobBackendId}`,
      ac: JSON.stringify([
        { Scope: job.ref, Permission: 3 },
        ...job.readRefs.map((ref) => ({ Scope: ref, Permission: 1 }))
      ]),
      iat: now,
      nbf: now,
      exp: now + 6 * 3600
    })
  )
  const signature = base64url(createHmac('sha256', key).update(`${header}.${claims}`).digest())
  return `${header}.${claims}.${signature}`
}

/** The job a bearer token was issued to, or why it is refused. */
function authenticate(
  authorization: string | undefined,
  key: Buffer,
  jobs: Map<string, RegisteredJob>
): RegisteredJob | string {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1]
  if (!token) return 'no bearer token'
  const [header, claims, signature] = token.split('.')
  if (!header || !claims || !signature) return 'the token is not a JWT'
  const expected = createHmac('sha256', key).update(`${header}.${claims}`).digest()
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'the token signature is invalid'
  const payload = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { scp?: string; exp?: number }
  if (!payload.exp || payload.exp * 1000 < Date.now()) return 'the token has expired'
  const scope = payload.scp?.split(' ').find((entry) => entry.startsWith('Actions.Results:'))
  const job = scope && jobs.get(scope.split(':')[2] ?? '')
  return job || 'the token has no results scope'
}

interface Azurite {
  url: string
  stop(): Promise<void>
}

/** Azurite's blob service as a child process on a free port, in memory, without telemetry. */
async function startAzurite(): Promise<Azurite> {
  const main = path.join(projectRoot, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js')
  const child: ChildProcess = spawn(
    process.execPath,
    [
      main,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      '0',
      '--inMemoryPersistence',
      '--disableTelemetry',
      // the Azure SDK bundled with the clients may be newer than this Azurite
      '--skipApiVersionCheck',
      '--loose'
    ],
    { cwd: tempDir('azurite'), stdio: ['ignore', 'pipe', 'pipe'] }
  )
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8')
      const listening = /successfully listens on (http:\/\/\S+)/.exec(output)
      if (listening) resolve(listening[1]!)
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`Azurite exited with ${code}: ${output}`)))
  })
  // a test process that ends without close() (a crash, a timeout) must not leave Azurite running
  const killOnExit = (): void => void child.kill('SIGKILL')
  process.once('exit', killOnExit)
  child.once('exit', () => process.off('exit', killOnExit))
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      })
  }
}
