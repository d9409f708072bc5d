import path from 'node:path'
import type { ReviewOutcome } from './findings.js'
import type { CommandExecutionItem, ThreadEvent, ThreadItem, TodoListItem, Usage } from '../../sdk/index.js'
import { addUsage } from './usage.js'

export type Conclusion = 'success' | 'failure' | 'cancelled' | 'timed_out' | 'skipped'
export type TurnStatus = Conclusion | 'running'

/** What the agent is doing: a verb in words, and what it acts on, as the agent wrote it. */
export interface Activity {
  verb: string
  subject?: string
}

/** What is known of a turn before it starts. */
export interface TurnFacts {
  /** Changed paths are shown relative to this folder when inside it. */
  workingDirectory?: string
  /** The request as the thread's transcript keeps it. */
  request?: string
  /** Whether the turn continues a codex thread kept from an earlier run. */
  resumed?: boolean
  /** The login of who asked for the turn, when the event names one. */
  requestedBy?: string
  /** The PR thread's tokens before this turn, as its record keeps them. */
  threadUsageBefore?: Usage
}

/** What a turn kind published besides the common surfaces. */
export interface KindOutcome {
  /** Review mode: what the review posted. */
  review?: ReviewOutcome
  /** A comment's turn: where the answer was posted. */
  answerUrl?: string
}

/**
 * Everything known about the turn: what the log, the summary, the comment and the outputs show.
 * Its state changes only through the methods below, fed by what each stage of the run returns.
 */
export class TurnReport {
  status: TurnStatus = 'running'
  threadId: string | null = null
  readonly resumed: boolean
  readonly request: string
  readonly workingDirectory?: string
  finalResponse = ''
  structuredOutput: unknown = undefined
  /** This turn's own tokens; null while unknown. */
  usage: Usage | null = null
  readonly threadUsageBefore: Usage
  readonly requestedBy?: string
  /** Why the turn did not succeed, on one or more lines. */
  error?: string
  readonly startedAt = Date.now()
  finishedAt?: number
  /** Review mode: what the review posted. */
  review?: ReviewOutcome
  /** A comment's turn: where the answer was posted. */
  answerUrl?: string
  readonly #items = new Map<string, ThreadItem>()

  constructor(
    readonly runUrl: string,
    facts: TurnFacts = {}
  ) {
    this.workingDirectory = facts.workingDirectory
    this.request = facts.request ?? ''
    this.resumed = facts.resumed ?? false
    this.requestedBy = facts.requestedBy
    this.threadUsageBefore = addUsage(facts.threadUsageBefore)
  }

  /** A run that starts no turn, and why. */
  static skipped(runUrl: string, reason: string, facts: TurnFacts = {}): TurnReport {
    const report = new TurnReport(runUrl, facts)
    report.finish('skipped', reason)
    return report
  }

  /** Folds one event into the report. */
  apply(event: ThreadEvent): void {
    switch (event.type) {
      case 'thread.started':
        this.threadId = event.thread_id
        break
      case 'item.started':
      case 'item.updated':
      case 'item.completed':
        this.#items.set(event.item.id, event.item)
        if (event.type === 'item.completed' && event.item.type === 'agent_message') this.finalResponse = event.item.text
        break
      case 'turn.failed':
        this.error = event.error.message
        break
    }
  }

  /**
   * The turn's own tokens (the SDK's turnUsage): on a resumed thread codex's `turn.completed`
   * reports the codex thread's running total instead, so its events do not set them.
   */
  countUsage(turnUsage: Usage | null): void {
    this.usage = turnUsage
  }

  /** Takes in what a failed or cancelled turn had produced beyond the events seen. */
  absorb(partial: {
    items: ThreadItem[]
    finalResponse: string
    turnUsage: Usage | null
    threadId: string | null
  }): void {
    for (const item of partial.items) this.#items.set(item.id, item)
    if (partial.finalResponse) this.finalResponse = partial.finalResponse
    this.usage ??= partial.turnUsage
    this.threadId ??= partial.threadId
  }

  /** The final response as the output schema validated it. */
  acceptStructured(value: unknown): void {
    this.structuredOutput = value
  }

  /** What the turn's kind published. */
  addOutcome(outcome: KindOutcome): void {
    this.review = outcome.review
    this.answerUrl = outcome.answerUrl
  }

  finish(status: Conclusion, error?: string): void {
    this.status = status
    if (error !== undefined) this.error = error
    this.finishedAt = Date.now()
  }

  get items(): ThreadItem[] {
    return [...this.#items.values()]
  }

  get commands(): CommandExecutionItem[] {
    return this.items.filter((item): item is CommandExecutionItem => item.type === 'command_execution')
  }

  /** Paths the agent added, updated or deleted, each once, in the order first changed. */
  get changedFiles(): string[] {
    const paths = this.items.flatMap((item) =>
      item.type === 'file_change' && item.status !== 'failed'
        ? item.changes.map((change) => displayPath(change.path, this.workingDirectory))
        : []
    )
    return [...new Set(paths)]
  }

  get todoList(): TodoListItem | undefined {
    return this.items.filter((item): item is TodoListItem => item.type === 'todo_list').at(-1)
  }

  /** What the agent is doing now, for progress displays. */
  get currentStep(): Activity {
    const running = this.items.filter((item) => 'status' in item && item.status === 'in_progress').at(-1)
    switch (running?.type) {
      case 'command_execution':
        return { verb: 'Running', subject: displayCommand(running.command) }
      case 'mcp_tool_call':
        return { verb: 'Calling', subject: `${running.server}.${running.tool}` }
      case 'file_change':
        return {
          verb: 'Editing',
          subject: running.changes.map((change) => displayPath(change.path, this.workingDirectory)).join(', ')
        }
    }
    const last = this.items.at(-1)
    if (last?.type === 'web_search') return { verb: 'Searching the web for', subject: last.query }
    if (last?.type === 'reasoning') return { verb: 'Thinking' }
    return { verb: last ? 'Working' : 'Starting' }
  }

  /** The PR thread's tokens with this turn's: across every codex thread it ran in, reseeds included. */
  get threadUsage(): Usage {
    return addUsage(this.threadUsageBefore, this.usage)
  }

  get durationMs(): number {
    return (this.finishedAt ?? Date.now()) - this.startedAt
  }
}

/**
 * codex reports absolute paths; inside the working directory they read (and serve a later step's
 * `git add`) better relative to it.
 */
export function displayPath(file: string, workingDirectory: string | undefined): string {
  if (!workingDirectory || !path.isAbsolute(file)) return file
  const relative = path.relative(workingDirectory, file)
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file
}

/** The command as the agent wrote it, without the shell wrapper codex runs it in. */
export function displayCommand(command: string): string {
  const single = /^(?:\/\S*\/)?(?:bash|zsh|sh) -l?c '((?:[^']|'\\'')*)'$/.exec(command)
  if (single) return single[1]!.replace(/'\\''/g, "'")
  // in double quotes the shell takes a backslash away only before \ " $ and `
  const double = /^(?:\/\S*\/)?(?:bash|zsh|sh) -l?c "((?:[^"\\]|\\.)*)"$/s.exec(command)
  return double ? double[1]!.replace(/\\([\\"$`])/g, '$1') : command
}
