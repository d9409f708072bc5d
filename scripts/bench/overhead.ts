import type { Options } from './options.js'
import { ms, ratio, type Row, type SectionResult } from './report.js'
import { alternate, median, p90, pairedDelta, pairedRatio } from './stats.js'
import { actionTurn, benchScript, rawTurn, sdkTurn, startBench, type ActionTurn } from './turns.js'
import { execSpawn } from './probe.js'

export const progress =
  (label: string, total: number) =>
  (index: number): void =>
    void process.stderr.write(`  ${label}: pair ${index + 1}/${total}\r${index + 1 === total ? '\n' : ''}`)

/** Item 1: an SDK turn against raw `codex exec`, the same scripted turn, alternating. */
export async function sdkOverhead(options: Options): Promise<SectionResult> {
  const rows: Row[] = []
  const lines: string[] = []
  for (const delayMs of [options.modelDelayMs, 0]) {
    const bench = await startBench(benchScript(delayMs))
    try {
      await rawTurn(bench) // warm the page cache for the 300 MB binary
      const pairs = await alternate(
        options.pairs,
        () => sdkTurn(bench),
        () => rawTurn(bench),
        progress(`SDK vs raw, model ${delayMs} ms`, options.pairs)
      )
      const r = pairedRatio(pairs.a, pairs.b)
      const slow = delayMs > 0
      rows.push(
        {
          item: '1',
          measure: `raw codex exec, model answers after ${delayMs} ms`,
          median: ms(median(pairs.b)),
          p90: ms(p90(pairs.b)),
          note: `n=${pairs.b.length}`
        },
        {
          item: '1',
          measure: `SDK turn, model answers after ${delayMs} ms`,
          median: ms(median(pairs.a)),
          p90: ms(p90(pairs.a)),
          ratio: `${ratio(r)} (${signed(pairedDelta(pairs.a, pairs.b))})`,
          goal: slow ? 'ratio ≤ 1.02' : undefined,
          met: slow ? r <= 1.02 : undefined,
          note: `n=${pairs.a.length} pairs`
        }
      )
      lines.push(`- model after ${delayMs} ms: SDK ${fmtList(pairs.a)}; raw ${fmtList(pairs.b)}`)
    } finally {
      await bench.close()
    }
  }
  return {
    title: '1. SDK turn vs raw `codex exec`',
    rows,
    explanation:
      'One scripted turn (the model asks for `echo bench`, then answers after the given delay), each turn with a ' +
      'fresh CODEX_HOME and `--sandbox read-only`. "raw" spawns the native codex binary with exactly the ' +
      'arguments the SDK builds (`buildExecArgs`), writes the prompt to stdin and reads stdout to the end; ' +
      '"SDK" is `new Codex(...).startThread(...).run(prompt)`, which finds the same binary. The ratio is the ' +
      'median of per-pair ratios (SDK / raw), the delta the median of per-pair differences. The goal applies ' +
      'to the 2 s turn; the instant turn shows the absolute cost of the SDK (its own work is a few ms).',
    details: `Samples (ms):\n\n${lines.join('\n')}`
  }
}

