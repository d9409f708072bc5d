import { buildExecArgs } from './args.js'
import {
  CodexCancelledError,
  CodexError,
  CodexExecError,
  CodexExecutableNotFoundError,
  CodexStructuredResponseError,
  CodexThreadRunError,
  type PartialTurn
} from './errors.js'
import { EventParseError, parseEventLine, type ThreadEvent, type ThreadItem, type Usage } from './events.js'
import type { CodexLogger, CodexOptions, Input, OutputOf, OutputType, ThreadOptions, TurnOptions } from './options.js'
import { restoreOptionalNulls, strictSchemaFromZod, strictSchemaProblems, writeSchemaFile } from './outputSchema.js'
import { startProcess } from './process.js'
import { findSession, recordedTotal, sessionsDir, usageSince, type RecordedSession } from './usage.js'
import { describeIssues } from '../shared/checks.js'

/** A turn codex completed. */
export interface Turn<T = unknown> {
  items: ThreadItem[]
  finalResponse: string
  /**
   * The tokens codex reports in `turn.completed`, passed on as @openai/codex-sdk does. On a new
   * thread they are the turn's own; on a resumed thread (codex 0.169) they are the thread's
   * running total: every model response since the thread started, this turn's included, and
   * compaction requests too. For what the turn itself cost, read `turnUsage`.
   */
  usage: Usage | null
  /**
   * This turn's own tokens: `usage` less the thread's total as codex recorded it in its session
   * file (`$CODEX_HOME/sessions`, the last `token_count` event) before the turn started, so it
   * holds in a new process too. Equals `usage` on a new thread; null when `usage` is, or when
   * the thread's session file was not found (a warning says so).
   */
  turnUsage: Usage | null
  /**
   * The final response parsed as JSON (and validated by `outputType`), computed when first read
   * and then kept; undefined when neither `outputType` nor `outputSchema` was given. Reading it
   * throws CodexStructuredResponseError when the response is not JSON or does not match: the
   * turn itself, its items and usage, is never lost to an off-schema answer.
   */
  readonly structuredResponse: T
}

/** The official SDK's name for a completed turn. */
export type RunResult<T = unknown> = Turn<T>

export interface StreamedTurn<T = unknown> {
  /** Fails on the first read when the turn cannot start (aborted signal, refused schema, no codex). */
  events: AsyncGenerator<ThreadEvent>
  /** Settles once `events` has been consumed: the turn, or the error the events ended with. */
  result: Promise<Turn<T>>
}

/** The official SDK's name for a streamed turn. */
export type RunStreamedResult<T = unknown> = StreamedTurn<T>

/** The user's output schema was refused before codex was started. */
export class CodexOutputSchemaError extends CodexError {
  constructor(readonly problems: string[]) {
    super(`outputSchema would be rejected by the Responses API's strict mode: ${problems.join('; ')}`)
  }
}

/** What a Thread needs from its Codex: how to start the process and with what. */
export interface ThreadRuntime {
  options: CodexOptions
  logger: CodexLogger
  executable(): string
  env(): Record<string, string>
}

type Schemas = { original?: Record<string, unknown>; strict?: Record<string, unknown> }

/** What a turn has produced so far. */
type TurnState = { items: Map<string, ThreadItem>; finalResponse: string; usage: Usage | null; turnUsage: Usage | null }

/** A conversation with the agent; each run is one turn. Its id is known once the first turn starts. */
export class Thread {
  #id: string | null

  /** @internal created through Codex.startThread / Codex.resumeThread */
  constructor(
    private readonly runtime: ThreadRuntime,
    private readonly threadOptions: ThreadOptions,
    id: string | null = null
  ) {
    this.#id = id
  }

  get id(): string | null {
    return this.#id
  }

  async run<S extends OutputType>(
    input: Input,
    turnOptions: TurnOptions<S> & { outputType: S }
  ): Promise<Turn<OutputOf<S>>>
  async run(input: Input, turnOptions?: TurnOptions): Promise<Turn>
  async run(input: Input, turnOptions: TurnOptions = {}): Promise<Turn> {
    const { events, result } = await this.runStreamed(input, turnOptions)
    for await (const event of events) void event
    return result
  }

