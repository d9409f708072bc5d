import type { CommandExecutionItem, TodoListItem, Usage } from '../../sdk/index.js'
import { isPlainObject } from '../../shared/checks.js'
import { formatDuration } from '../../shared/text.js'
import { displayCommand, type TurnReport, type TurnStatus } from '../core/report.js'
import { totalTokens } from '../core/usage.js'
import { agentMarkdown, codeBlock, codeSpan, htmlText, plainText, tableCell } from './markdown.js'

/**
 * How every surface names a turn's status. The headline says how the run ended, never what the
 * agent concluded: a finished turn is not a green "approved" above a response asking for changes.
 */
export const STATUS: Record<TurnStatus, { icon: string; word: string; headline: string }> = {
  running: { icon: '⏳', word: 'working', headline: '⏳ Working' },
  success: { icon: '✅', word: 'completed', headline: '🏁 Done' },
  failure: { icon: '❌', word: 'failed', headline: '❌ Failed' },
  cancelled: { icon: '⏹️', word: 'cancelled', headline: '⏹️ Cancelled' },
  timed_out: { icon: '⌛', word: 'timed out', headline: '⌛ Timed out' },
  skipped: { icon: '⏭️', word: 'skipped', headline: '⏭️ Skipped' }
}

/** The level the agent's own `#` becomes: under every heading we write. */
export const AGENT_HEADING_LEVEL = 4

/** Token usage in words, for the job log. */
export function formatUsage(usage: Usage | null): string {
  if (!usage) return 'no token usage reported'
  const written = usage.cache_write_input_tokens ? `, ${usage.cache_write_input_tokens} written to the cache` : ''
  const reasoning = usage.reasoning_output_tokens ? ` (${usage.reasoning_output_tokens} reasoning)` : ''
  return `${usage.input_tokens} input tokens (${usage.cached_input_tokens} cached${written}), ${usage.output_tokens} output tokens${reasoning}`
}

/** Token usage at a glance: 16.5k in · 1.9k out · 12k cached; undefined when none was reported. */
export function shortUsage(usage: Usage | null): string | undefined {
  if (!usage) return undefined
  return [
    `${count(usage.input_tokens)} in`,
    `${count(usage.output_tokens)} out`,
    usage.cached_input_tokens ? `${count(usage.cached_input_tokens)} cached` : undefined,
    usage.cache_write_input_tokens ? `${count(usage.cache_write_input_tokens)} written to cache` : undefined,
    usage.reasoning_output_tokens ? `${count(usage.reasoning_output_tokens)} reasoning` : undefined
  ]
    .filter(Boolean)
    .join(' · ')
}

/** This turn's tokens and the PR thread's, at a glance; undefined when neither is known yet. */
export function turnAndThreadUsage(report: TurnReport): string | undefined {
  const thread = totalTokens(report.threadUsage) ? shortUsage(report.threadUsage) : undefined
  const turn = shortUsage(report.usage)
  if (!thread) return undefined
  return turn ? `this turn ${turn} · this PR ${thread}` : `this PR ${thread}`
}

function count(tokens: number): string {
  if (tokens < 1000) return String(tokens)
  const [value, unit] = tokens < 1_000_000 ? [tokens / 1000, 'k'] : [tokens / 1_000_000, 'M']
  return `${value < 100 ? Number(value.toFixed(1)) : Math.round(value)}${unit}`
}

/** The plan for the job log, one entry a line. */
export function formatTodo(item: TodoListItem): string {
  return item.items.map((entry) => `- [${entry.completed ? 'x' : ' '}] ${entry.text}`).join('\n')
}

/**
 * The plan with plain marks: task-list checkboxes would be clickable, and anyone who may edit the
 * comment could toggle them. While the turn runs, the first open entry is the one under way.
 */
export function planList(item: TodoListItem, running: boolean): string {
  const current = running ? item.items.findIndex((entry) => !entry.completed) : -1
  return item.items
    .map((entry, index) => `- ${entry.completed ? '✅' : index === current ? '🔄' : '⬜'} ${plainText(entry.text)}`)
    .join('\n')
}

/** The agent's commands with their exit codes, running ones marked, as a Markdown table. */
export function commandsTable(commands: CommandExecutionItem[]): string {
  const rows = commands.map((command) => {
    const exit = command.status === 'in_progress' ? '🔄 running' : String(command.exit_code ?? '?')
    return `| ${exit} | ${tableCell(codeSpan(displayCommand(command.command)))} |`
  })
  return ['| exit | command |', '| ---: | --- |', ...rows].join('\n')
}

/** A fold; `summary` is our text, escaped here since GitHub takes the summary line as raw HTML. */
export function details(summary: string, content: string): string {
  return `<details><summary>${htmlText(summary)}</summary>\n\n${content}\n\n</details>`
}