export function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(0)} ms`
}

function fmtList(values: number[]): string {
  return values.map((value) => value.toFixed(0)).join(', ')
}

/** Where an action run's time went, from the probe inside it and the servers' request stamps. */
export interface Timeline {
  /** process start (timeOrigin) to the spawn of `codex exec`. */
  startToExec: number
  /** `codex --version` spawn to exit (0 when the run did not spawn it). */
  version: number
  /** `codex exec` spawn to exit. */
  exec: number
  /** `codex exec` exit to the process's 'exit' event. */
  execExitToEnd: number
  /** Outside the probe's view: node's bootstrap before timeOrigin, teardown, and the runner's pipes. */
  outside: number
  /** Each GitHub call, ms after process start. */
  calls: Array<{ at: number; call: string }>
  maxRssKiB: number
  /** What the action logs for sealing and saving the thread (pack, encrypt, write), NaN when absent. */
  saveMs: number
}

export function timeline(turn: ActionTurn): Timeline {
  const { probe } = turn
  const exec = execSpawn(probe)
  const execExit = probe.events.find((event) => event.kind === 'exit' && event.args?.includes('exec'))
  const versionSpawn = probe.events.find((event) => event.kind === 'spawn' && event.args?.includes('--version'))
  const versionExit = probe.events.find((event) => event.kind === 'exit' && event.args?.includes('--version'))
  const end = probe.events.find((event) => event.kind === 'end')
  if (!exec || !execExit || !end) throw new Error(`incomplete probe record: ${JSON.stringify(probe)}`)
  return {
    startToExec: exec.at - probe.origin,
    version: versionSpawn && versionExit ? versionExit.at - versionSpawn.at : 0,
    exec: execExit.at - exec.at,
    execExitToEnd: end.at - execExit.at,
    outside: turn.ms - (end.at - probe.origin),
    calls: turn.github.map((request) => ({
      at: request.at - probe.origin,
      call: `${request.method} ${request.path.replace(/\d+/g, 'N')}`
    })),
    maxRssKiB: probe.maxRssKiB,
    saveMs: Number(/ KiB sealed, (\d+) ms\)/.exec(turn.run.log)?.[1] ?? Number.NaN)
  }
}

/** Item 2: the action end to end against raw `codex exec`, on the 2 s turn and on the instant one. */
export async function actionOverhead(options: Options): Promise<{ section: SectionResult; timelines: Timeline[] }> {
  const rows: Row[] = []
  const details: string[] = []
  const allTimelines: Timeline[] = []
  for (const delayMs of [options.modelDelayMs, 0]) {
    const bench = await startBench(benchScript(delayMs), options.githubLatencyMs)
    try {
      await rawTurn(bench)
      const pairs = await alternate(
        options.actionPairs,
        () => actionTurn(bench),
        () => rawTurn(bench),
        progress(`action vs raw, model ${delayMs} ms`, options.actionPairs)
      )
      const actionMs = pairs.a.map((turn) => turn.ms)
      const added = pairedDelta(actionMs, pairs.b)
      const slow = delayMs > 0
      const timelines = pairs.a.map(timeline)
      allTimelines.push(...timelines)
      const part = (pick: (entry: Timeline) => number): string => ms(median(timelines.map(pick)))
      rows.push(
        {
          item: '2',
          measure: `raw codex exec, model answers after ${delayMs} ms`,
          median: ms(median(pairs.b)),
          p90: ms(p90(pairs.b)),
          note: `n=${pairs.b.length}`
        },
        {
          item: '2',
          measure: `action end to end (dist/index.js), model after ${delayMs} ms${options.githubLatencyMs ? `, GitHub answers after ${options.githubLatencyMs} ms` : ''}`,
          median: ms(median(actionMs)),
          p90: ms(p90(actionMs)),
          ratio: `+${added.toFixed(0)} ms (×${ratio(pairedRatio(actionMs, pairs.b))})`,
          goal: slow ? '≤ +150 ms' : 'bounded (see text)',
          met: slow ? added <= 150 : undefined,
          note:
            `n=${actionMs.length} pairs; start→exec spawn ${part((entry) => entry.startToExec)}, ` +
            `exec ${part((entry) => entry.exec)}, exec exit→exit ${part((entry) => entry.execExitToEnd)}, ` +
            `outside node ${part((entry) => entry.outside)}`
        }
      )
      details.push(describeTimelines(`model after ${delayMs} ms`, timelines, pairs.b))
    } finally {
      await bench.close()
    }
  }
  return {
    timelines: allTimelines,
    section: {
      title: '2. The action end to end vs raw `codex exec`',
      rows,
      explanation:
        '`node dist/index.js` run as the runner runs it (`__tests__/support/runAction.ts`): a `pull_request` ' +
        'event on a new PR, the GitHub stand-in on 127.0.0.1 (a sticky comment is created, then edited), ' +
        'the thread sealed and saved to a directory store, `codex-path` the npm launcher of the installed ' +
        'codex, as on a runner (the action runs the native binary behind it). Compared with the raw turn of item 1 (native binary, same scripted model). ' +
        '"added" is the median of per-pair differences. A preload inside the action (`--require`, see ' +
        'scripts/bench/probe.ts) records process start, each child process it spawns and when it exits, and the ' +
        "peak RSS; the servers' request logs are timestamped by the bench. On the instant turn the added time " +
        'is bounded by what runs around codex whatever its length: node starting and loading dist/index.js, ' +
        "the actor's permission check, then the PR's comments (with `GET /user`, asked once) and the thread " +
        'read while codex is found; after codex exits, the comments and the store read again (runs of the ' +
        'thread that ended meanwhile), then the seal and save beside the one write of the comment. The first ' +
        "progress edit waits 3 s, so a short turn no longer waits out octokit's throttling (writes 1 s " +
        'apart) between a progress POST and the final PATCH.',
      details: details.join('\n\n')
    }
  }
}

function describeTimelines(label: string, timelines: Timeline[], raw: number[]): string {
  const med = (pick: (entry: Timeline) => number): string => median(timelines.map(pick)).toFixed(0)
  const [first] = timelines
  if (!first) throw new Error(`no timeline recorded for ${label}`)
  return [
    `Timeline of the action, ${label} (medians over ${timelines.length} runs, ms after the process's start):`,
    '',
    `- node bootstrap before the first line runs + teardown + pipes (outside): ${med((entry) => entry.outside)} ms`,
    ...(median(timelines.map((entry) => entry.version)) > 0
      ? [`- \`codex --version\`: ${med((entry) => entry.version)} ms`]
      : []),
    `- process start → \`codex exec\` spawned: ${med((entry) => entry.startToExec)} ms`,
    `- \`codex exec\`: ${med((entry) => entry.exec)} ms (raw turn: ${median(raw).toFixed(0)} ms)`,
    `- \`codex exec\` exit → process exit: ${med((entry) => entry.execExitToEnd)} ms, of which the thread's seal and save (as logged) ${med((entry) => entry.saveMs)} ms runs beside the final comment edit`,
    '',
    `GitHub calls of one run (ms after process start): ${first.calls.map((call) => `${call.at.toFixed(0)} ${call.call}`).join(' · ')}`
  ].join('\n')
}
