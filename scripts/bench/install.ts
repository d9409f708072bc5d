import { execFile } from 'node:child_process'
import { mkdirSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import * as tc from '@actions/tool-cache'
import { tempDir } from '../../__tests__/support/tempDirs.js'
import type { Options } from './options.js'
import { mib, ms, type Row, type SectionResult } from './report.js'
import { median, p90, timed } from './stats.js'
import { benchScript, rawTurn, startBench } from './turns.js'
import { codexVersion, DEFAULT_CODEX_VERSION, launcherIn, resolveCodex, TOOL_NAME } from './targets.js'

const run = promisify(execFile)
const RESTORES = 3

async function bytesOf(target: string): Promise<number> {
  const { stdout } = await run('du', ['-sb', target])
  return Number(stdout.split('\t')[0])
}

/** An archive as @actions/cache makes one on Linux: tar through `zstd -T0 --long=30`. */
async function archive(root: string, entries: string[], file: string): Promise<void> {
  await run('sh', [
    '-c',
    `tar -cf - -C '${root}' ${entries.map((entry) => `'${entry}'`).join(' ')} | zstd -T0 --long=30 -q -o '${file}'`
  ])
}

/** A restore as @actions/cache does one once the archive is downloaded: `unzstd --long=30` into tar. */
async function extract(file: string, into: string): Promise<void> {
  mkdirSync(into, { recursive: true })
  await run('sh', ['-c', `unzstd --long=30 -q -c '${file}' | tar -xf - -C '${into}'`])
}

/** Runs `fn` with stdout muted: @actions/core prints its debug lines there. */
async function muted<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = () => true
  try {
    return await fn()
  } finally {
    process.stdout.write = write
  }
}

