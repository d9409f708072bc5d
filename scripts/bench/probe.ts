import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { tempDir } from '../../__tests__/support/tempDirs.js'

/**
 * A preload (`node --require`) that records, inside the action's own process, when it started,
 * every child it spawned and when that child exited, and its peak RSS at exit. It removes
 * NODE_OPTIONS from the environment, so codex's node launcher is neither probed nor profiled.
 */
const PROBE_SOURCE = String.raw`
'use strict'
const { performance } = require('node:perf_hooks')
const fs = require('node:fs')
const cp = require('node:child_process')
const out = process.env.BENCH_PROBE_OUT
const cpuProfile = process.env.BENCH_PROBE_CPU_PROFILE
delete process.env.NODE_OPTIONS
delete process.env.BENCH_PROBE_OUT
delete process.env.BENCH_PROBE_CPU_PROFILE
let session
if (cpuProfile) {
  // node 20 refuses --cpu-prof in NODE_OPTIONS: the same profiler, started from here
  session = new (require('node:inspector').Session)()
  session.connect()
  session.post('Profiler.enable')
  session.post('Profiler.setSamplingInterval', { interval: 200 })
  session.post('Profiler.start')
}
if (out) {
  const origin = performance.timeOrigin
  const now = () => origin + performance.now()
  const events = []
  const spawn = cp.ChildProcess.prototype.spawn
  cp.ChildProcess.prototype.spawn = function (options) {
    const result = spawn.apply(this, arguments)
    const what = { file: options.file, args: (options.args || []).slice(1, 3).map(String) }
    events.push({ at: now(), kind: 'spawn', ...what })
    this.once('exit', () => events.push({ at: now(), kind: 'exit', ...what }))
    return result
  }
  process.once('exit', () => {
    events.push({ at: now(), kind: 'end' })
    const usage = process.resourceUsage()
    if (session) session.post('Profiler.stop', (error, result) => {
      if (!error) fs.writeFileSync(cpuProfile, JSON.stringify(result.profile))
    })
    fs.writeFileSync(out + '/' + process.pid + '.json', JSON.stringify({ pid: process.pid, origin, maxRssKiB: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, events }))
  })
}
`

export interface ProbeEvent {
  at: number
  kind: 'spawn' | 'exit' | 'end'
  file?: string
  args?: string[]
}

export interface ProbeRecord {
  pid: number
  /** Epoch ms when the process started (performance.timeOrigin). */
  origin: number
  maxRssKiB: number
  /** The action's own CPU time (user + system, its children not included): less noisy than wall time on a busy machine. */
  cpuMs: number
  events: ProbeEvent[]
}

let probeFile: string | undefined

/**
 * The environment that loads the probe into a node process; with `cpuProfile`, the probe also
 * writes a CPU profile of the whole process there (as `--cpu-prof` would).
 */
export function probeEnv(outDir: string, cpuProfile?: string): Record<string, string> {
  if (!probeFile) {
    probeFile = path.join(tempDir('bench-probe'), 'probe.cjs')
    writeFileSync(probeFile, PROBE_SOURCE)
  }
  mkdirSync(outDir, { recursive: true })
  return {
    NODE_OPTIONS: `--require=${probeFile}`,
    BENCH_PROBE_OUT: outDir,
    ...(cpuProfile ? { BENCH_PROBE_CPU_PROFILE: cpuProfile } : {})
  }
}

/** The record of the one probed process that wrote into `outDir`. */
export function readProbe(outDir: string): ProbeRecord {
  const files = readdirSync(outDir).filter((name) => name.endsWith('.json'))
  const [file] = files
  if (!file || files.length !== 1) throw new Error(`expected one probe record in ${outDir}, found ${files.length}`)
  return JSON.parse(readFileSync(path.join(outDir, file), 'utf8')) as ProbeRecord
}

/** The spawn of `codex exec` (the turn), as opposed to `codex --version`. */
export function execSpawn(record: ProbeRecord): ProbeEvent | undefined {
  return record.events.find((event) => event.kind === 'spawn' && event.args?.includes('exec'))
}

export interface Timestamped {
  at: number
}

/** Stamps each entry pushed onto a request log of the shared test servers, without touching them. */
export function stampPushes<T extends object>(list: T[]): Array<T & Timestamped> {
  const push = list.push.bind(list)
  list.push = (...items: T[]): number => push(...items.map((item) => Object.assign(item, { at: Date.now() })))
  return list as Array<T & Timestamped>
}
