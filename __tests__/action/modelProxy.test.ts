import { readdirSync, readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { Agent } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { startModelProxy, type ModelProxy } from '../../src/action/codex/modelProxy.js'
import { Codex, type CodexConfigObject } from '../../src/sdk/index.js'
import {
  answersToolCall,
  commandThenMessage,
  startScriptedModel,
  type ModelRequest,
  type ModelScript,
  type ScriptedModel
} from '../support/scriptedModel.js'
import { tempDir, tempRepo } from '../support/tempDirs.js'

const API_KEY = 'sk-proxy-test-key-0123456789'
/** Matches the key without spelling it, so a command searching for it does not carry it. */
const KEY_PATTERN = 'sk-proxy-test-key-[0-9]+'

interface Received {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: string
}

interface Upstream {
  /** Origin of the server, without a path. */
  origin: string
  received: Received[]
  close(): Promise<void>
}

/** A model API stand-in whose every answer the test writes, recording what reached it. */
async function startUpstream(
  answer: (request: Received, res: http.ServerResponse) => void | Promise<void>
): Promise<Upstream> {
  const received: Received[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8')
      }
      received.push(request)
      void answer(request, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** Relays every request to the scripted model's /v1/responses, so a test can see the path codex's request took. */
function relayTo(model: ScriptedModel) {
  return async (request: Received, res: http.ServerResponse): Promise<void> => {
    const answer = await fetch(`${model.url}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: String(request.headers.authorization) },
      body: request.body
    })
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' })
    res.end(Buffer.from(await answer.arrayBuffer()))
  }
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function proxyTo(upstreamBaseUrl: string, dispatcher?: Agent): Promise<ModelProxy> {
  const proxy = await startModelProxy({ upstreamBaseUrl, apiKey: API_KEY, dispatcher })
  cleanups.push(() => proxy.close())
  return proxy
}

async function upstreamWith(answer: Parameters<typeof startUpstream>[0]): Promise<Upstream> {
  const upstream = await startUpstream(answer)
  cleanups.push(() => upstream.close())
  return upstream
}

async function scriptedModel(script: ModelScript): Promise<ScriptedModel> {
  const model = await startScriptedModel(script)
  cleanups.push(() => model.close())
  return model
}

/** The real codex CLI configured through the proxy, as the action would configure it. */
function codexThrough(proxy: ModelProxy, codexHome = tempDir('home'), config: CodexConfigObject = {}): Codex {
  return new Codex({
    baseUrl: proxy.baseUrl,
    apiKey: proxy.token,
    config,
    env: { PATH: process.env.PATH ?? '', HOME: codexHome, CODEX_HOME: codexHome },
    logger: { warn: () => undefined }
  })
}

function post(proxy: ModelProxy, suffix: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${proxy.baseUrl}${suffix}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${proxy.token}`, 'content-type': 'application/json' },
    body: '{}',
    ...init
  })
}

/** What the agent's last command printed, as the model received it. */
function commandOutput(request: ModelRequest | undefined): string {
  const item = request?.body.input?.filter((entry) => entry.type === 'function_call_output').at(-1)
  if (!item) throw new Error('the model received no command output')
  return typeof item.output === 'string' ? item.output : JSON.stringify(item.output)
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
}

describe('the model proxy, with the real codex CLI', () => {
  it('gives codex a token and the model the real key', async () => {
    const model = await scriptedModel(() => ({ message: 'hello through the proxy' }))
    const proxy = await proxyTo(model.url)
    const turn = await codexThrough(proxy).startThread({ skipGitRepoCheck: true }).run('say hello')

    expect(turn.finalResponse).toBe('hello through the proxy')
    expect(model.requests).toHaveLength(1)
    expect(model.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`)
    expect(proxy.token).not.toContain(API_KEY)
    // what codex sends for the turn arrives: its own identification headers, the body unchanged
    expect(model.requests[0]?.headers.originator).toBe('codex_sdk_ts')
    expect(model.requests[0]?.body.input).toEqual(expect.arrayContaining([expect.objectContaining({ role: 'user' })]))
  })

  it('forwards to a base URL with a path prefix and a query, keeping both', async () => {
    const model = await scriptedModel(() => ({ message: 'prefixed' }))
    const upstream = await upstreamWith(relayTo(model))
    const proxy = await proxyTo(`${upstream.origin}/openai/v1?api-version=preview`)
    const turn = await codexThrough(proxy).startThread({ skipGitRepoCheck: true }).run('hello')

    expect(turn.finalResponse).toBe('prefixed')
    expect(upstream.received.map((request) => `${request.method} ${request.url}`)).toEqual([
      'POST /openai/v1/responses?api-version=preview'
    ])
    expect(upstream.received[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`)
  })

  it('lets codex recognise an Azure endpoint behind it, as it would the endpoint itself', async () => {
    const upstream = await upstreamWith(relayTo(await scriptedModel(commandThenMessage('echo hi', 'from azure'))))
    const { port } = new URL(upstream.origin)
    // the Azure host name resolves to the local stand-in
    const toLoopback = new Agent({
      connect: {
        lookup: (_host: string, _options: unknown, callback: (error: null, addresses: object[]) => void) =>
          callback(null, [{ address: '127.0.0.1', family: 4 }])
      } as object
    })
    cleanups.push(() => toLoopback.close())
    const proxy = await proxyTo(`http://example.openai.azure.com:${port}/openai/v1`, toLoopback)
    // compacting mid-turn, after the command: codex compacts remotely only on endpoints it knows (OpenAI's, Azure's)
    const codex = codexThrough(proxy, tempDir('home'), { model_auto_compact_token_limit: 50 })
    const turn = codex.startThread({ skipGitRepoCheck: true }).run('hello')

    // the scripted model cannot compact, and says so through codex's remote compaction alone
    await expect(turn).rejects.toThrow(/remote compact/)
    expect(upstream.received[0]?.url).toBe('/openai/v1/responses')
    expect(upstream.received[0]?.headers.host).toBe(`example.openai.azure.com:${port}`)
    expect(upstream.received[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`)
  })

  it('keeps the key out of every environment and CODEX_HOME file the agent can read, under danger-full-access', async () => {
    const codexHome = tempDir('home')
    const repo = tempRepo()
    const search = [
      // every process the agent can see, codex's own included
      `for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < "$f"; done 2>/dev/null | grep -E 'CODEX_API_KEY|${KEY_PATTERN}' | sort -u`,
      `env | grep -cE '${KEY_PATTERN}'`,
      `grep -rlE '${KEY_PATTERN}' "$CODEX_HOME" "$HOME" . 2>/dev/null`,
      'echo searched'
    ].join('; ')
    const script: ModelScript = (request) => (answersToolCall(request) ? { message: 'Searched.' } : { command: search })
    const model = await scriptedModel(script)
    const proxy = await proxyTo(model.url)
    const thread = codexThrough(proxy, codexHome).startThread({
      workingDirectory: repo,
      sandboxMode: 'danger-full-access'
    })
    const turn = await thread.run('Find the API key.')

    expect(turn.finalResponse).toBe('Searched.')
    const output = commandOutput(model.requests[1])
    expect(output).toContain('searched')
    // the search reached codex's environment: it holds the token, which is all it has
    expect(output).toContain(`CODEX_API_KEY=${proxy.token}`)
    expect(output).not.toContain(API_KEY)
    expect(output).not.toMatch(new RegExp(KEY_PATTERN))
    for (const request of model.requests) expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`)
    const files = filesUnder(codexHome)
    expect(files.some((file) => file.includes('sessions'))).toBe(true)
    for (const file of files) expect(readFileSync(file, 'latin1'), file).not.toContain(API_KEY)
  })
})

describe('what the model proxy refuses', () => {
  it('refuses a request without the token, or with another, before it reaches upstream and with no body', async () => {
    const upstream = await upstreamWith((_request, res) => void res.end('{}'))
    const proxy = await proxyTo(`${upstream.origin}/v1`)
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-token' },
      { authorization: `Bearer ${proxy.token}x` },
      { authorization: proxy.token },
      { 'api-key': proxy.token },
      { authorization: `Bearer ${API_KEY}` }
    ]
    for (const headers of attempts) {
      const answer = await post(proxy, '/responses', { headers })
      expect(answer.status, JSON.stringify(headers)).toBe(401)
      expect(await answer.text()).toBe('')
    }
    expect(upstream.received).toEqual([])
  })

  it('forwards only the Responses calls, and only as POST', async () => {
    const upstream = await upstreamWith((_request, res) => void res.end('{}'))
    const proxy = await proxyTo(`${upstream.origin}/v1`)
    const token = { authorization: `Bearer ${proxy.token}` }
    const refusals = await Promise.all([
      post(proxy, '/models', { method: 'GET', body: null, headers: token }),
      post(proxy, '/files'),
      post(proxy, '/responses/resp_1'),
      post(proxy, '/../v1/chat/completions'),
      fetch(`${new URL(proxy.baseUrl).origin}/v1/responses`, { method: 'POST', headers: token }),
      post(proxy, '/responses', { method: 'GET', body: null, headers: token }),
      post(proxy, '/responses', { method: 'DELETE', body: null, headers: token })
    ])
    expect(refusals.map((answer) => answer.status)).toEqual([404, 404, 404, 404, 404, 405, 405])
    expect(upstream.received).toEqual([])

    expect((await post(proxy, '/responses/compact')).status).toBe(200)
    expect(upstream.received.map((request) => request.url)).toEqual(['/v1/responses/compact'])
  })

  it('passes an upstream error through as it came, with the key blanked out', async () => {
    const upstream = await upstreamWith((_request, res) => {
      res.writeHead(401, { 'content-type': 'application/json', 'x-request-id': 'req_42' })
      res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${API_KEY}.` } }))
    })
    const proxy = await proxyTo(`${upstream.origin}/v1`)
    const answer = await post(proxy, '/responses')

    expect(answer.status).toBe(401)
    expect(answer.headers.get('x-request-id')).toBe('req_42')
    expect(await answer.json()).toEqual({ error: { message: 'Incorrect API key provided: ***.' } })
  })

  it('answers 502 naming no address or key when upstream cannot be reached', async () => {
    const upstream = await startUpstream(() => undefined)
    await upstream.close()
    const proxy = await proxyTo(`${upstream.origin}/v1`)
    const answer = await post(proxy, '/responses')

    expect(answer.status).toBe(502)
    const text = await answer.text()
    expect(text).toContain('ECONNREFUSED')
    expect(text).not.toContain(API_KEY)
  })

  it('stops answering once closed', async () => {
    const upstream = await upstreamWith((_request, res) => void res.end('{}'))
    const proxy = await startModelProxy({ upstreamBaseUrl: `${upstream.origin}/v1`, apiKey: API_KEY })
    expect((await post(proxy, '/responses')).status).toBe(200)
    await proxy.close()
    await expect(post(proxy, '/responses')).rejects.toThrow()
  })
})

describe('streaming through the model proxy', () => {
  it('hands on the first event while upstream still holds the stream open', async () => {
    let finish = (): void => undefined
    const held = new Promise<void>((resolve) => (finish = resolve))
    const upstream = await upstreamWith(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('event: response.created\ndata: {"type":"response.created"}\n\n')
      await held
      res.end('event: response.completed\ndata: {"type":"response.completed"}\n\n')
    })
    const proxy = await proxyTo(`${upstream.origin}/v1`)
    const answer = await post(proxy, '/responses')
    expect(answer.headers.get('content-type')).toBe('text/event-stream')
    const reader = answer.body!.pipeThrough(new TextDecoderStream()).getReader()

    // a buffering proxy never gets here: upstream finishes only after this first read
    const first = await reader.read()
    expect(first.value).toContain('response.created')
    expect(first.value).not.toContain('response.completed')
    finish()
    let rest = ''
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += chunk.value
    expect(rest).toContain('response.completed')
  })

  it('ends the upstream request when codex goes away mid-stream', async () => {
    let upstreamClosed = (): void => undefined
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve))
    const upstream = await upstreamWith((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('event: response.created\ndata: {}\n\n')
      res.once('close', () => upstreamClosed())
    })
    const proxy = await proxyTo(`${upstream.origin}/v1`)
    const controller = new AbortController()
    const answer = await post(proxy, '/responses', { signal: controller.signal })
    await answer.body!.getReader().read()
    controller.abort()
    // resolves only if the proxy closed its upstream request
    await closed
    expect(upstream.received).toHaveLength(1)
  })
})