/** The status headline with the duration: "🏁 Done in 42.0s". */
export function headline(report: TurnReport): string {
  const took = formatDuration(report.durationMs)
  return report.status === 'running'
    ? `${STATUS.running.headline} for ${took}`
    : `${STATUS[report.status].headline} in ${took}`
}

/** Who asked and the link to the run, for the status line. */
export function provenance(report: TurnReport): string[] {
  return [
    report.requestedBy ? `asked by ${plainText(report.requestedBy)}` : undefined,
    `[workflow run](${report.runUrl})`
  ].filter((part): part is string => part !== undefined)
}

/** What to do next, by how the turn ended. */
const NEXT_STEP: Partial<Record<TurnStatus, (report: TurnReport) => string>> = {
  failure: () =>
    '**The turn failed.** Re-run the job to try again; if the thread itself is stuck, `resume: false` starts it over.',
  cancelled: () =>
    '**The workflow run was cancelled** before the turn finished. Re-run the job to take the turn again.',
  timed_out: (report) =>
    `**Stopped after ${formatDuration(report.durationMs)}** (\`timeout-minutes\`). Raise \`timeout-minutes\` or ask for less, then re-run the job.`,
  skipped: () => '**No turn was taken.**'
}

/** Why the turn did not finish, in plain words and what to do next; undefined for a finished turn. */
export function outcomeNotice(report: TurnReport): string | undefined {
  const next = NEXT_STEP[report.status]
  if (!next) return undefined
  // a cancelled or timed-out turn's error is our own message, which the notice already says
  const why = report.error && !['cancelled', 'timed_out'].includes(report.status) ? reason(report.error) : undefined
  return why ? `${next(report)}\n\n${why}` : next(report)
}

function reason(error: string): string {
  return error.includes('\n') ? codeBlock(error) : `> ${plainText(error)}`
}

/** The answer: structured output rendered as a result, or the agent's Markdown kept in its place. */
export function answerMarkdown(response: string, structured: unknown): string | undefined {
  if (structured !== undefined) return structuredMarkdown(structured)
  return response.trim() ? agentMarkdown(response, { headingLevel: AGENT_HEADING_LEVEL }) : undefined
}

/** The raw JSON of a structured answer, folded under the rendered one. */
export function rawJson(structured: unknown): string {
  return details('JSON', codeBlock(JSON.stringify(structured, null, 2), 'json'))
}

/**
 * A structured answer as a reader wants it: string fields as labelled paragraphs, arrays of objects
 * as tables, lists of values as lists, anything else compactly.
 */
function structuredMarkdown(value: unknown): string {
  if (!isPlainObject(value)) return fieldValue(value)
  return Object.entries(value)
    .map(([key, entry]) => {
      const label = `**${plainText(labelOf(key))}:**`
      const shown = fieldValue(entry)
      const block = shown.includes('\n') || (Array.isArray(entry) && entry.length > 0)
      return block ? `${label}\n\n${shown}` : `${label} ${shown}`
    })
    .join('\n\n')
}

function fieldValue(value: unknown): string {
  if (typeof value === 'string')
    return value.trim() ? agentMarkdown(value, { headingLevel: AGENT_HEADING_LEVEL }) : '_empty_'
  if (Array.isArray(value)) {
    if (!value.length) return '_none_'
    if (value.every(isPlainObject)) return objectTable(value)
    return value.map((entry) => `- ${typeof entry === 'string' ? plainText(entry) : compact(entry)}`).join('\n')
  }
  return compact(value)
}

function objectTable(rows: Array<Record<string, unknown>>): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))]
  const cell = (value: unknown): string =>
    tableCell(
      value === undefined || value === null ? '' : typeof value === 'string' ? plainText(value, 500) : compact(value)
    )
  return [
    `| ${columns.map((column) => cell(labelOf(column))).join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${columns.map((column) => cell(row[column])).join(' | ')} |`)
  ].join('\n')
}

function compact(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return codeSpan(JSON.stringify(value) ?? String(value), 500)
}

/** `root_cause` and `rootCause` read as "Root cause". */
function labelOf(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase()
  return words ? (words[0] ?? '').toUpperCase() + words.slice(1) : key
}

/** A response kept in the transcript: the JSON of a structured answer is shown as one again. */
export function recordedAnswer(response: string): string | undefined {
  if (/^\s*\{/.test(response)) {
    try {
      const parsed: unknown = JSON.parse(response)
      if (isPlainObject(parsed)) return structuredMarkdown(parsed)
    } catch {
      // not JSON after all: Markdown that starts with a brace
    }
  }
  return answerMarkdown(response, undefined)
}
