import { spawn } from 'node:child_process'
import { chmodSync } from 'node:fs'
import path from 'node:path'
import { startGitHubServer, type GitHubServer, type RecordedRequest } from '../../__tests__/support/githubServer.js'
import {
  pullRequestPayload,
  runAction,
  type ActionRun,
  type ActionRunOptions
} from '../../__tests__/support/runAction.js'
import {
  answersToolCall,
  startScriptedModel,
  type ModelRequest,
  type ModelScript,
  type ScriptedModel
} from '../../__tests__/support/scriptedModel.js'
import { tempDir, tempRepo } from '../../__tests__/support/tempDirs.js'
import { probeEnv, readProbe, stampPushes, type ProbeRecord, type Timestamped } from './probe.js'
import { buildExecArgs, Codex, codexLauncher, findCodexExecutable } from './targets.js'

export const API_KEY = 'sk-bench-0123456789'
export const PROMPT = 'bench'

/** The scripted turn: the model runs one command, then answers `delayMs` later. */
export function benchScript(delayMs: number, command = 'echo bench'): ModelScript {
  return (request) => (answersToolCall(request) ? { message: 'done', delayMs } : { command })
}

export interface Bench {
  model: ScriptedModel
  modelRequests: Array<ModelRequest & Timestamped>
  github: GitHubServer
  githubRequests: Array<RecordedRequest & Timestamped>
  repo: string
  /** The native codex binary the SDK finds: what "raw codex exec" runs. */
  codexBinary: string
  close(): Promise<void>
}

/** A scripted model (answering after `delayMs`), a GitHub server (each answer `githubLatencyMs` late) and a checkout. */
export async function startBench(script: ModelScript, githubLatencyMs = 0): Promise<Bench> {
  const model = await startScriptedModel(script)
  const github = await startGitHubServer({ latencyMs: githubLatencyMs })
  return {
    model,
    modelRequests: stampPushes(model.requests),
    github,
    githubRequests: stampPushes(github.requests),
    repo: runnerCheckout(),
    codexBinary: findCodexExecutable(),
    close: async () => {
      await model.close()
      await github.close()
    }
  }
}

/**
 * A checkout as a runner has it: actions/checkout writes the workspace under the runner's umask
 * (022), so others may read it; the test helper's folders are private (mkdtemp, 0700), which
 * would make every read-only turn lend the checkout by chown, as no runner does.
 */
function runnerCheckout(): string {
  const repo = tempRepo()
  chmodSync(repo, 0o755)
  return repo
}

const threadOptions = (repo: string) =>
  ({ workingDirectory: repo, sandboxMode: 'read-only', skipGitRepoCheck: true }) as const

/** `codex exec --experimental-json` on the native binary, with the arguments the SDK would give it. */
export async function rawTurn(bench: Bench, stdoutSink?: (chunk: Buffer) => void): Promise<number> {
  const home = tempDir('bench-home')
  const args = buildExecArgs({
    baseUrl: bench.model.url,
    providerUsesKey: true,
    thread: threadOptions(bench.repo),
    images: []
  })
  const started = performance.now()
  const child = spawn(bench.codexBinary, args, {
    env: { PATH: process.env.PATH ?? '', HOME: home, CODEX_HOME: home, CODEX_API_KEY: API_KEY },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let tail = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdoutSink?.(chunk)
    tail = (tail + chunk.toString('utf8')).slice(-4096)
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4096)))
  child.stdin.end(PROMPT)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  const took = performance.now() - started
  if (code !== 0 || !tail.includes('"turn.completed"')) throw new Error(`raw codex exec failed (${code}): ${stderr}`)
  return took
}

/** The same turn through the SDK (which finds the same native binary). */
export async function sdkTurn(bench: Bench): Promise<number> {
  const home = tempDir('bench-home')
  const codex = new Codex({
    baseUrl: bench.model.url,
    apiKey: API_KEY,
    env: { PATH: process.env.PATH ?? '', HOME: home, CODEX_HOME: home },
    logger: { warn: () => {} }
  })
  const started = performance.now()
  await codex.startThread(threadOptions(bench.repo)).run(PROMPT)
  return performance.now() - started
}

export interface ActionTurn {
  /** From spawning `node dist/index.js` to its exit, as seen from outside. */
  ms: number
  run: ActionRun
  probe: ProbeRecord
  github: Array<RecordedRequest & Timestamped>
  model: Array<ModelRequest & Timestamped>
  /** Epoch ms just before the spawn. */
  spawnedAt: number
}

let prNumber = 100

/**
 * A bundle run as the runner runs it (dist/index.js unless `entry` says), against the bench's servers
 * and checkout, with the probe inside it: the turn's timeline, its GitHub calls and model requests.
 */
export async function probedTurn(
  bench: Bench,
  options: Pick<ActionRunOptions, 'inputs' | 'payload' | 'entry'> & { cpuProfile?: string }
): Promise<ActionTurn> {
  const { cpuProfile, ...run } = options
  const probeDir = tempDir('bench-probe-out')
  const githubBefore = bench.githubRequests.length
  const modelBefore = bench.modelRequests.length
  const spawnedAt = Date.now()
  const started = performance.now()
  const result = await runAction({
    ...run,
    githubUrl: bench.github.url,
    workspace: bench.repo,
    env: probeEnv(probeDir, cpuProfile)
  })
  const ms = performance.now() - started
  if (result.exitCode !== 0) throw new Error(`${options.entry ?? 'the action'} failed:\n${result.log}`)
  return {
    ms,
    run: result,
    probe: readProbe(probeDir),
    github: bench.githubRequests.slice(githubBefore),
    model: bench.modelRequests.slice(modelBefore),
    spawnedAt
  }
}

/** The action end to end from dist/: a PR comment written, the thread saved in a directory store. */
export async function actionTurn(bench: Bench, extra: { cpuProfile?: string } = {}): Promise<ActionTurn> {
  return probedTurn(bench, {
    inputs: {
      prompt: PROMPT,
      'openai-api-key': API_KEY,
      'base-url': bench.model.url,
      'codex-path': codexLauncher,
      'github-token': 'ghs_bench_0123456789',
      'thread-store': 'directory',
      'thread-store-path': tempDir('bench-store')
    },
    payload: pullRequestPayload(prNumber++),
    cpuProfile: extra.cpuProfile
  })
}

/** What `codex-path` points the action at, relative to the project, for the report. */
export const launcherLabel = path.relative(process.cwd(), codexLauncher)
