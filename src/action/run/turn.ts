import { CodexCancelledError, CodexTurnError, type Thread, type ThreadEvent, type ThreadItem } from '../../sdk/index.js'
import type { Redactor } from '../core/redact.js'
import type { OutputSchema } from '../core/outputSchema.js'
import { TurnGuard } from './guard.js'
import type { TurnReport } from '../core/report.js'

interface TurnRequest {
  thread: Thread
  input: string
  outputSchema?: OutputSchema
  timeoutMs: number
  /** The signals that cancel the turn (the runner sends SIGINT, then SIGTERM 7.5 s later). */
  cancelSignals: NodeJS.Signals[]
  redactor: Redactor
  /** Sees each event once the report has taken it in, already redacted. */
  onEvent(event: ThreadEvent): void
}

/**
 * Runs the turn to its end, whatever ends it (completion, a failure, cancellation, the timeout):
 * the report says how it ended and keeps everything the agent produced. Never throws.
 */
export async function runTurn(report: TurnReport, request: TurnRequest): Promise<void> {
  const { redactor, outputSchema } = request
  const guard = new TurnGuard(request.timeoutMs, request.cancelSignals)
  try {
    const { events, result } = await request.thread.runStreamed(request.input, {
      outputSchema: outputSchema?.schema,
      signal: guard.signal
    })
    for await (const raw of events) {
      // redacted at the source, so no truncation or escaping downstream can split a secret
      const event = redactor.redactValue(raw) as ThreadEvent
      report.apply(event)
      guard.observe(event)
      request.onEvent(event)
    }
    const turn = await result
    report.countUsage(turn.turnUsage)
    report.finish('success')
    if (outputSchema) {
      const problems = outputSchema.validate(turn.structuredResponse)
      if (problems.length)
        report.finish(
          'failure',
          `The final response does not match output-schema:\n${problems.map((line) => `- ${line}`).join('\n')}`
        )
      else report.acceptStructured(redactor.redactValue(turn.structuredResponse))
    }
  } catch (error) {
    if (error instanceof CodexTurnError) {
      report.absorb({
        items: redactor.redactValue(error.partial.items) as ThreadItem[],
        finalResponse: redactor.redact(error.partial.finalResponse),
        turnUsage: error.partial.turnUsage,
        threadId: error.partial.threadId
      })
      const stopped = error instanceof CodexCancelledError ? guard.reason : undefined
      if (stopped) report.finish(stopped.kind === 'unreachable' ? 'failure' : stopped.kind, stopped.message)
      else report.finish('failure', redactor.redact(error.message))
    } else {
      // whatever else stopped the turn (codex could not start, a fault of ours), the comment
      // must not be left saying "Working…"
      report.finish('failure', redactor.redact((error as Error).message))
    }
  } finally {
    guard.dispose()
  }
}