/** Item 6: getting codex — npm (cold), the warm tool cache, a restore of what the action caches. */
export async function install(options: Options): Promise<SectionResult> {
  const version = DEFAULT_CODEX_VERSION
  const work = tempDir('bench-install')
  const staging = path.join(work, 'staging')
  const cache = path.join(work, 'npm-cache')
  process.stderr.write(`  npm install @openai/codex@${version} with an empty npm cache…\n`)
  const npm = await timed(() =>
    run(
      'npm',
      [
        'install',
        '--prefix',
        staging,
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--loglevel=error',
        '--cache',
        cache,
        `@openai/codex@${version}`
      ],
      { cwd: work, maxBuffer: 16 * 1024 * 1024 }
    )
  )
  const downloaded = await bytesOf(cache)
  const installed = await bytesOf(staging)
  const verify = await timed(() => codexVersion(launcherIn(staging)))

  // what the action keeps of the install (src/action/codex/install.ts): the platform package's
  // folder with only the files a turn runs, laid out as installationIn expects
  const vendor = path.join(
    'staging',
    'node_modules',
    '@openai',
    'codex-linux-x64',
    'vendor',
    'x86_64-unknown-linux-musl'
  )
  const turnEntries = [
    'codex-package.json',
    path.join('bin', 'codex'),
    'codex-path',
    path.join('codex-resources', 'bwrap')
  ]
  const kept = path.join(work, 'kept')
  mkdirSync(kept)
  await run('sh', ['-c', `tar -cf - -C '${path.join(work, vendor)}' ${turnEntries.join(' ')} | tar -xf - -C '${kept}'`])
  const keptBytes = await bytesOf(kept)

  // the tool cache of a self-hosted runner, warm: what resolveCodex does on a hit
  const toolCache = path.join(work, 'tool-cache')
  const previous = process.env.RUNNER_TOOL_CACHE
  process.env.RUNNER_TOOL_CACHE = toolCache
  const intoToolCache = await muted(() => timed(() => tc.cacheDir(kept, TOOL_NAME, version, os.arch())))
  const hits: number[] = []
  const silent = { info: () => {}, warning: () => {}, debug: () => {} }
  for (let index = 0; index <= options.repeats; index++) {
    const hit = await muted(() =>
      timed(() =>
        resolveCodex({ codexVersion: version }, { env: { RUNNER_TOOL_CACHE: toolCache }, tempDir: os.tmpdir() }, silent)
      )
    )
    if (!hit.value.executablePath.startsWith(toolCache))
      throw new Error(`expected a tool-cache hit, got ${hit.value.executablePath}`)
    if (index > 0) hits.push(hit.ms)
  }
  if (previous === undefined) delete process.env.RUNNER_TOOL_CACHE
  else process.env.RUNNER_TOOL_CACHE = previous

  // the actions cache entry: before, the whole staging folder; now, the files a turn runs
  const whole = path.join(work, 'whole.tzst')
  const pack = await timed(() => archive(work, ['staging'], whole))
  const minimal = path.join(work, 'minimal.tzst')
  const packMinimal = await timed(() => archive(kept, turnEntries, minimal))
  const restore = async (file: string, executable: (into: string) => string): Promise<number[]> => {
    const times: number[] = []
    for (let index = 0; index < RESTORES; index++) {
      const into = path.join(work, `restore-${index}`)
      const took = await timed(async () => {
        await extract(file, into)
        await codexVersion(executable(into))
      })
      times.push(took.ms)
      rmSync(into, { recursive: true, force: true })
    }
    return times
  }
  const wholeRestores = await restore(whole, (into) => launcherIn(path.join(into, 'staging')))
  const minimalRestores = await restore(minimal, (into) => path.join(into, 'bin', 'codex'))
  // the kept files must run a whole turn (a command in the read-only sandbox), not only --version
  const check = path.join(work, 'minimal-check')
  await extract(minimal, check)
  const bench = await startBench(benchScript(0))
  try {
    bench.codexBinary = path.join(check, 'bin', 'codex')
    await rawTurn(bench)
  } finally {
    await bench.close()
  }
  const big = (name: string): number => statSync(path.join(work, vendor, name)).size

  const rows: Row[] = [
    {
      item: '6',
      measure: `npm install @openai/codex@${version}, empty npm cache`,
      median: ms(npm.ms),
      note: `n=1; ${mib(downloaded)} downloaded (npm cache), ${mib(installed)} installed; then \`--version\` ${ms(verify.ms)}`
    },
    {
      item: '6',
      measure: 'warm tool cache hit (resolveCodex: tc.find + native `codex --version`)',
      median: ms(median(hits)),
      p90: ms(p90(hits)),
      note: `n=${hits.length}; filling it once (tc.cacheDir copy of ${mib(keptBytes)}) took ${ms(intoToolCache.ms)}`
    },
    {
      item: '6',
      measure: 'actions cache entry before (whole install folder): extract + launcher `--version`',
      median: ms(median(wholeRestores)),
      p90: ms(p90(wholeRestores)),
      note: `n=${RESTORES}; ${mib(statSync(whole).size)} archive (tar+zstd --long=30) of ${mib(installed)}; packing ${ms(pack.ms)}; download time not included`
    },
    {
      item: '6',
      measure: 'actions cache entry now (binary, rg, bwrap, layout file): extract + `--version`',
      median: ms(median(minimalRestores)),
      p90: ms(p90(minimalRestores)),
      note: `n=${RESTORES}; ${mib(statSync(minimal).size)} archive of ${mib(keptBytes)}; packing ${ms(packMinimal.ms)}; ran a scripted turn with a command`
    }
  ]
  return {
    title: '6. Getting codex',
    rows,
    explanation:
      "Three ways the action gets codex (`src/action/codex/install.ts`). npm: the action's own `npm install` " +
      'command into a temp prefix, with `--cache` pointing at an empty folder so every tarball comes from the ' +
      'registry (network-bound; one sample). Tool cache: a self-hosted runner whose RUNNER_TOOL_CACHE already ' +
      'holds this version as the action keeps it; `resolveCodex` finds it and runs the native `codex --version`. ' +
      'Actions cache: the archive @actions/cache makes (tar piped through `zstd -T0 --long=30`) of what the ' +
      'action kept before (the whole npm install folder) and keeps now (the files a turn runs), extracted the ' +
      'way @actions/cache extracts it, then `--version`; the download from the cache service comes on top and ' +
      'scales with the archive size. ' +
      `The install holds the codex binary (${mib(big('bin/codex'))}), \`codex-code-mode-host\` ` +
      `(${mib(big('bin/codex-code-mode-host'))}) and the voice resources (\`codex-resources/voice\`), which a ` +
      'CI turn never runs; the action now keeps `bin/codex`, `codex-path/` (rg, which it puts on PATH for the ' +
      'agent), `codex-resources/bwrap` (the Linux sandbox) and the layout file `codex-package.json`, and runs ' +
      'the binary without the node launcher.'
  }
}
