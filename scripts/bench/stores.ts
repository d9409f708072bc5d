// What the artifact and cache thread stores add to a run: save and load times and stored bytes,
// with @actions/artifact and @actions/cache unmocked against the test stand-in of the Actions
// services (Twirp results service, Azurite blobs, GitHub REST on 127.0.0.1). @actions/github reads
// GITHUB_API_URL once, when first imported, and the bench's other sections import it before this
// one runs: the measuring happens in a child process that sets it first (this file, run directly).
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { Options } from './options.js'
import { ms, type Row, type SectionResult } from './report.js'
import { median, p90 } from './stats.js'

/** Sealed bundle sizes: a short thread's, and a long one's. */
const BUNDLE_SIZES = [64 * 1024, 4 * 1024 * 1024]
const STORES = ['artifact', 'cache'] as const

interface Sample {
  store: (typeof STORES)[number]
  bundleBytes: number
  saveMs: number[]
  loadMs: number[]
  /** Bytes the blob holds: the bundle in the library's container (zip, tar.zst). */
  storedBytes: number
}

/** dist/index.js resuming a thread with the store, on a fresh runner: where the store's work lands. */
interface RunSample {
  store: (typeof STORES)[number]
  /** Process start to the spawn of `codex exec`: what the store's import and load may delay. */
  startToExec: number[]
  /** `codex exec` exit to the process's exit: the second read, the save and the prune, beside the comment. */
  execExitToEnd: number[]
}

export async function stores(options: Options): Promise<SectionResult> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_STORES_REPEATS: String(options.repeats) },
    maxBuffer: 64 * 1024 * 1024
  })
  const { samples, runs } = JSON.parse(stdout.trim().split('\n').at(-1)!) as { samples: Sample[]; runs: RunSample[] }
  const rows: Row[] = samples.flatMap((sample) => {
    const size = `${(sample.bundleBytes / 1024).toFixed(0)} KiB`
    const note = `${sample.saveMs.length} runs; stored ${sample.storedBytes} B`
    return [
      {
        item: 'stores',
        measure: `${sample.store} store: save a ${size} bundle`,
        median: ms(median(sample.saveMs)),
        p90: ms(p90(sample.saveMs)),
        note
      },
      {
        item: 'stores',
        measure: `${sample.store} store: load it on another runner`,
        median: ms(median(sample.loadMs)),
        p90: ms(p90(sample.loadMs)),
        note
      }
    ]
  })
  for (const run of runs)
    rows.push(
      {
        item: 'stores',
        measure: `action resuming with the ${run.store} store: process start → \`codex exec\` spawned`,
        median: ms(median(run.startToExec)),
        p90: ms(p90(run.startToExec)),
        note: `${run.startToExec.length} runs`
      },
      {
        item: 'stores',
        measure: `action resuming with the ${run.store} store: \`codex exec\` exit → process exit`,
        median: ms(median(run.execExitToEnd)),
        p90: ms(p90(run.execExitToEnd)),
        note: `${run.execExitToEnd.length} runs`
      }
    )
  return {
    title: 'Thread stores against the Actions services stand-in',
    rows,
    explanation:
      'Each save runs on a fresh runner (its own run, an empty RUNNER_TEMP) and each load on another, with ' +
      'the real @actions/artifact and @actions/cache against __tests__/support/actionsServices.ts: the ' +
      'Twirp results service and Azurite on 127.0.0.1. What is left is the clients’ own work (zip or ' +
      'tar+zstd, hashing, the Azure SDK, the REST listing) and loopback round trips; GitHub’s service adds ' +
      'network latency to each of the 2–4 calls a save or load makes.'
  }
}

