import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { tempDir } from '../../__tests__/support/tempDirs.js'
import { loadSamples } from './coldStart.js'
import type { Options } from './options.js'
import { execSpawn } from './probe.js'
import { mib, ms, type Row, type SectionResult } from './report.js'
import { median } from './stats.js'
import { distEntry, projectRoot } from './targets.js'
import { actionTurn, benchScript, startBench } from './turns.js'
import { timeline } from './overhead.js'

const run = promisify(execFile)

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

/** Self time (ms) per function, within the first `untilMs` of the profile (or all of it). */
function selfTimes(profile: CpuProfile, untilMs = Infinity): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const totals = new Map<string, number>()
  let at = 0
  profile.samples.forEach((id, index) => {
    // V8 gives each sample its delta
    const ms = profile.timeDeltas[index]! / 1000
    at += ms
    if (at > untilMs) return
    const frame = byId.get(id)!.callFrame
    const where = frame.url.endsWith('dist/index.js')
      ? `${frame.functionName || '(anonymous)'} dist:${frame.lineNumber + 1}`
      : frame.url.startsWith('node:')
        ? `${frame.functionName || '(anonymous)'} ${frame.url}`
        : frame.functionName || frame.url || '(anonymous)'
    totals.set(where, (totals.get(where) ?? 0) + ms)
  })
  return totals
}

/** Self time grouped: V8's own buckets, node's internals, the bundle, the rest. */
function grouped(totals: Map<string, number>): Array<[string, number]> {
  const groups = new Map<string, number>()
  for (const [where, time] of totals) {
    const group = /^\([a-z ]+\)$/.test(where)
      ? where
      : where.includes(' dist:')
        ? 'dist/index.js code'
        : where.includes(' node:')
          ? 'node internals (module loading, fs, child_process…)'
          : 'other'
    groups.set(group, (groups.get(group) ?? 0) + time)
  }
  return [...groups].sort((a, b) => b[1] - a[1])
}

const top = (totals: Map<string, number>, count: number): Array<[string, number]> =>
  [...totals].sort((a, b) => b[1] - a[1]).slice(0, count)

/** Which webpack module of dist/index.js a line belongs to (ncc keeps `/***\/ 12345:` headers). */
function moduleOfLine(): (line: number) => string {
  const lines = readFileSync(distEntry, 'utf8').split('\n')
  const starts: Array<[number, string]> = []
  lines.forEach((text, index) => {
    const match = /^\/\*\*\*\/ (\d+):$/.exec(text)
    if (match) starts.push([index + 1, match[1]!])
  })
  return (line) => {
    let found = 'entry'
    for (const [start, id] of starts) {
      if (start > line) break
      found = id
    }
    return found
  }
}

/** Libraries bundled alone with ncc, to see what each costs to load. */
const LIBRARIES: Array<[string, string]> = [
  ['@actions/core', "import * as core from '@actions/core'; globalThis.keep = core"],
  [
    '@actions/github + octokit retry/throttling',
    "import * as github from '@actions/github'; import { retry } from '@octokit/plugin-retry'; import { throttling } from '@octokit/plugin-throttling'; globalThis.keep = [github, retry, throttling]"
  ],
  ['@actions/cache', "import * as cache from '@actions/cache'; globalThis.keep = cache"],
  ['@actions/artifact', "import * as artifact from '@actions/artifact'; globalThis.keep = artifact"],
  ['@azure/storage-blob', "import * as blob from '@azure/storage-blob'; globalThis.keep = blob"],
  ['@actions/tool-cache', "import * as tc from '@actions/tool-cache'; globalThis.keep = tc"],
  ['zod', "import { z } from 'zod'; globalThis.keep = z"],
  [
    'Markdown (mdast from/to markdown + gfm, unist-util-visit)',
    "import { fromMarkdown } from 'mdast-util-from-markdown'; import { gfmFromMarkdown, gfmToMarkdown } from 'mdast-util-gfm'; import { toMarkdown } from 'mdast-util-to-markdown'; import { gfm } from 'micromark-extension-gfm'; import { visit } from 'unist-util-visit'; globalThis.keep = [fromMarkdown, gfmFromMarkdown, gfmToMarkdown, toMarkdown, gfm, visit]"
  ],
  ['tar + smol-toml', "import * as tar from 'tar'; import * as toml from 'smol-toml'; globalThis.keep = [tar, toml]"]
]

