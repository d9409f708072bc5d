import { formatDuration } from '../../shared/text.js'
import type { TurnReport } from '../turn/report.js'
import { findingsTable } from './review.js'
import { commandsTable, fence, formatUsage, STATUS } from './format.js'

/** GitHub refuses a step summary over 1 MiB; stay under it with room for the note. */
export const SUMMARY_LIMIT = 1024 * 1024 - 1024

/** The job summary: the response, the structured output as a table, commands, files, usage. */
export function renderSummary(report: TurnReport): string {
  const lines = [`## 🤖 Codex turn ${STATUS[report.status].word}`, '']
  if (report.error && report.status !== 'success') {
    const label = report.status === 'skipped' ? 'Skipped' : 'Error'
    lines.push(`> **${label}:** ${report.error.split('\n').join('\n> ')}`, '')
  }
  lines.push('### Final response', '', report.finalResponse || '_No response._', '')
  lines.push(...findingsTable(report))
  if (report.structuredOutput !== undefined)
    lines.push('### Structured output', '', structuredTable(report.structuredOutput), '')
  const commands = report.commands
  if (commands.length) {
    lines.push('### Commands', '', commandsTable(commands), '')
  }
  const files = report.changedFiles
  if (files.length) lines.push('### Files changed', '', ...files.map((file) => `- \`${file}\``), '')
  lines.push(
    '### Run',
    '',
    '| | |',
    '| --- | --- |',
    `| Thread | ${report.threadId ? `\`${report.threadId}\`${report.resumed ? ' (resumed)' : ''}` : '—'} |`,
    `| Usage | ${formatUsage(report.usage)} |`,
    `| Duration | ${formatDuration(report.durationMs)} |`
  )
  const text = lines.join('\n') + '\n'
  if (text.length <= SUMMARY_LIMIT) return text
  return `${text.slice(0, SUMMARY_LIMIT)}\n\n… _summary truncated to GitHub's 1 MiB limit; the job log has everything._\n`
}

function structuredTable(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fence(JSON.stringify(value, null, 2), 'json')
  const rows = Object.entries(value).map(
    ([key, entry]) => `| ${cell(key)} | ${cell(typeof entry === 'string' ? entry : JSON.stringify(entry))} |`
  )
  return ['| field | value |', '| --- | --- |', ...rows].join('\n')
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>')
}