async function measure(repeats: number): Promise<{ samples: Sample[]; runs: RunSample[] }> {
  const { startGitHubServer, OWNER, REPO } = await import('../../__tests__/support/githubServer.js')
  const github = await startGitHubServer()
  process.env.GITHUB_API_URL = github.url
  const { startActionsServices } = await import('../../__tests__/support/actionsServices.js')
  const { tempDir } = await import('../../__tests__/support/tempDirs.js')
  const { createOctokit } = await import('../../src/action/github/octokit.js')
  const { createStorageApi } = await import('../../src/action/thread/stores/storageApi.js')
  const { ArtifactBundleStore } = await import('../../src/action/thread/stores/artifact.js')
  const { CacheBundleStore } = await import('../../src/action/thread/stores/cache.js')
  const services = await startActionsServices(github)
  const runnerTemp = path.join(tempDir('bench-runner'), 'temp')
  Object.assign(process.env, {
    GITHUB_SERVER_URL: 'https://github.com',
    RUNNER_TEMP: runnerTemp,
    GITHUB_WORKSPACE: runnerTemp
  })
  // the clients log every step on stdout; the samples are this process's only output there
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = () => true
  let runId = 1
  const onRunner = (store: (typeof STORES)[number]) => {
    Object.assign(process.env, services.jobEnv({ runId: runId, ref: 'refs/pull/7/merge' }))
    rmSync(runnerTemp, { recursive: true, force: true })
    mkdirSync(runnerTemp, { recursive: true })
    const api = createStorageApi(createOctokit({ token: 'ghs_token', apiUrl: github.url, warn: () => {} }), OWNER, REPO)
    const log = (): void => {}
    const run = { runId: String(runId++), runAttempt: '1' }
    return store === 'artifact'
      ? new ArtifactBundleStore({ api, token: 'ghs_token', owner: OWNER, repo: REPO, workDir: runnerTemp, log })
      : new CacheBundleStore({ api, run, workDir: runnerTemp, log })
  }
  const samples: Sample[] = []
  for (const store of STORES)
    for (const bundleBytes of BUNDLE_SIZES) {
      const sample: Sample = { store, bundleBytes, saveMs: [], loadMs: [], storedBytes: 0 }
      // one warm-up round: module loading is the cold start's, measured elsewhere
      for (let round = 0; round <= repeats; round++) {
        const key = `bench-${store}-${bundleBytes}-${round}`
        const bundle = randomBytes(bundleBytes)
        const saver = onRunner(store)
        let started = performance.now()
        await saver.save(key, bundle)
        const saveMs = performance.now() - started
        const loader = onRunner(store)
        started = performance.now()
        const loaded = await loader.load(key, (sealed) => Promise.resolve(sealed.length))
        const loadMs = performance.now() - started
        if (loaded !== bundleBytes) throw new Error(`${store} loaded ${loaded} bytes of ${bundleBytes}`)
        if (round === 0) continue
        sample.saveMs.push(saveMs)
        sample.loadMs.push(loadMs)
        sample.storedBytes =
          store === 'artifact'
            ? (await services.artifactBlob(github.artifacts.at(-1)!.id)).length
            : (await services.cacheBlob(services.caches().at(-1)!)).length
      }
      samples.push(sample)
    }
  const runs: RunSample[] = []
  for (const store of STORES) runs.push(await measureRuns(store, repeats, github, services))
  await services.close()
  await github.close()
  process.stdout.write = write
  return { samples, runs }
}

/**
 * Pairs of dist/index.js runs on one PR, each on a fresh runner (run id, RUNNER_TEMP, CODEX_HOME):
 * the first starts the thread and saves it, the second, measured, loads and resumes it, then saves.
 */
async function measureRuns(
  store: (typeof STORES)[number],
  repeats: number,
  github: import('../../__tests__/support/githubServer.js').GitHubServer,
  services: import('../../__tests__/support/actionsServices.js').ActionsServices
): Promise<RunSample> {
  const { pullRequestPayload, runAction, codexLauncher } = await import('../../__tests__/support/runAction.js')
  const { startScriptedModel } = await import('../../__tests__/support/scriptedModel.js')
  const { tempDir, tempRepo } = await import('../../__tests__/support/tempDirs.js')
  const { execSpawn, probeEnv, readProbe } = await import('./probe.js')
  const model = await startScriptedModel(() => ({ message: 'done' }))
  const repo = tempRepo()
  // GitHub's runners share one RUNNER_TEMP path, which the cache's version hashes
  const runnerTemp = path.join(tempDir('bench-runners'), 'temp')
  const sample: RunSample = { store, startToExec: [], execExitToEnd: [] }
  let runId = 900_000 + STORES.indexOf(store) * 1000
  const onFreshRunner = async (pr: number, probeDir?: string) => {
    runId++
    rmSync(runnerTemp, { recursive: true, force: true })
    mkdirSync(runnerTemp, { recursive: true })
    const run = await runAction({
      inputs: {
        prompt: 'bench',
        'openai-api-key': 'sk-bench-0123456789',
        'base-url': model.url,
        'codex-path': codexLauncher,
        'github-token': 'ghs_bench_0123456789',
        'thread-store': store
      },
      payload: pullRequestPayload(pr),
      githubUrl: github.url,
      workspace: repo,
      runId: String(runId),
      env: {
        ...services.jobEnv({ runId, ref: `refs/pull/${pr}/merge` }),
        RUNNER_TEMP: runnerTemp,
        ...(probeDir ? probeEnv(probeDir) : {})
      }
    })
    if (run.exitCode !== 0 || run.outputs.resumed !== String(probeDir !== undefined))
      throw new Error(`the ${store} run did not go as planned:\n${run.log}`)
  }
  try {
    // one warm-up pair
    for (let round = 0; round <= repeats; round++) {
      const pr = 100 + round
      await onFreshRunner(pr)
      const probeDir = tempDir('bench-probe-out')
      await onFreshRunner(pr, probeDir)
      if (round === 0) continue
      const probe = readProbe(probeDir)
      const exec = execSpawn(probe)
      const execExit = probe.events.find((event) => event.kind === 'exit' && event.args?.includes('exec'))
      const end = probe.events.find((event) => event.kind === 'end')
      if (!exec || !execExit || !end) throw new Error(`incomplete probe record: ${JSON.stringify(probe)}`)
      sample.startToExec.push(exec.at - probe.origin)
      sample.execExitToEnd.push(end.at - execExit.at)
    }
  } finally {
    await model.close()
  }
  return sample
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const measured = await measure(Number(process.env.BENCH_STORES_REPEATS ?? 10))
  process.stdout.write(`${JSON.stringify(measured)}\n`)
}
