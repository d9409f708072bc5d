import { isCompactionRequest, startScriptedModel, usageBySize } from '../../__tests__/support/scriptedModel.js'
import { tempDir, tempRepo } from '../../__tests__/support/tempDirs.js'
import type { Options } from './options.js'
import type { Row, SectionResult } from './report.js'
import { API_KEY, benchScript } from './turns.js'
import { Codex, type Thread, type Usage } from './targets.js'

/** Each turn's command prints 16 KiB (128 lines of 128 characters), which stays in the thread. */
const COMMAND = 'head -c 12288 /dev/zero | base64 -w 128'

/** One turn of the thread, as the model and codex saw it. */
export interface CostTurn {
  turn: number
  /** Size of the turn's first model request that is not a compaction: what the turn's prompt re-sends. */
  firstRequestBytes: number
  /** Compaction requests codex sent during the turn, and their sizes. */
  compactionBytes: number[]
  /** Model requests of the turn, compactions included. */
  requests: number
  /** `Turn.usage`: as codex reports it, the thread's running total. */
  reported: Usage
  /** `Turn.turnUsage`: the turn's own. */
  own: Usage
}

/**
 * One thread of `turns` turns, each resumed by a new codex process as the action does on a PR,
 * with codex's `model_auto_compact_token_limit` set to `compactAt`, or left to codex when undefined.
 */
export async function threadSeries(turns: number, compactAt: number | undefined): Promise<CostTurn[]> {
  const model = await startScriptedModel(benchScript(0, COMMAND), { usage: usageBySize })
  const home = tempDir('bench-home')
  const repo = tempRepo()
  const codex = new Codex({
    baseUrl: model.url,
    apiKey: API_KEY,
    env: { PATH: process.env.PATH ?? '', HOME: home, CODEX_HOME: home },
    config: compactAt === undefined ? {} : { model_auto_compact_token_limit: compactAt },
    logger: { warn: (message) => process.stderr.write(`  ${message}\n`) }
  })
  const series: CostTurn[] = []
  let threadId: string | null = null
  try {
    for (let turn = 1; turn <= turns; turn++) {
      const options = { workingDirectory: repo, sandboxMode: 'read-only', skipGitRepoCheck: true } as const
      const thread: Thread = threadId ? codex.resumeThread(threadId, options) : codex.startThread(options)
      const before = model.requests.length
      const result = await thread.run(`Turn ${turn}: run the command and report what it printed.`)
      threadId = thread.id
      const requests = model.requests.slice(before)
      const first = requests.find((request) => !isCompactionRequest(request))
      if (!first || !result.usage || !result.turnUsage) throw new Error(`turn ${turn} reported no usage`)
      series.push({
        turn,
        firstRequestBytes: first.bytes,
        compactionBytes: requests.filter(isCompactionRequest).map((request) => request.bytes),
        requests: requests.length,
        reported: result.usage,
        own: result.turnUsage
      })
    }
  } finally {
    await model.close()
  }
  return series
}

const tokens = (usage: Usage): number => usage.input_tokens + usage.output_tokens
const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`
const count = (value: number): string => value.toLocaleString('en-US')

function seriesTable(series: CostTurn[]): string {
  const lines = [
    "| turn | first request | compaction requests | requests | reported (`usage`, thread total) | turn's own (`turnUsage`) |",
    '| ---: | ---: | --- | ---: | ---: | ---: |'
  ]
  for (const turn of series) {
    lines.push(
      `| ${turn.turn} | ${kb(turn.firstRequestBytes)} | ${turn.compactionBytes.map(kb).join(', ')} | ${turn.requests} | ` +
        `${count(tokens(turn.reported))} | ${count(tokens(turn.own))} |`
    )
  }
  return lines.join('\n')
}

function summaryRows(label: string, series: CostTurn[]): Row[] {
  const first = series[0]!
  const fifth = series[4] ?? series.at(-1)!
  const last = series.at(-1)!
  const largest = Math.max(...series.map((turn) => turn.firstRequestBytes))
  const compactions = series.reduce((sum, turn) => sum + turn.compactionBytes.length, 0)
  return [
    {
      item: 'cost',
      measure: `first request of turn 1 / 5 / ${last.turn}, ${label}`,
      median: `${kb(first.firstRequestBytes)} / ${kb(fifth.firstRequestBytes)} / ${kb(last.firstRequestBytes)}`,
      ratio: `×${(fifth.firstRequestBytes / first.firstRequestBytes).toFixed(2)} at turn ${fifth.turn}`,
      note: `largest ${kb(largest)}; ${compactions} compaction(s)`
    },
    {
      item: 'cost',
      measure: `tokens of turn 1 / 5 / ${last.turn} (turnUsage), ${label}`,
      median: `${count(tokens(first.own))} / ${count(tokens(fifth.own))} / ${count(tokens(last.own))}`,
      note: `thread total after ${last.turn} turns ${count(tokens(last.reported))} (usage as codex reports it)`
    }
  ]
}

/** Issue 25: what each turn of a long PR thread re-sends, with and without codex's compaction. */
export async function threadCost(options: Options): Promise<SectionResult> {
  const compacted = await threadSeries(options.costTurns, options.compactAt)
  const uncompacted = await threadSeries(options.costTurns, undefined)
  const withLabel = `compact at ${count(options.compactAt)} tokens`
  return {
    title: "Cost of a PR's thread, turn by turn",
    rows: [...summaryRows(withLabel, compacted), ...summaryRows("codex's own compaction", uncompacted)],
    explanation:
      `One thread of ${options.costTurns} turns, each resumed by a new \`codex exec\` through the SDK as the ` +
      `action does on a PR; in each the scripted model runs \`${COMMAND}\` (16 KiB of output, kept in the thread) ` +
      'and then answers. The scripted model reports one input token per 4 bytes of each request and 10 output ' +
      'tokens, so the tokens follow what codex re-sends. "First request" is the turn\'s first request to the ' +
      'model that is not a compaction: the whole thread as codex re-sends it. `usage` is what codex reports in ' +
      "`turn.completed`: the thread's running total, compaction requests included; `turnUsage` is the turn's " +
      'own (the SDK subtracts the total codex recorded before the turn). With ' +
      '`model_auto_compact_token_limit`, codex (provider other than OpenAI) compacts when the thread passes the ' +
      'limit, before the turn or after a tool call: it sends the whole thread plus its summarization prompt ' +
      "as a plain request, and goes on with its own instructions, the user's messages and the summary.",
    details: [
      `### ${withLabel}`,
      '',
      seriesTable(compacted),
      '',
      "### codex's own compaction (`model_auto_compact_token_limit` unset)",
      '',
      seriesTable(uncompacted)
    ].join('\n')
  }
}
