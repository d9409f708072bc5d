// `npm run bench`: measures what the SDK and the action add around a codex turn, and what getting
// codex costs, then prints a table and writes BENCHMARKS.md. A script, never a timed test: it
// asserts nothing. `npm run bench -- --help` lists the flags; the sections live in scripts/bench/.
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import * as prettier from 'prettier'
import { ciGather } from './bench/ci.js'
import { coldStart } from './bench/coldStart.js'
import { dial } from './bench/dial.js'
import { floor } from './bench/floor.js'
import { install } from './bench/install.js'
import { isolationCost } from './bench/isolation.js'
import { memory } from './bench/memory.js'
import { parseOptions, type Section } from './bench/options.js'
import { actionOverhead, sdkOverhead, type Timeline } from './bench/overhead.js'
import { profile } from './bench/profile.js'
import { proxyOverhead } from './bench/proxy.js'
import { benchmarksMarkdown, describeMachine, textTable, type SectionResult } from './bench/report.js'
import { stores } from './bench/stores.js'
import { projectRoot } from './bench/targets.js'
import { threadCost } from './bench/threadCost.js'
import { throughput } from './bench/throughput.js'
import { writes } from './bench/writes.js'

const options = parseOptions(process.argv.slice(2), process.env)
const machine = describeMachine(projectRoot)
console.log(
  `codex-thread-action bench · commit ${machine.commit}${machine.dirty ? ' (dirty)' : ''} · ${machine.cpus} CPUs ` +
    `(${machine.cpuModel}), ${machine.memory} · node ${machine.node}\nsections: ${options.sections.join(', ')}`
)

const results: SectionResult[] = []
let timelines: Timeline[] = []
const sections: Record<Section, () => Promise<SectionResult>> = {
  sdk: () => sdkOverhead(options),
  action: async () => {
    const result = await actionOverhead(options)
    timelines = result.timelines
    return result.section
  },
  throughput: () => throughput(options),
  memory: () => memory(options),
  coldstart: () => coldStart(options, timelines),
  install: () => install(options),
  stores: () => stores(options),
  proxy: () => proxyOverhead(options),
  cost: () => threadCost(options),
  dial: () => dial(),
  isolation: () => isolationCost(options),
  writes: () => writes(),
  ci: () => ciGather(),
  floor: () => floor(options),
  profile: () => profile(options)
}

for (const section of options.sections) {
  const started = performance.now()
  process.stderr.write(`▶ ${section}\n`)
  const result = await sections[section]()
  results.push(result)
  process.stderr.write(`  ${section} done in ${((performance.now() - started) / 1000).toFixed(0)} s\n`)
  console.log(`\n${textTable(result.rows)}`)
  if ((section === 'profile' || section === 'cost' || section === 'dial') && result.details)
    console.log(`\n${result.details}`)
}

console.log(`\n${textTable(results.flatMap((result) => result.rows))}`)
if (options.write) {
  const file = path.resolve(projectRoot, options.write)
  const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ')
  // formatted as `npm run lint` expects
  const markdown = benchmarksMarkdown(machine, results, command)
  const config = (await prettier.resolveConfig(file)) ?? {}
  writeFileSync(file, await prettier.format(markdown, { ...config, filepath: file }))
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`)
}
// the temp folders of the test support are removed at exit
process.exit(0)
