import { execFile } from 'node:child_process'
import { readdirSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { tempDir } from '../../__tests__/support/tempDirs.js'
import type { Options } from './options.js'
import { mib, ms, type Row, type SectionResult } from './report.js'
import { alternate, median, p90 } from './stats.js'
import { codexLauncher, distEntry, findCodexExecutable } from './targets.js'
import type { Timeline } from './overhead.js'

const run = promisify(execFile)

export interface LoadSample {
  /** Wall time of `node <loader>` from spawn to exit. */
  processMs: number
  /** From node's timeOrigin to the end of the import. */
  originToLoaded: number
  /** The import itself. */
  importMs: number
  rssMiB: number
  maxRssMiB: number
}

/** Loads `entry` (an ES module) in a fresh node and reports how long the import took and the memory after. */
export async function loadSample(entry: string | undefined): Promise<LoadSample> {
  const loader = path.join(tempDir('bench-loader'), 'load.mjs')
  writeFileSync(
    loader,
    [
      'const before = performance.now()',
      entry ? `await import(${JSON.stringify(pathToFileURL(entry).href)})` : '',
      'const after = performance.now()',
      'const usage = process.resourceUsage()',
      'process.stdout.write("BENCH" + JSON.stringify({ originToLoaded: after, importMs: after - before, rss: process.memoryUsage().rss, maxRss: usage.maxRSS }) + "\\n")',
      'process.exit(0)'
    ].join('\n')
  )
  const started = performance.now()
  // no INPUT_* in the environment: dist/index.js's run() fails on its first input, after the load
  const { stdout } = await run(process.execPath, [loader], { env: { PATH: process.env.PATH ?? '' } })
  const processMs = performance.now() - started
  const line = stdout.split('\n').find((entryLine) => entryLine.startsWith('BENCH'))
  if (!line) throw new Error(`the loader printed no measurement: ${stdout}`)
  const data = JSON.parse(line.slice(5)) as { originToLoaded: number; importMs: number; rss: number; maxRss: number }
  return {
    processMs,
    originToLoaded: data.originToLoaded,
    importMs: data.importMs,
    rssMiB: data.rss / 1024 / 1024,
    maxRssMiB: data.maxRss / 1024
  }
}

export async function loadSamples(entry: string | undefined, repeats: number): Promise<LoadSample[]> {
  const samples: LoadSample[] = []
  await loadSample(entry) // page cache
  for (let index = 0; index < repeats; index++) samples.push(await loadSample(entry))
  return samples
}

async function versionMs(executable: string): Promise<number> {
  const started = performance.now()
  await run(executable, ['--version'])
  return performance.now() - started
}

/** Item 5: process start to the codex spawn, and what loading dist/index.js costs. */
export async function coldStart(options: Options, timelines: Timeline[]): Promise<SectionResult> {
  const distBytes = statSync(distEntry).size
  // ncc's chunks of the dynamically imported modules (the artifact and cache stores, the install)
  const chunks = readdirSync(path.dirname(distEntry)).filter((file) => /^\d+\.index\.js$/.test(file))
  const chunkBytes = chunks.reduce((sum, file) => sum + statSync(path.join(path.dirname(distEntry), file)).size, 0)
  const empty = await loadSamples(undefined, options.repeats)
  const dist = await loadSamples(distEntry, options.repeats)
  const native = findCodexExecutable()
  await versionMs(codexLauncher)
  const versions = await alternate(
    options.repeats,
    () => versionMs(codexLauncher),
    () => versionMs(native)
  )
  const pick = (samples: LoadSample[], key: keyof LoadSample): number[] => samples.map((sample) => sample[key])
  const rows: Row[] = [
    {
      item: '5',
      measure: 'size of dist/index.js (what every run loads)',
      median: mib(distBytes),
      note: `${distBytes} bytes; beside it ${chunks.length} chunks, ${mib(chunkBytes)}, loaded only by the store or install that needs them`
    },
    {
      item: '5',
      measure: 'import of dist/index.js (module evaluation)',
      median: ms(median(pick(dist, 'importMs'))),
      p90: ms(p90(pick(dist, 'importMs'))),
      note: `n=${dist.length}; node process start→loaded ${ms(median(pick(dist, 'originToLoaded')))}`
    },
    {
      item: '5',
      measure: '`node` process running dist/index.js to its first failure vs an empty script',
      median: ms(median(pick(dist, 'processMs'))),
      p90: ms(p90(pick(dist, 'processMs'))),
      ratio: `+${(median(pick(dist, 'processMs')) - median(pick(empty, 'processMs'))).toFixed(0)} ms`,
      note: `empty script ${ms(median(pick(empty, 'processMs')))}`
    },
    {
      item: '5',
      measure: 'RSS after loading dist/index.js (empty script)',
      median: `${median(pick(dist, 'rssMiB')).toFixed(0)} MiB`,
      p90: `${median(pick(dist, 'maxRssMiB')).toFixed(0)} MiB peak`,
      note: `empty script ${median(pick(empty, 'rssMiB')).toFixed(0)} MiB`
    },
    {
      item: '5',
      measure: '`codex --version`: npm launcher (node) vs native binary',
      median: ms(median(versions.a)),
      p90: ms(p90(versions.a)),
      ratio: `+${(median(versions.a) - median(versions.b)).toFixed(0)} ms`,
      note: `native ${ms(median(versions.b))}; the action now runs the native binary behind codex-path's launcher, and no \`--version\``
    }
  ]
  if (timelines.length) {
    rows.splice(1, 0, {
      item: '5',
      measure: 'action: process start → `codex exec` spawned',
      median: ms(median(timelines.map((entry) => entry.startToExec))),
      p90: ms(p90(timelines.map((entry) => entry.startToExec))),
      note: `n=${timelines.length} runs of item 2`
    })
  }
  return {
    title: '5. Cold start',
    rows,
    explanation:
      "Process start is node's `performance.timeOrigin` inside the action (the probe); the spawn is the " +
      "`codex exec` child. Before it the action loads `dist/index.js`, asks GitHub for the actor's permission, " +
      "then finds codex (for codex-path's launcher, the native binary and its codex-package.json) while it lists " +
      'the PR comments (with `GET /user`) and reads the thread. ' +
      'The load rows import `dist/index.js` in a fresh node with no inputs (its `run()` then fails on the first ' +
      "input), against an empty script. The launcher row compares the npm package's `bin/codex.js` (a node " +
      'process that on Node 20 spawns the binary, since `process.execve` only exists from Node 22.15/23.11) with the ' +
      'native binary.'
  }
}
