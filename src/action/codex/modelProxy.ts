import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici'

/** The model API codex talks to when the action is given no `base-url`. */
export const OPENAI_BASE_URL = 'https://api.openai.com/v1'

/** What codex calls under its base URL: a turn, and Azure's remote compaction. */
const FORWARDED_PATHS = ['/responses', '/responses/compact']

/** Headers that belong to one connection (RFC 9110 §7.6.1), plus what the proxy sets itself. */
const UNFORWARDED_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'authorization',
  'api-key',
  'expect',
  // identity answers, so an error body can be searched for the key
  'accept-encoding'
])

/** An upstream error body is read whole to redact the key; larger ones are cut here. */
const ERROR_BODY_LIMIT = 1024 * 1024

export interface ModelProxyOptions {
  /** The model API's base URL, path prefix included (`https://host/openai/v1`); default OpenAI's. */
  upstreamBaseUrl?: string
  /** The real key: sent upstream as `Authorization: Bearer`, as codex would send it; none for a keyless endpoint. */
  apiKey?: string
  /** How upstream is reached; default: directly, or through HTTPS_PROXY / NO_PROXY when set. */
  dispatcher?: Dispatcher
}

export interface ModelProxy {
  /**
   * codex's `base_url`: loopback, with the upstream's host and path as the path prefix, so codex
   * tells the endpoint's kind from it as it would from the real URL (Azure: `store`, compaction).
   */
  baseUrl: string
  /** The per-run token codex presents as its API key; worth nothing once the proxy is closed. */
  token: string
  /** Stops listening, ends every request under way and forgets the key's connection pool. */
  close(): Promise<void>
}

/**
 * A loopback proxy for the model API that holds the key, so codex and the agent's commands never
 * do: codex gets the proxy's URL and a per-run token. It answers only that token, forwards only
 * the Responses calls codex makes for a turn, and streams answers through as they arrive.
 */
export async function startModelProxy(options: ModelProxyOptions): Promise<ModelProxy> {
  const upstream = new URL(options.upstreamBaseUrl ?? OPENAI_BASE_URL)
  if (upstream.protocol !== 'https:' && upstream.protocol !== 'http:') {
    throw new Error(`The model API's base URL must be http or https, not ${upstream.protocol}`)
  }
  const upstreamPath = upstream.pathname.replace(/\/+$/, '')
  const prefix = `/${upstream.host}${upstreamPath}`
  const token = randomBytes(32).toString('base64url')
  const tokenDigest = digest(`Bearer ${token}`)
  const authorization: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}
  const ownDispatcher = options.dispatcher ? undefined : upstreamAgent(process.env)
  const dispatcher = options.dispatcher ?? ownDispatcher
  const inFlight = new Set<AbortController>()

  const server = http.createServer((req, res) => {
    // compared as digests: equal lengths, and no early exit on the first differing byte
    if (!timingSafeEqual(digest(req.headers.authorization ?? ''), tokenDigest)) {
      reply(req, res, 401)
      return
    }
    const url = new URL(req.url ?? '/', 'http://proxy.invalid')
    const rest = url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : undefined
    if (rest === undefined || !FORWARDED_PATHS.includes(rest)) {
      reply(req, res, 404)
      return
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST')
      reply(req, res, 405)
      return
    }
    const target = new URL(upstream)
    target.pathname = `${upstreamPath}${rest}`
    for (const [name, value] of url.searchParams) target.searchParams.append(name, value)
    const controller = new AbortController()
    inFlight.add(controller)
    res.once('close', () => {
      inFlight.delete(controller)
      // codex went away (cancelled turn): so does the upstream request
      if (!res.writableFinished) controller.abort()
    })
    void forward(req, res, target, { ...forwardedHeaders(req.headers), ...authorization }, controller.signal)
  })

  async function forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    target: URL,
    headers: Record<string, string | string[]>,
    signal: AbortSignal
  ): Promise<void> {
    let answer: Dispatcher.ResponseData
    try {
      answer = await request(target, { method: 'POST', headers, body: req, signal, dispatcher })
    } catch (error) {
      if (!res.headersSent && !signal.aborted) {
        // the cause names no key: undici's connection errors carry codes and addresses
        const reason = (error as { code?: string }).code ?? 'network error'
        res.writeHead(502, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: { message: `The model API could not be reached (${reason})` } }))
      } else res.destroy()
      return
    }
    const responseHeaders = forwardedHeaders(answer.headers)
    if (answer.statusCode >= 400) {
      const body = redact(await readLimited(answer.body), options.apiKey)
      delete responseHeaders['content-length']
      res.writeHead(answer.statusCode, responseHeaders)
      res.end(body)
      return
    }
    res.writeHead(answer.statusCode, responseHeaders)
    // each event is written as it arrives; nothing waits for the end of the stream
    res.flushHeaders()
    answer.body.on('error', () => res.destroy())
    answer.body.pipe(res)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  // a run that failed before it could close the proxy must still end: open requests keep it alive, listening does not
  server.unref()
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}${prefix}`,
    token,
    async close() {
      for (const controller of inFlight) controller.abort()
      server.closeAllConnections()
      // nothing is in flight any more: the upstream sockets are dropped rather than closed politely
      await Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), ownDispatcher?.destroy()])
    }
  }
}

/** Through the runner's HTTP proxy when it has one, as codex itself would go; undici calls that agent experimental and warns. */
function upstreamAgent(env: NodeJS.ProcessEnv): Dispatcher {
  const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => env[name])
  return proxied ? new EnvHttpProxyAgent() : new Agent()
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

/** A bodiless refusal: it repeats nothing of the request. The body is drained so the socket stays usable. */
function reply(req: http.IncomingMessage, res: http.ServerResponse, status: number): void {
  req.resume()
  res.writeHead(status, { 'content-length': '0' }).end()
}

/** The end-to-end headers of a request or answer, less what names the key or the hop. */
function forwardedHeaders(headers: http.IncomingHttpHeaders): Record<string, string | string[]> {
  const connectionScoped = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
  )
  const result: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase()
    if (value === undefined || UNFORWARDED_HEADERS.has(lower) || connectionScoped.has(lower)) continue
    result[lower] = value
  }
  return result
}

async function readLimited(body: Dispatcher.ResponseData['body']): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    const buffer = chunk as Buffer
    chunks.push(buffer.subarray(0, ERROR_BODY_LIMIT - size))
    size += buffer.length
    if (size >= ERROR_BODY_LIMIT) {
      body.destroy()
      break
    }
  }
  return Buffer.concat(chunks)
}

function redact(body: Buffer, key: string | undefined): string {
  const text = body.toString('utf8')
  return key ? text.replaceAll(key, '***') : text
}
