import { execFile } from 'node:child_process'
import { statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { pullRequestPayload, runAction, type ActionRunOptions } from '../../__tests__/support/runAction.js'
import { tempDir } from '../../__tests__/support/tempDirs.js'
import type { Options } from './options.js'
import { progress, signed, timeline, type Timeline } from './overhead.js'
import { mib, ms, ratio, type Row, type SectionResult } from './report.js'
import { alternate, median, p90, pairedDelta, pairedRatio, rotate } from './stats.js'
import { projectRoot } from './targets.js'
import { API_KEY, benchScript, probedTurn, PROMPT, rawTurn, startBench, type Bench } from './turns.js'

const run = promisify(execFile)

/** Bundles `entry` as `npm run package` bundles the action (ESM, since the project is a module). */
async function bundle(entry: string): Promise<string> {
  const out = tempDir('bench-floor-bundle')
  const ncc = path.join(projectRoot, 'node_modules', '.bin', 'ncc')
  process.stderr.write(`  bundling ${path.relative(projectRoot, entry)} with ncc…\n`)
  await run(ncc, ['build', entry, '-o', out, '--target', 'es2022', '--quiet'], { cwd: projectRoot })
  return path.join(out, 'index.js')
}

/** Runs `entry` with no inputs under the runner's environment (ACTION_NODE, event, command files); ms from spawn to exit. */
async function timedRun(entry: string, payload?: ActionRunOptions['payload']): Promise<number> {
  const started = performance.now()
  const result = await runAction({ inputs: {}, payload, entry })
  const took = performance.now() - started
  if (result.exitCode !== 0) throw new Error(`${entry} failed:\n${result.log}`)
  return took
}

let prNumber = 500

/** One turn of the minimal action, with the probe the action section uses, so its timeline reads the same. */
async function minimalTurn(
  bench: Bench,
  entry: string,
  octokitPlugins = true
): Promise<{ ms: number; timeline: Timeline }> {
  const turn = await probedTurn(bench, {
    entry,
    inputs: {
      prompt: PROMPT,
      'openai-api-key': API_KEY,
      'base-url': bench.model.url,
      'codex-path': bench.codexBinary,
      'github-token': 'ghs_bench_0123456789',
      'working-directory': bench.repo,
      'octokit-plugins': String(octokitPlugins)
    },
    payload: pullRequestPayload(prNumber++)
  })
  if (turn.run.outputs['final-message'] !== 'done')
    throw new Error(`the minimal action answered nothing:\n${turn.run.log}`)
  return { ms: turn.ms, timeline: timeline(turn) }
}

/**
 * The floor the toolkit sets: the least a PR-thread action does with the same libraries and bundling
 * (scripts/bench/floor/minimal.ts) against raw `codex exec`, and what node and the toolkit cost to load
 * alone, all in the same run, alternating.
 */
export async function floor(options: Options): Promise<SectionResult> {
  const minimal = await bundle(path.join(projectRoot, 'scripts', 'bench', 'floor', 'minimal.ts'))
  const loadOnly = await bundle(path.join(projectRoot, 'scripts', 'bench', 'floor', 'loadOnly.ts'))
  const empty = path.join(tempDir('bench-floor-empty'), 'empty.mjs')
  writeFileSync(empty, '')
  const delayMs = options.modelDelayMs
  const bench = await startBench(benchScript(delayMs), options.githubLatencyMs)
  try {
    // the page cache, for the codex binary and each bundle
    await rawTurn(bench)
    await minimalTurn(bench, minimal)
    await timedRun(loadOnly, pullRequestPayload(1))
    await timedRun(empty)
    interface Turn {
      ms: number
      timeline?: Timeline
    }
    const [raw = [], withPlugins = [], withoutPlugins = []] = await rotate<Turn>(
      options.actionPairs,
      [
        async () => ({ ms: await rawTurn(bench) }),
        () => minimalTurn(bench, minimal),
        () => minimalTurn(bench, minimal, false)
      ],
      progress(`raw, minimal action, minimal without octokit plugins; model ${delayMs} ms`, options.actionPairs)
    )
    const loads = await alternate(
      options.repeats,
      () => timedRun(loadOnly, pullRequestPayload(1)),
      () => timedRun(empty),
      progress('toolkit load vs bare node', options.repeats)
    )
    const rawMs = raw.map((turn) => turn.ms)
    const minimalMs = withPlugins.map((turn) => turn.ms)
    const added = pairedDelta(minimalMs, rawMs)
    const bareMs = withoutPlugins.map((turn) => turn.ms)
    const bareAdded = pairedDelta(bareMs, rawMs)
    const loadAdded = pairedDelta(loads.a, loads.b)
    const timelineNote = (series: Turn[]): string => {
      const timelines = series.flatMap((turn) => (turn.timeline ? [turn.timeline] : []))
      const part = (pick: (entry: Timeline) => number): string => ms(median(timelines.map(pick)))
      return (
        `GET comments sent ${part((entry) => entry.calls[0]?.at ?? Number.NaN)}, ` +
        `start→exec spawn ${part((entry) => entry.startToExec)}, exec ${part((entry) => entry.exec)}, ` +
        `exec exit→exit ${part((entry) => entry.execExitToEnd)}, outside node ${part((entry) => entry.outside)}`
      )
    }
    const latency = options.githubLatencyMs ? `, GitHub answers after ${options.githubLatencyMs} ms` : ''
    const rows: Row[] = [
      {
        item: 'floor',
        measure: `raw codex exec, model answers after ${delayMs} ms`,
        median: ms(median(rawMs)),
        p90: ms(p90(rawMs)),
        note: `n=${rawMs.length}; each round runs the three turns, in an order that rotates`
      },
      {
        item: 'floor',
        measure: `minimal action (ncc bundle of scripts/bench/floor/minimal.ts), model after ${delayMs} ms${latency}`,
        median: ms(median(minimalMs)),
        p90: ms(p90(minimalMs)),
        ratio: `${signed(added)} (×${ratio(pairedRatio(minimalMs, rawMs))})`,
        goal: '≤ +150 ms',
        met: added <= 150,
        note: `n=${minimalMs.length}; ${mib(statSync(minimal).size)} bundle; ${timelineNote(withPlugins)}`
      },
      {
        item: 'floor',
        measure: `the same, octokit without the retry and throttling plugins, model after ${delayMs} ms${latency}`,
        median: ms(median(bareMs)),
        p90: ms(p90(bareMs)),
        ratio: `${signed(bareAdded)} (×${ratio(pairedRatio(bareMs, rawMs))})`,
        note: `n=${bareMs.length}; ${timelineNote(withoutPlugins)}`
      },
      {
        item: 'floor',
        measure: 'toolkit load only (@actions/core + @actions/github bundled, then exit)',
        median: ms(median(loads.a)),
        p90: ms(p90(loads.a)),
        ratio: `${signed(loadAdded)} vs bare node`,
        note: `n=${loads.a.length}, alternating with bare node; ${mib(statSync(loadOnly).size)} bundle`
      },
      {
        item: 'floor',
        measure: 'bare node (an empty module)',
        median: ms(median(loads.b)),
        p90: ms(p90(loads.b)),
        note: `n=${loads.b.length}; node ${process.env.ACTION_NODE || process.execPath}`
      }
    ]
    return {
      title: 'Floor: the least any action on the same toolkit adds',
      rows,
      explanation:
        "What an action written with this project's conventions cannot avoid, measured beside raw `codex exec` " +
        'in the same run. "minimal action" is scripts/bench/floor/minimal.ts bundled by ncc as `npm run package` ' +
        'bundles the action (ESM, es2022) and run as the runner runs it (`runAction`, `ACTION_NODE`, the probe of ' +
        "item 2): `core.getInput`, the action's own GitHub client (`createOctokit`: `getOctokit` with the retry and " +
        "throttling plugins, writes spaced, Bottleneck's yields unstretched), one GET of the PR’s " +
        'comments, the native codex binary spawned with the arguments the SDK builds, its stdout logged line by ' +
        'line, one POST of a comment, `core.setOutput` and the step summary; no isolation, no thread store, no ' +
        'proxy. Each round runs the raw turn and both minimal turns in an order that rotates; a delta is the median of per-round differences with the raw turn. "without the octokit plugins" ' +
        "is the same bundle given `octokit-plugins: false` (a bare `getOctokit`): what the plugins' request " +
        'queues add to its two calls. "toolkit load only" is a ' +
        'bundle that imports @actions/core and @actions/github and exits, against an empty module: what loading ' +
        'the toolkit costs (most of it undici, which @actions/http-client and @actions/github both import, and ' +
        'which a bundle cannot leave out without patching the toolkit). Both run under the same environment.'
    }
  } finally {
    await bench.close()
  }
}
