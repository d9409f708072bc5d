import type { Options } from './options.js'
import { type Row, type SectionResult } from './report.js'
import { median } from './stats.js'
import { actionTurn, benchScript, startBench } from './turns.js'

const RUNS = 3

/** Item 4: the action process's peak RSS on a trivial turn and on a turn whose command prints a lot. */
export async function memory(options: Options): Promise<SectionResult> {
  const loud = `yes 'codex-thread-action bench output line 0123456789abcdef' | head -c ${options.outputBytes}`
  const cases = [
    { label: 'trivial turn (`echo bench`)', command: 'echo bench' },
    { label: `a command printing ${(options.outputBytes / 1e6).toFixed(0)} MB`, command: loud }
  ]
  const rows: Row[] = []
  for (const { label, command } of cases) {
    const bench = await startBench(benchScript(0, command))
    try {
      const peaks: number[] = []
      const logs: number[] = []
      for (let run = 0; run < RUNS; run++) {
        const turn = await actionTurn(bench)
        peaks.push(turn.probe.maxRssKiB / 1024)
        logs.push(turn.run.log.length)
      }
      const worst = Math.max(...peaks)
      rows.push({
        item: '4',
        measure: `peak RSS of the action's node process, ${label}`,
        median: `${median(peaks).toFixed(0)} MiB`,
        p90: `${worst.toFixed(0)} MiB (max)`,
        goal: '≤ 100 MB',
        met: worst * 1.048576 <= 100,
        note: `n=${RUNS}; job log ${(median(logs) / 1024).toFixed(0)} KiB`
      })
    } finally {
      await bench.close()
    }
  }
  return {
    title: "4. Peak RSS of the action's process",
    rows,
    explanation:
      "`process.resourceUsage().maxRSS` of the action's node process at its exit (the probe preload), " +
      'over a few end-to-end runs with the PR comment and the directory thread store; codex and its ' +
      'commands are other processes and not counted. The loud command is `yes … | head -c N`: codex ' +
      "itself keeps and prints only about 1 MB of a command's output in its `item.completed` event, so " +
      "what reaches the action is bounded by codex; the action's peak is then set by what it loads " +
      "(see item 5: `dist/index.js` alone) plus the turn's working set. Two transient peaks sit on top: " +
      "scrypt's key derivation for each bundle opened or sealed (N=2^14, r=8: 16 MiB, src/action/thread/seal.ts), " +
      "and V8's optimizing recompile of undici's WebAssembly HTTP parser (~10 MiB), which src/index.ts turns " +
      'off with `--liftoff-only`.'
  }
}
