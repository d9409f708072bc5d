import type { SandboxMode } from '../../sdk/index.js'
import type { Dismissal, ReviewPause, ReviewState } from './findings.js'
import type { OutputSchema } from './outputSchema.js'
import type { KindOutcome, TurnReport } from './report.js'

/** What a turn kind publishes, and what the PR thread's record keeps of it. */
export interface KindPublished extends KindOutcome {
  /** Review mode: the state the next review starts from. */
  reviewState?: ReviewState
  /** Findings the team dismissed, found by this turn: kept for every later review. */
  dismissed?: Dismissal[]
  /** The pause or resume command: whether automatic reviews run from now on. */
  pause?: ReviewPause
}

/**
 * A turn's kind: the user's prompt, a review, or an answer to a comment. What differs between
 * them: the prompt, the schema of the response, and what is published besides the common surfaces.
 */
export interface TurnKind {
  /** The request as the thread's transcript keeps it. */
  request: string
  /** What the agent is asked, before the data block. */
  instructions: string
  /** More facts for the data block, each already quoted where untrusted. */
  facts: string[]
  outputSchema?: OutputSchema
  /** The sandbox this kind's turn runs in, whatever the sandbox input says (the fix command writes the checkout). */
  sandbox?: SandboxMode
  /** Set by a command that needs no model: this text is the turn's answer, and codex is not run. */
  answerWithoutModel?: string
  /** Runs once the turn has been admitted and is about to start. */
  started?(): Promise<void>
  /** Publishes what this kind of turn adds (the review, the answer), once the turn has ended. */
  publish?(report: TurnReport): Promise<KindPublished>
}
