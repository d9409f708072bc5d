import { formatDuration, oneLine } from '../../shared/text.js'
import type { Transcript } from '../thread/transcript.js'
import type { TurnReport } from '../turn/report.js'
import { reviewCommentLines } from './review.js'
import { commandsTable, details, fence, formatTodo, formatUsage, inlineCode, STATUS } from './format.js'

/** GitHub refuses comment bodies longer than this. */
export const COMMENT_LIMIT = 65_536

const MARKER_PREFIX = 'codex-thread-action'

/** The hidden marker that finds a thread's sticky comment again. */
export function commentMarker(threadKey: string): string {
  return `<!-- ${MARKER_PREFIX}:key=${encodeURIComponent(threadKey)} -->`
}

export interface CommentParts {
  key: string
  report: TurnReport
  /** The thread's turns, this one first, newest first: the earlier ones are shown below it. */
  history?: Transcript
  /** The transcript to keep in the comment's hidden marker, encoded. */
  encodedTranscript?: string
}

/** The sticky comment's body, never longer than GitHub allows. */
export function renderComment(parts: CommentParts): string {
  const { report } = parts
  const head = [commentMarker(parts.key), `### 🤖 Codex · ${statusLine(report)}`, '']
  const foot = ['', footer(report), ...(parts.encodedTranscript ? [parts.encodedTranscript] : [])]
  const body: string[] = []
  if (report.status === 'running') {
    body.push(`**Now:** ${report.currentStep}`)
    const todo = report.todoList
    if (todo) body.push('', formatTodo(todo))
  } else {
    if (report.error && report.status !== 'success') body.push(`> ${report.error.split('\n').join('\n> ')}`, '')
    body.push(report.finalResponse || '_The agent gave no response._')
    const review = reviewCommentLines(report)
    if (review.length) body.push('', ...review)
  }
  const sections = detailSections(report)
  const history = historySection(parts.history)
  const full = [...head, ...body, ...sections, ...history, ...foot].join('\n')
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
    sections.push(details(`Commands (${commands.length})`, commandsTable(commands)))
  }
  const files = report.changedFiles
  if (files.length)
    sections.push(details(`Files changed (${files.length})`, files.map((file) => `- ${inlineCode(file)}`).join('\n')))
  return sections.length ? ['', ...sections] : []
}

function historySection(history: Transcript | undefined): string[] {
  const earlier = history?.turns.slice(1) ?? []
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

function statusLine(report: TurnReport): string {
  const { icon, word } = STATUS[report.status]
  return report.status === 'running' ? `${icon} Working…` : `${icon} Turn ${word}`
}
