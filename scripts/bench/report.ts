import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'

/** One measured number, as the table shows it. */
export interface Row {
  /** Which item of the issue (1–6) or "profile". */
  item: string
  measure: string
  median?: string
  p90?: string
  ratio?: string
  goal?: string
  met?: boolean
  /** Samples and anything else needed to read the number. */
  note?: string
}

/** A section's rows and its paragraph of what the numbers mean. */
export interface SectionResult {
  title: string
  rows: Row[]
  explanation: string
  /** Extra markdown under the paragraph (breakdowns, timelines). */
  details?: string
}

export const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : 'n/a')
export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`
export const ratio = (value: number): string => (Number.isFinite(value) ? value.toFixed(3) : 'n/a')
export const mbps = (value: number): string => `${value.toFixed(0)} MB/s`

export interface Machine {
  cpus: number
  cpuModel: string
  memory: string
  node: string
  os: string
  commit: string
  dirty: boolean
  date: string
}

export function describeMachine(root: string): Machine {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim()
  let cpuModel = os.cpus()[0]?.model ?? 'unknown'
  try {
    cpuModel = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel
  } catch {
    // not Linux
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    commit: git('rev-parse', '--short', 'HEAD'),
    dirty: git('status', '--porcelain', '--', 'src', 'dist').length > 0,
    date: new Date().toISOString()
  }
}

const columns: Array<[string, (row: Row) => string]> = [
  ['item', (row) => row.item],
  ['measure', (row) => row.measure],
  ['median', (row) => row.median ?? ''],
  ['p90', (row) => row.p90 ?? ''],
  ['ratio / delta', (row) => row.ratio ?? ''],
  ['goal', (row) => row.goal ?? ''],
  ['met?', (row) => (row.met === undefined ? '' : row.met ? 'yes' : 'NO')],
  ['note', (row) => row.note ?? '']
]

/** A fixed-width table for the terminal. */
export function textTable(rows: Row[]): string {
  const cells = rows.map((row) => columns.map(([, cell]) => cell(row)))
  const widths = columns.map(([name], index) => Math.max(name.length, ...cells.map((line) => line[index]?.length ?? 0)))
  const line = (values: string[]): string => values.map((value, index) => value.padEnd(widths[index] ?? 0)).join('  ')
  return [line(columns.map(([name]) => name)), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join(
    '\n'
  )
}

export function markdownTable(rows: Row[]): string {
  const escape = (text: string): string => text.replace(/\|/g, '\\|')
  return [
    `| ${columns.map(([name]) => name).join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${columns.map(([, cell]) => escape(cell(row))).join(' | ')} |`)
  ].join('\n')
}

export function benchmarksMarkdown(machine: Machine, sections: SectionResult[], command: string): string {
  const rows = sections.flatMap((section) => section.rows)
  return [
    '# Benchmarks',
    '',
    `Written by \`${command}\` (scripts/bench.ts). Every turn runs the real codex CLI against the scripted`,
    'Responses-API server of the tests on 127.0.0.1, and the action runs from the committed',
    '`dist/index.js` against the GitHub REST stand-in. Compared commands alternate within a run, and ratios',
    'are medians of per-pair ratios: absolute times drift on shared machines, ratios much less.',
    '',
    `- commit: \`${machine.commit}\`${machine.dirty ? ' (with uncommitted changes in src/ or dist/)' : ''}`,
    `- date: ${machine.date}`,
    `- machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memory} memory, ${machine.os}`,
    `- node: ${machine.node}`,
    '',
    markdownTable(rows),
    '',
    ...sections.flatMap((section) => [
      `## ${section.title}`,
      '',
      section.explanation,
      '',
      ...(section.details ? [section.details, ''] : [])
    ])
  ].join('\n')
}
