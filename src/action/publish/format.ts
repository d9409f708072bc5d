import type { CommandExecutionItem, TodoListItem, Usage } from '../../sdk/index.js'
import { oneLine } from '../../shared/text.js'
import { displayCommand, type TurnStatus } from '../turn/report.js'

/** How every surface names a turn's status. */
export const STATUS: Record<TurnStatus, { icon: string; word: string }> = {
  running: { icon: '⏳', word: 'working' },
  success: { icon: '✅', word: 'completed' },
  failure: { icon: '❌', word: 'failed' },
  cancelled: { icon: '⏹️', word: 'cancelled' },
  timed_out: { icon: '⌛', word: 'timed out' },
  skipped: { icon: '⏭️', word: 'skipped' }
}

export function formatUsage(usage: Usage | null): string {
  if (!usage) return 'no token usage reported'
  const written = usage.cache_write_input_tokens ? `, ${usage.cache_write_input_tokens} written to the cache` : ''
  const reasoning = usage.reasoning_output_tokens ? ` (${usage.reasoning_output_tokens} reasoning)` : ''
  return `${usage.input_tokens} input tokens (${usage.cached_input_tokens} cached${written}), ${usage.output_tokens} output tokens${reasoning}`
}

export function formatTodo(item: TodoListItem): string {
  return item.items.map((entry) => `- [${entry.completed ? 'x' : ' '}] ${entry.text}`).join('\n')
}

/** A fenced code block its content's own backticks cannot close. */
export function fence(text: string, language = ''): string {
  const longestRun = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const ticks = '`'.repeat(longestRun + 1)
  return `${ticks}${language}\n${text}\n${ticks}`
}

/** Text as inline code on one line, safe inside a table cell. */
export function inlineCode(text: string): string {
  const clean = oneLine(text, 300).replace(/\|/g, '\\|')
  return clean.includes('`') ? `<code>${clean.replace(/</g, '&lt;')}</code>` : `\`${clean}\``
}

/** The agent's commands with their exit codes, as a Markdown table. */
export function commandsTable(commands: CommandExecutionItem[]): string {
  const rows = commands.map(
    (command) => `| ${command.exit_code ?? '…'} | ${inlineCode(displayCommand(command.command))} |`
  )
  return ['| exit | command |', '| ---: | --- |', ...rows].join('\n')
}

export function details(summary: string, content: string): string {
  return `<details><summary>${summary}</summary>\n\n${content}\n\n</details>`
}