  runStreamed<S extends OutputType>(
    input: Input,
    turnOptions: TurnOptions<S> & { outputType: S }
  ): Promise<StreamedTurn<OutputOf<S>>>
  runStreamed(input: Input, turnOptions?: TurnOptions): Promise<StreamedTurn>
  // a promise as @openai/codex-sdk's is, though nothing here waits: a turn that cannot start
  // fails on the first read of `events`
  runStreamed(input: Input, turnOptions: TurnOptions = {}): Promise<StreamedTurn> {
    let settle!: { resolve: (turn: Turn) => void; reject: (error: unknown) => void }
    const result = new Promise<Turn>((resolve, reject) => (settle = { resolve, reject }))
    // Callers that only iterate the events must not get an unhandled rejection.
    result.catch(() => {})
    const state: TurnState = { items: new Map(), finalResponse: '', usage: null, turnUsage: null }
    const turnEvents = this.turnEvents(input, turnOptions, state)
    const partial = (): PartialTurn => this.partial(state)
    async function* events(): AsyncGenerator<ThreadEvent> {
      let settled = false
      try {
        const turn = yield* turnEvents
        settled = true
        settle.resolve(turn)
      } catch (error) {
        settled = true
        settle.reject(error)
        throw error
      } finally {
        if (!settled) settle.reject(new CodexCancelledError(partial(), 'the events were not consumed'))
      }
    }
    return Promise.resolve({ events: events(), result })
  }