async function libraryCosts(repeats: number): Promise<Row[]> {
  const rows: Row[] = []
  const work = tempDir('bench-libs')
  const ncc = path.join(projectRoot, 'node_modules', '.bin', 'ncc')
  for (const [name, source] of LIBRARIES) {
    process.stderr.write(`  bundling ${name} alone with ncc…\n`)
    // inside the project, so the imports resolve from its node_modules
    const dir = mkdtempSync(path.join(projectRoot, 'node_modules', '.bench-lib-'))
    const entry = path.join(dir, 'entry.mjs')
    writeFileSync(entry, `${source}\n`)
    const out = path.join(work, name.replace(/\W+/g, '_'))
    await run(ncc, ['build', entry, '-o', out, '--target', 'es2022', '--quiet'], { cwd: projectRoot })
    await run('rm', ['-rf', dir])
    const bundle = path.join(out, 'index.mjs')
    const file = statSync(bundle, { throwIfNoEntry: false }) ? bundle : path.join(out, 'index.js')
    const samples = await loadSamples(file, repeats)
    rows.push({
      item: 'profile',
      measure: `${name} bundled alone: import`,
      median: ms(median(samples.map((sample) => sample.importMs))),
      p90: `${median(samples.map((sample) => sample.rssMiB)).toFixed(0)} MiB RSS`,
      note: `${mib(statSync(file).size)} bundle; n=${samples.length}`
    })
  }
  return rows
}

/** Where the action's added time goes: CPU profiles of one run of each turn, and what each library costs. */
export async function profile(options: Options): Promise<SectionResult> {
  const keep = mkdtempSync(path.join(tmpdir(), 'cta-bench-profiles-'))
  const details: string[] = []
  const rows: Row[] = []
  const moduleOf = moduleOfLine()
  for (const delayMs of [options.modelDelayMs, 0]) {
    const bench = await startBench(benchScript(delayMs))
    try {
      await actionTurn(bench) // page cache
      const dir = path.join(keep, `model-${delayMs}ms`)
      mkdirSync(dir, { recursive: true })
      const file = 'action.cpuprofile'
      const turn = await actionTurn(bench, { cpuProfile: path.join(dir, file) })
      const cpu = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile
      const spawn = execSpawn(turn.probe)!
      const beforeSpawn = spawn.at - turn.probe.origin
      const early = selfTimes(cpu, beforeSpawn)
      const all = selfTimes(cpu)
      const line = ([where, time]: [string, number]): string => {
        const dist = / dist:(\d+)$/.exec(where)
        const module = where.startsWith('__nccwpck_require__')
          ? 'the ncc runtime'
          : `module ${moduleOf(Number(dist?.[1]))}`
        return `| \`${where.replace(/\|/g, '\\|')}\`${dist ? ` (${module})` : ''} | ${time.toFixed(1)} |`
      }
      const t = timeline(turn)
      details.push(
        [
          `### Model after ${delayMs} ms`,
          '',
          `Profile: \`${path.join(dir, file)}\` (open in Chrome DevTools). Run: ${turn.ms.toFixed(0)} ms; ` +
            `\`codex exec\` spawned at ${beforeSpawn.toFixed(0)} ms; exec took ${t.exec.toFixed(0)} ms; ` +
            `exec exit → exit ${t.execExitToEnd.toFixed(0)} ms; peak RSS ${(turn.probe.maxRssKiB / 1024).toFixed(0)} MiB.`,
          '',
          `GitHub calls (ms after process start): ${t.calls.map((call) => `${call.at.toFixed(0)} ${call.call}`).join(' · ')}`,
          '',
          `Model requests (ms after process start): ${turn.model.map((request) => (request.at - turn.probe.origin).toFixed(0)).join(', ')}`,
          '',
          'Self time before `codex exec` is spawned, by kind (ms):',
          '',
          '| kind | ms |',
          '| --- | --- |',
          ...grouped(early).map(line),
          '',
          'Top self time before the spawn (ms):',
          '',
          '| function | ms |',
          '| --- | --- |',
          ...top(early, 12).map(line),
          '',
          'Top self time over the whole run, idle excluded (ms):',
          '',
          '| function | ms |',
          '| --- | --- |',
          ...top(new Map([...all].filter(([where]) => where !== '(idle)')), 10).map(line)
        ].join('\n')
      )
    } finally {
      await bench.close()
    }
  }
  rows.push(...(await libraryCosts(Math.min(options.repeats, 5))))
  return {
    title: 'Profile: where the added time and memory go',
    rows,
    explanation:
      'A CPU profile (V8 sampling profiler, 200 µs interval, what `node --cpu-prof` writes; started by the probe preload, ' +
      'since node 20 refuses --cpu-prof in NODE_OPTIONS) of one end-to-end run of each turn; the probe removes ' +
      "NODE_OPTIONS before codex's launcher starts, so only the action is profiled. Self time is " +
      'split at the spawn of `codex exec`: what comes before it is on the critical path of every run. ' +
      'Functions of the bundle are named by line of `dist/index.js` and the ncc module they belong to. The ' +
      'library rows bundle each library alone with ncc (as dist/ bundles it) and import it in a fresh node: ' +
      'their load time and RSS is what making that import lazy would take off the critical path.',
    details: details.join('\n\n')
  }
}
