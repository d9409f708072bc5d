/**
 * Builds of the action against each other and raw `codex exec`, in the same run, alternating:
 * `npx tsx scripts/bench/compareBuilds.ts <build dir>... [--rounds=N] [--delay=MS] [--github-latency=MS]`,
 * each build dir a copy of `dist/` (e.g. made with `npm run package` at two commits). Each round runs
 * one raw turn, then one action turn per build in rotating order, the build copied into dist/ before
 * its turn; dist/ is put back as it was at the end. On a shared machine, where load swamps absolute
 * times, this is how a change's effect on the action's overhead shows (BENCHMARKS.md, issue 33).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { timeline } from './overhead.js'
import { median } from './stats.js'
import { distEntry } from './targets.js'
import { actionTurn, benchScript, rawTurn, startBench } from './turns.js'

const flags = new Map(
  process.argv
    .slice(2)
    .filter((arg) => arg.startsWith('--'))
    .map((arg) => arg.slice(2).split('=') as [string, string])
)
const builds = process.argv.slice(2).filter((arg) => !arg.startsWith('--'))
if (!builds.length)
  throw new Error('usage: compareBuilds.ts <build dir>... [--rounds=N] [--delay=MS] [--github-latency=MS]')
const rounds = Number(flags.get('rounds') ?? 8)
const delayMs = Number(flags.get('delay') ?? 2000)
const latencyMs = Number(flags.get('github-latency') ?? 0)

const dist = path.dirname(distEntry)
const saved = mkdtempSync(path.join(tmpdir(), 'cta-dist-saved-'))
cpSync(dist, saved, { recursive: true })
const use = (dir: string): void => {
  rmSync(dist, { recursive: true, force: true })
  cpSync(dir, dist, { recursive: true })
}

interface Samples {
  added: number[]
  spawn: number[]
  exec: number[]
  exit: number[]
  cpu: number[]
}
const samples = new Map<string, Samples>(
  builds.map((dir) => [dir, { added: [], spawn: [], exec: [], exit: [], cpu: [] }])
)
const raws: number[] = []
const bench = await startBench(benchScript(delayMs), latencyMs)
try {
  await rawTurn(bench) // the page cache, for the binary and each build
  for (const dir of builds) {
    use(dir)
    await actionTurn(bench)
  }
  for (let round = 0; round < rounds; round++) {
    const raw = await rawTurn(bench)
    raws.push(raw)
    for (const dir of builds.map((_, index) => builds[(index + round) % builds.length] as string)) {
      use(dir)
      const turn = await actionTurn(bench)
      const parts = timeline(turn)
      const of = samples.get(dir) as Samples
      of.added.push(turn.ms - raw)
      of.spawn.push(parts.startToExec)
      of.exec.push(parts.exec)
      of.exit.push(parts.execExitToEnd)
      of.cpu.push(turn.probe.cpuMs)
    }
    process.stderr.write(`round ${round + 1}/${rounds}\n`)
  }
} finally {
  use(saved)
  rmSync(saved, { recursive: true, force: true })
  await bench.close()
}
const list = (values: number[]): string =>
  `median ${median(values).toFixed(0)} [${values.map((value) => value.toFixed(0)).join(', ')}]`
console.log(`model after ${delayMs} ms, GitHub after ${latencyMs} ms; raw codex exec: ${list(raws)}`)
for (const [dir, of] of samples) {
  console.log(dir)
  console.log(`  added (action − raw of the round): ${list(of.added)}`)
  console.log(`  codex exec spawned at: ${list(of.spawn)}`)
  console.log(`  codex exec: ${list(of.exec)}`)
  console.log(`  codex exit → process exit: ${list(of.exit)}`)
  console.log(`  action CPU (user + system): ${list(of.cpu)}`)
}