  private partial(state?: TurnState): PartialTurn {
    if (!state) return emptyPartial(this.#id)
    return {
      items: [...state.items.values()],
      finalResponse: state.finalResponse,
      usage: state.usage,
      turnUsage: state.turnUsage,
      threadId: this.#id
    }
  }

  private async *turnEvents(
    input: Input,
    turnOptions: TurnOptions,
    state: TurnState
  ): AsyncGenerator<ThreadEvent, Turn> {
    // Everything that can be refused is refused on the first read, before a process exists, as
    // @openai/codex-sdk does: `await runStreamed()` itself never rejects.
    if (turnOptions.signal?.aborted) throw new CodexCancelledError(this.partial(), turnOptions.signal.reason)
    const schemas = prepareSchemas(turnOptions)
    const executable = this.runtime.executable()
    const { prompt, images } = normalizeInput(input)
    let failure: string | undefined
    const schemaFile = schemas.strict ? await writeSchemaFile(schemas.strict) : undefined
    const { options } = this.runtime
    const env = this.runtime.env()
    const session = this.sessionBefore(env)
    const child = startProcess({
      executable,
      args: buildExecArgs({
        config: options.config,
        configOverrides: options.configOverrides,
        baseUrl: options.baseUrl,
        providerUsesKey: Boolean(env.CODEX_API_KEY),
        thread: this.threadOptions,
        outputSchemaPath: schemaFile?.schemaPath,
        cyberAccessProgram: turnOptions.cyberAccessProgram,
        threadId: this.#id,
        images
      }),
      env,
      stdin: prompt,
      signal: turnOptions.signal
    })
    try {
      for await (const line of child.lines) {
        if (!line.trim()) continue
        const parsed = parseEventLine(line)
        if ('skipped' in parsed) {
          this.runtime.logger.warn(`codex-sdk: skipped ${parsed.skipped}`)
          continue
        }
        const { event } = parsed
        switch (event.type) {
          case 'thread.started':
            this.#id = event.thread_id
            break
          case 'item.started':
          case 'item.updated':
          case 'item.completed':
            state.items.set(event.item.id, event.item)
            if (event.type === 'item.completed' && event.item.type === 'agent_message')
              state.finalResponse = event.item.text
            break
          case 'turn.completed':
            state.usage = event.usage
            state.turnUsage = await this.turnUsage(event.usage, session)
            break
          case 'turn.failed':
            failure = event.error.message
            break
          case 'error':
            // codex reports retries ("Reconnecting… 1/5") this way; turn.failed is the failure.
            this.runtime.logger.warn(`codex: ${event.message}`)
            break
        }
        yield event
      }
      const exit = await child.exit
      if (turnOptions.signal?.aborted) throw new CodexCancelledError(this.partial(state), turnOptions.signal.reason)
      if (exit.spawnError) {
        throw exit.spawnError.code === 'ENOENT' || exit.spawnError.code === 'EACCES'
          ? new CodexExecutableNotFoundError(`Could not start codex at ${executable}: ${exit.spawnError.message}`, [
              executable
            ])
          : new CodexExecError(
              `Could not start codex: ${exit.spawnError.message}`,
              this.partial(state),
              null,
              exit.stderr
            )
      }
      if (failure !== undefined) throw new CodexThreadRunError(failure, this.partial(state))
      if (exit.exitCode !== 0) {
        // worded as @openai/codex-sdk words it, for callers that match on it
        const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.exitCode}`
        const tail = exit.stderr.trim()
        throw new CodexExecError(
          `Codex Exec exited with ${how}${tail ? `: ${lastLines(tail, 20)}` : ''}`,
          this.partial(state),
          exit.exitCode,
          exit.stderr
        )
      }
      const done = this.partial(state)
      return new CompletedTurn(done, () => parseStructured(done, turnOptions, schemas))
    } catch (error) {
      if (error instanceof EventParseError) {
        await child.kill()
        const exit = await child.exit
        throw new CodexExecError(error.message, this.partial(state), exit.exitCode, exit.stderr, { cause: error })
      }
      throw error
    } finally {
      await child.kill()
      await schemaFile?.cleanup()
    }
  }

  /** The thread's session file before the turn: null for a new thread, 'missing' when not found. */
  private sessionBefore(env: Record<string, string>): RecordedSession | 'missing' | null {
    if (!this.#id) return null
    let session: RecordedSession | null = null
    try {
      session = findSession(sessionsDir(env), this.#id)
    } catch {
      // unreadable: unknown, as when missing
    }
    if (!session) this.runtime.logger.warn(`codex-sdk: no session file for thread ${this.#id}; turnUsage is unknown`)
    return session ?? 'missing'
  }

  private async turnUsage(usage: Usage, session: RecordedSession | 'missing' | null): Promise<Usage | null> {
    if (!session) return usage
    if (session === 'missing') return null
    const before = await recordedTotal(session).catch(() => null)
    const since = before && usageSince(usage, before)
    if (!since)
      this.runtime.logger.warn(`codex-sdk: could not tell this turn's usage from the thread's; turnUsage is unknown`)
    return since
  }
}

function prepareSchemas(turnOptions: TurnOptions): Schemas {
  if (turnOptions.outputType) return strictSchemaFromZod(turnOptions.outputType)
  if (turnOptions.outputSchema) {
    const problems = strictSchemaProblems(turnOptions.outputSchema)
    if (problems.length) throw new CodexOutputSchemaError(problems)
    return { strict: turnOptions.outputSchema as Record<string, unknown> }
  }
  return {}
}

/** A Turn whose structured response is parsed on first read, as acodex's Turn does. */
class CompletedTurn implements Turn {
  items: ThreadItem[]
  finalResponse: string
  usage: Usage | null
  turnUsage: Usage | null
  readonly #parse: () => unknown
  #structured?: { value: unknown } | { error: unknown }

  constructor(partial: PartialTurn, parse: () => unknown) {
    this.#parse = parse
    this.items = partial.items
    this.finalResponse = partial.finalResponse
    this.usage = partial.usage
    this.turnUsage = partial.turnUsage
  }

  get structuredResponse(): unknown {
    if (!this.#structured) {
      try {
        this.#structured = { value: this.#parse() }
      } catch (error) {
        this.#structured = { error }
      }
    }
    if ('error' in this.#structured) throw this.#structured.error
    return this.#structured.value
  }
}

function parseStructured(partial: PartialTurn, turnOptions: TurnOptions, schemas: Schemas): unknown {
  if (!schemas.strict) return undefined
  const text = partial.finalResponse
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new CodexStructuredResponseError('The final response is not JSON', partial, [(error as Error).message], text)
  }
  if (!turnOptions.outputType || !schemas.original) return value
  const parsed = turnOptions.outputType.safeParse(restoreOptionalNulls(value, schemas.original))
  if (parsed.success) return parsed.data
  const issues = describeIssues(parsed.error.issues)
  throw new CodexStructuredResponseError('The final response does not match the output type', partial, issues, text)
}

function normalizeInput(input: Input): { prompt: string; images: string[] } {
  if (typeof input === 'string') return { prompt: input, images: [] }
  const texts: string[] = []
  const images: string[] = []
  for (const part of input) {
    if (part.type === 'text') texts.push(part.text)
    else images.push(part.path)
  }
  return { prompt: texts.join('\n\n'), images }
}

function emptyPartial(threadId: string | null): PartialTurn {
  return { items: [], finalResponse: '', usage: null, turnUsage: null, threadId }
}

function lastLines(text: string, count: number): string {
  return text.split('\n').slice(-count).join('\n')
}
