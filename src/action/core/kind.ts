import type { OutputSchema } from '../settings/settings.js'
import type { TurnReport } from './report.js'

/**
 * What differs between a turn on the user's prompt, a review and an answer to a comment: the
 * prompt, the schema of the response, and what is published besides the common surfaces.
 */
export interface TurnKind {
  /** The request as the thread's transcript keeps it. */
  request: string
  /** What the agent is asked, before the data block. */
  instructions: string
  /** More facts for the data block, each already quoted where untrusted. */
  facts: string[]
  outputSchema?: OutputSchema
  /** Runs once the turn has been admitted and is about to start. */
  started?(): Promise<void>
  /** Publishes what this kind of turn adds (the review, the answer); records it on the report. */
  publish?(report: TurnReport): Promise<void>
}

/** The user's prompt, as it is. */
export function promptTurn(prompt: string, outputSchema: OutputSchema | undefined): TurnKind {
  return { request: prompt, instructions: prompt, facts: [], outputSchema }
}
