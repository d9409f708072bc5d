import type { ThreadItem, Usage } from './events.js'

/** What a turn had produced when it stopped: nothing the agent made is lost to an error. */
export interface PartialTurn {
  items: ThreadItem[]
  /** The last agent message seen, or '' when there was none. */
  finalResponse: string
  /** As codex reports it: on a resumed thread, the thread's running total (see Turn.usage). */
  usage: Usage | null
  /** The turn's own tokens (see Turn.turnUsage). */
  turnUsage: Usage | null
  threadId: string | null
}

export class CodexError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
  }
}

/** The codex executable could not be found or started. */
export class CodexExecutableNotFoundError extends CodexError {
  constructor(
    message: string,
    readonly searched: string[] = []
  ) {
    super(message)
  }
}

/** Base of the errors a started turn can end with; each carries what the turn produced so far. */
export class CodexTurnError extends CodexError {
  constructor(
    message: string,
    readonly partial: PartialTurn,
    options?: ErrorOptions
  ) {
    super(message, options)
  }
}

/** The turn was aborted through its AbortSignal. */
export class CodexCancelledError extends CodexTurnError {
  constructor(
    partial: PartialTurn,
    readonly reason?: unknown
  ) {
    super(describeAbortReason(reason), partial)
  }
}

/** The codex process failed without reporting `turn.failed` (non-zero exit, signal, bad output). */
export class CodexExecError extends CodexTurnError {
  constructor(
    message: string,
    partial: PartialTurn,
    readonly exitCode: number | null,
    /** The last few KiB of codex's stderr. */
    readonly stderr: string,
    options?: ErrorOptions
  ) {
    super(message, partial, options)
  }
}

/** Codex reported `turn.failed`: the model or the agent could not finish the turn. */
export class CodexThreadRunError extends CodexTurnError {}

/** The final response did not parse as JSON or did not match the output schema. */
export class CodexStructuredResponseError extends CodexTurnError {
  constructor(
    message: string,
    partial: PartialTurn,
    /** Each validation problem as `path: message`. */
    readonly issues: string[],
    /** The raw final response that failed to parse or validate. */
    readonly response: string
  ) {
    super(issues.length ? `${message}:\n${issues.map((issue) => `- ${issue}`).join('\n')}` : message, partial)
  }
}

function describeAbortReason(reason: unknown): string {
  if (reason instanceof Error && reason.name === 'TimeoutError') return 'Codex turn timed out'
  if (reason instanceof Error && reason.name !== 'AbortError') return `Codex turn cancelled: ${reason.message}`
  if (typeof reason === 'string' && reason) return `Codex turn cancelled: ${reason}`
  return 'Codex turn cancelled'
}
