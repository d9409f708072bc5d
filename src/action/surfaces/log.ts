import * as core from '@actions/core'
import { randomUUID } from 'node:crypto'
import type { ThreadEvent, ThreadItem, TodoListItem } from '../../sdk/index.js'
import { formatDuration, oneLine } from '../../shared/text.js'
import { displayCommand, displayPath, type TurnReport } from '../core/report.js'
import { formatTodo, formatUsage, STATUS } from './format.js'

/**
 * The job-log operations the streamer needs; @actions/core provides them in the action. Every
 * operation but `info` may carry text the action did not write (the agent's, codex's, a file's).
 */
export interface LogSink {
  /** A line of the action's own. */
  info(message: string): void
  /** Text the action did not write: shown as it is, never read as a workflow command. */
  echo(text: string): void
  debug(message: string): void
  warning(message: string): void
  startGroup(title: string): void
  endGroup(): void
}

/** Group titles are one line: the runner writes the title into the log with its line breaks unescaped. */
const GROUP_TITLE_LIMIT = 300

/**
 * The runner's job log. The toolkit escapes line breaks and `%` in a command's data, so debug,
 * warning and group text cannot start a line of its own; `##[` is broken since the runner reads
 * that older form anywhere in a line.
 */
export const jobLog: LogSink = {
  info: (message) => core.info(message),
  echo: (text) => core.info(inert(text)),
  debug: (message) => core.debug(breakLogCommands(message)),
  warning: (message) => core.warning(breakLogCommands(message)),
  startGroup: (title) => core.startGroup(breakLogCommands(oneLine(title, GROUP_TITLE_LIMIT))),
  endGroup: () => core.endGroup()
}

/** Breaks every `##[` (the runner's older command form, read anywhere in a line) with a zero-width space. */
export function breakLogCommands(text: string): string {
  return text.replaceAll('##[', '#\u200b#[')
}

/**
 * The text between `::stop-commands::` and the line that resumes commands, the toolkit's way of
 * printing what may hold `::add-mask::`, `::stop-commands::` or any other command. The token is
 * fresh for each window, so no text can know it and end the window early; one call writes the
 * whole window, so no line of the action's own (a warning, a group) can fall inside it.
 */
export function inert(text: string): string {
  const token = randomUUID()
  return `::stop-commands::${token}\n${breakLogCommands(text)}\n::${token}::`
}

/** Command output kept in the log per command; the rest is cut from the middle. */
const LOG_OUTPUT_LIMIT = 64 * 1024

/** Writes a turn into the job log as it happens: one readable line or group per step. */
export class LogStreamer {
  readonly #commandStarts = new Map<string, number>()
  #lastTodo = ''

  constructor(
    private readonly sink: LogSink,
    /** Changed paths are shown relative to this folder when inside it. */
    private readonly workingDirectory?: string
  ) {}

  handle(event: ThreadEvent): void {
    switch (event.type) {
      case 'thread.started':
        this.sink.echo(`🧵 Thread ${event.thread_id}`)
        break
      case 'item.started':
      case 'item.updated':
      case 'item.completed':
        this.item(event.type, event.item)
        break
      case 'turn.failed':
        this.sink.warning(`Turn failed: ${event.error.message}`)
        break
      case 'error':
        this.sink.warning(`codex: ${event.message}`)
        break
    }
  }

  /** The closing line: outcome, duration, and the tokens of the turn and of the PR's thread so far. */
  close(report: TurnReport): void {
    const { icon, word } = STATUS[report.status]
    this.sink.info(
      `${icon} Turn ${word} in ${formatDuration(report.durationMs)} · ${formatUsage(report.usage)} · this PR's thread: ${formatUsage(report.threadUsage)}`
    )
  }

  private item(phase: 'item.started' | 'item.updated' | 'item.completed', item: ThreadItem): void {
    switch (item.type) {
      case 'command_execution':
        if (phase === 'item.started') {
          this.#commandStarts.set(item.id, Date.now())
          this.sink.echo(`▶ $ ${displayCommand(item.command)}`)
        } else if (phase === 'item.completed') {
          const started = this.#commandStarts.get(item.id)
          const took = started === undefined ? '' : `, ${formatDuration(Date.now() - started)}`
          const exit = item.exit_code ?? (item.status === 'completed' ? 0 : '?')
          this.sink.startGroup(
            `${item.status === 'completed' && exit === 0 ? '✔' : '✖'} $ ${displayCommand(item.command)} (exit ${exit}${took})`
          )
          this.sink.echo(clipOutput(item.aggregated_output) || '(no output)')
          this.sink.endGroup()
        }
        break
      case 'agent_message':
        if (phase === 'item.completed') this.sink.echo(`💬 ${item.text}`)
        break
      case 'reasoning':
        if (phase === 'item.completed') this.sink.debug(`reasoning: ${item.text}`)
        break
      case 'file_change':
        if (phase === 'item.completed') {
          const verb = item.status === 'completed' ? 'Changed files' : 'File change failed'
          this.sink.echo(
            `📝 ${verb}:\n${item.changes.map((change) => `  ${change.kind.padEnd(6)} ${displayPath(change.path, this.workingDirectory)}`).join('\n')}`
          )
        }
        break
      case 'todo_list':
        this.todo(item)
        break
      case 'mcp_tool_call':
        if (phase === 'item.started') this.sink.echo(`🔧 ${item.server}.${item.tool}`)
        else if (phase === 'item.completed') {
          const outcome = item.status === 'completed' ? 'done' : `failed${item.error ? `: ${item.error.message}` : ''}`
          this.sink.echo(`🔧 ${item.server}.${item.tool} ${outcome}`)
        }
        break
      case 'web_search':
        if (phase === 'item.started') this.sink.echo(`🔎 Searching the web: ${item.query}`)
        break
      case 'error':
        this.sink.warning(item.message)
        break
    }
  }

  private todo(item: TodoListItem): void {
    const text = formatTodo(item)
    if (text === this.#lastTodo) return
    this.#lastTodo = text
    this.sink.echo(`📋 Plan:\n${text}`)
  }
}

/** Keeps the head and tail of a long output so the log stays readable and bounded. */
export function clipOutput(output: string, limit = LOG_OUTPUT_LIMIT): string {
  if (output.length <= limit) return output.replace(/\n$/, '')
  const half = Math.floor(limit / 2)
  const cut = output.length - 2 * half
  return `${output.slice(0, half)}\n… ${cut} characters cut …\n${output.slice(-half)}`.replace(/\n$/, '')
}
