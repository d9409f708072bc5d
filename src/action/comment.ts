import { formatTodo } from './logStream.js'
import { displayCommand, formatDuration, formatUsage, type TurnReport } from './report.js'
import type { ThreadRecord } from './record.js'

/** GitHub refuses comment bodies longer than this. */
export const COMMENT_LIMIT = 65_536

const MARKER_PREFIX = 'codex-thread-action'

/** The hidden marker that finds a thread's sticky comment again. */
export function commentMarker(threadKey: string): string {
  return `<!-- ${MARKER_PREFIX}:key=${encodeURIComponent(threadKey)} -->`
}

const statusLines: Record<TurnReport['status'], string> = {
  running: '⏳ Working…',
  success: '✅ Done',
  failure: '❌ The turn failed',
  cancelled: '⏹️ The turn was cancelled',
  timed_out: '⌛ The turn timed out',
  skipped: '⏭️ Skipped'
}

export interface CommentParts {
  key: string
  report: TurnReport
  /** Earlier turns of the thread, newest first, shown below the current one. */
  record?: ThreadRecord
  /** The thread record to keep in the comment's hidden marker, encoded. */
  encodedRecord?: string
}

/** The sticky comment's body, never longer than GitHub allows. */
export function renderComment(parts: CommentParts): string {
  const { report } = parts
  const head = [commentMarker(parts.key), `### 🤖 Codex · ${statusLines[report.status]}`, '']
  const foot = ['', footer(report), ...(parts.encodedRecord ? [parts.encodedRecord] : [])]
  const body: string[] = []
  if (report.status === 'running') {
    body.push(`**Now:** ${report.currentStep}`)
    const todo = report.todoList
    if (todo) body.push('', formatTodo(todo))
  } else {
    if (report.error && report.status !== 'success') body.push(`> ${report.error.split('\n').join('\n> ')}`, '')
    body.push(report.finalResponse || '_The agent gave no response._')
  }
  const details = detailSections(report)
  const history = historySection(parts.record)
  const full = [...head, ...body, ...details, ...history, ...foot].join('\n')
  if (full.length <= COMMENT_LIMIT) return full

  // Too long: drop the history and the details first, then cut the response itself.
  const note = `\n\n… _truncated to fit a GitHub comment: the full text is in the [workflow run](${report.runUrl})._`
  const fixed = [...head, ...foot].join('\n').length + note.length + 2
  const text = body.join('\n')
  return [...head, text.slice(0, Math.max(0, COMMENT_LIMIT - fixed)) + note, ...foot].join('\n')
}

function detailSections(report: TurnReport): string[] {
  const sections: string[] = []
  if (report.structuredOutput !== undefined) {
    sections.push(details('Structured output', fence(JSON.stringify(report.structuredOutput, null, 2), 'json')))
  }
  const commands = report.commands
  if (commands.length) {
    const rows = commands.map(
      (command) => `| ${command.exit_code ?? '…'} | ${inlineCode(displayCommand(command.command))} |`
    )
    sections.push(
      details(`Commands (${commands.length})`, ['| exit | command |', '| ---: | --- |', ...rows].join('\n'))
    )
  }
  const files = report.changedFiles
  if (files.length)
    sections.push(details(`Files changed (${files.length})`, files.map((file) => `- ${inlineCode(file)}`).join('\n')))
  return sections.length ? ['', ...sections] : []
}

function historySection(record: ThreadRecord | undefined): string[] {
  const earlier = record?.turns.slice(1) ?? []
  if (!earlier.length) return []
  const entries = earlier.map(
    (turn) =>
      `**${turn.at.slice(0, 16).replace('T', ' ')}** · ${turn.conclusion} · [run](${turn.runUrl})\n\n> ${oneLine(turn.prompt, 200)}\n\n${oneLine(turn.response, 600)}`
  )
  return ['', details(`Earlier turns in this thread (${earlier.length})`, entries.join('\n\n---\n\n'))]
}

function footer(report: TurnReport): string {
  const parts = [
    report.threadId ? `thread \`${report.threadId}\`${report.resumed ? ' (resumed)' : ''}` : undefined,
    report.status === 'running' ? undefined : formatUsage(report.usage),
    formatDuration(report.durationMs),
    `[workflow run](${report.runUrl})`
  ]
  return `<sub>${parts.filter(Boolean).join(' · ')}</sub>`
}

function details(summary: string, content: string): string {
  return `<details><summary>${summary}</summary>\n\n${content}\n\n</details>`
}

export function fence(text: string, language = ''): string {
  const longestRun = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const ticks = '`'.repeat(longestRun + 1)
  return `${ticks}${language}\n${text}\n${ticks}`
}

function inlineCode(text: string): string {
  const clean = oneLine(text, 300).replace(/\|/g, '\\|')
  return clean.includes('`') ? `<code>${clean.replace(/</g, '&lt;')}</code>` : `\`${clean}\``
}

function oneLine(text: string, limit: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat
}
