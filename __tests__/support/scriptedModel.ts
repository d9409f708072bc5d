import http from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A scripted stand-in for the Responses API (POST /v1/responses, server-sent events), so the real
 * codex CLI can be driven offline. Only the model is scripted; everything else is real.
 */
export type ModelReply =
  | { message: string }
  | { command: string }
  | { status: number; body?: string }
  /** Opens the stream and never finishes it: for cancellation. */
  | { hang: true }
  /** Sends the message after a delay, for tests of progress and timing. */
  | { message: string; delayMs: number }

export interface ModelRequest {
  body: Record<string, unknown> & { input?: Array<Record<string, unknown>>; text?: { format?: { type?: string } } }
  headers: http.IncomingHttpHeaders
  /** The request's path, e.g. `/v1/responses`. */
  path: string
  /** Size of the request body as sent, in bytes. */
  bytes: number
}

/** Token counts of one response, as the Responses API reports them. */
export interface ResponseUsage {
  input_tokens: number
  cached_input_tokens: number
  output_tokens: number
}

export interface ScriptedModelOptions {
  /** The usage each response reports; default: 100 input (20 cached) and 10 output tokens. */
  usage?: (request: ModelRequest) => ResponseUsage
}

/**
 * How long codex waits for a scripted command to finish before handing it back as still running
 * (its default is 10 s, which a loaded machine can exceed): what the model asks for, as a real
 * model may; a command that finishes sooner comes back as soon as it does.
 */
const COMMAND_YIELD_MS = 30_000

const FIXED_USAGE: ResponseUsage = { input_tokens: 100, cached_input_tokens: 20, output_tokens: 10 }

/**
 * Usage that grows with the request, as a real model's does: one input token per 4 bytes of the
 * request body (none cached), 10 output tokens.
 */
export function usageBySize(request: ModelRequest): ResponseUsage {
  return { input_tokens: Math.ceil(request.bytes / 4), cached_input_tokens: 0, output_tokens: 10 }
}

export type ModelScript = (request: ModelRequest, index: number) => ModelReply

export interface ScriptedModel {
  /** Base URL to give codex, ending in /v1. */
  url: string
  requests: ModelRequest[]
  close(): Promise<void>
}

/** Every input text of a request (user, assistant and tool output), to assert what the model saw. */
export function requestText(request: ModelRequest | undefined): string {
  if (!request) throw new Error('the model received no such request')
  return JSON.stringify(request.body.input ?? [])
}

/** The text of the request's latest item when it is a user message, else ''. */
function lastUserText(request: ModelRequest): string {
  const last = request.body.input?.at(-1)
  if (last?.type !== 'message' || last.role !== 'user' || !Array.isArray(last.content)) return ''
  return (last.content as Array<{ text?: unknown }>)
    .map((part) => (typeof part.text === 'string' ? part.text : ''))
    .join('')
}

/**
 * codex's own compaction with a provider other than OpenAI (codex-rs/core/src/compact.rs): the
 * whole history in a plain request, ending with codex's summarization prompt. The model's answer
 * becomes the summary the thread goes on from.
 */
export function isCompactionRequest(request: ModelRequest): boolean {
  return lastUserText(request).includes('CONTEXT CHECKPOINT COMPACTION')
}

/** What the scripted model answers a compaction request with. */
export const COMPACTION_SUMMARY = 'Summary by the scripted model: each turn so far ran one command and answered.'

/**
 * The model has what it asked for: the latest item is a tool result, or the summary codex goes on
 * from after compacting in the middle of a turn. It should now answer.
 */
export function answersToolCall(request: ModelRequest): boolean {
  const input = request.body.input ?? []
  return input.at(-1)?.type === 'function_call_output' || lastUserText(request).includes(COMPACTION_SUMMARY)
}

/** A script that runs `command` first when given, then answers `message`. */
export function commandThenMessage(command: string | undefined, message: string): ModelScript {
  return (request) => (command && !answersToolCall(request) ? { command } : { message })
}

export async function startScriptedModel(
  script: ModelScript,
  options: ScriptedModelOptions = {}
): Promise<ScriptedModel> {
  const requests: ModelRequest[] = []
  let calls = 0
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/responses')) {
        res.writeHead(404).end()
        return
      }
      const body = Buffer.concat(chunks)
      const request: ModelRequest = {
        body: JSON.parse(body.toString('utf8') || '{}') as ModelRequest['body'],
        headers: req.headers,
        path: req.url,
        bytes: body.length
      }
      requests.push(request)
      const index = calls++
      // answered here so that every script survives codex compacting the thread
      const scripted = isCompactionRequest(request) ? { message: COMPACTION_SUMMARY } : script(request, index)
      void reply(res, scripted, index, (options.usage ?? (() => FIXED_USAGE))(request))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

async function reply(
  res: http.ServerResponse,
  scripted: ModelReply,
  index: number,
  usage: ResponseUsage
): Promise<void> {
  if ('status' in scripted) {
    res.writeHead(scripted.status, { 'content-type': 'application/json' })
    res.end(
      scripted.body ??
        JSON.stringify({ error: { message: `scripted failure ${scripted.status}`, type: 'invalid_request_error' } })
    )
    return
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  const send = (type: string, data: Record<string, unknown>): void => {
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`)
  }
  const id = `resp_${index + 1}`
  send('response.created', { response: { id } })
  if ('hang' in scripted) return
  if ('delayMs' in scripted) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs))
  if ('command' in scripted) {
    send('response.output_item.done', {
      item: {
        type: 'function_call',
        name: 'exec_command',
        call_id: `call_${index + 1}`,
        arguments: JSON.stringify({ cmd: scripted.command, yield_time_ms: COMMAND_YIELD_MS })
      }
    })
  } else {
    send('response.output_item.done', {
      item: {
        type: 'message',
        role: 'assistant',
        id: `msg_${index + 1}`,
        content: [{ type: 'output_text', text: scripted.message }]
      }
    })
  }
  send('response.completed', {
    response: {
      id,
      usage: {
        input_tokens: usage.input_tokens,
        input_tokens_details: { cached_tokens: usage.cached_input_tokens },
        output_tokens: usage.output_tokens,
        total_tokens: usage.input_tokens + usage.output_tokens
      }
    }
  })
  res.end()
}
