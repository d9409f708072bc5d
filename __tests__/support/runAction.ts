import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { issueCommentEvent, pullRequestEvent } from './github/events.js'
import { OWNER, REPO } from './githubServer.js'
import { tempDir } from './tempDirs.js'

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const distEntry = path.join(projectRoot, 'dist', 'index.js')
/** The node that runs dist/index.js: `ACTION_NODE` (CI sets the runner's Node 24), else this one. */
export const actionNode = process.env.ACTION_NODE || process.execPath
/** The launcher of the codex package the project depends on: tests pass it as `codex-path`. */
export const codexLauncher = path.join(projectRoot, 'node_modules', '@openai', 'codex', 'bin', 'codex.js')

export interface ActionRun {
  exitCode: number | null
  /** Everything the action printed (workflow commands included), as the job log receives it. */
  log: string
  outputs: Record<string, string>
  summary: string
  durationMs: number
}

export interface ActionRunOptions {
  inputs: Record<string, string>
  eventName?: string
  payload?: Record<string, unknown>
  githubUrl?: string
  env?: Record<string, string>
  workspace?: string
  runId?: string
  /** The script node runs; dist/index.js unless a bench times another bundle the same way. */
  entry?: string
  /** Called once the process has started, e.g. to send it a signal later. */
  onStart?: (child: import('node:child_process').ChildProcess, log: () => string) => void
}

/** The output `name` of the run, parsed as JSON; throws when the action did not set it. */
export function outputJson(run: ActionRun, name: string): unknown {
  const value = run.outputs[name]
  if (value === undefined) throw new Error(`the action set no output ${name}:\n${run.log}`)
  return JSON.parse(value)
}

/** A pull_request event payload for PR `number`: GitHub's published example, adapted. */
export function pullRequestPayload(number: number, title = `Change ${number}`): Record<string, unknown> {
  return pullRequestEvent({ number, title })
}

/** An issue_comment event payload: `sender` commented `body` on PR `number`. */
export function issueCommentPayload(number: number, body: string, sender = 'alice'): Record<string, unknown> {
  return issueCommentEvent({ number, body, sender })
}

/**
 * Runs dist/index.js (or `entry`) the way the runner does: inputs as INPUT_<NAME> (hyphens kept), the event
 * file, and the files behind outputs, state and the step summary.
 */
export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const dir = tempDir('runner')
  const runnerTemp = path.join(dir, 'temp')
  mkdirSync(runnerTemp)
  const files = {
    output: path.join(dir, 'output'),
    state: path.join(dir, 'state'),
    summary: path.join(dir, 'summary'),
    event: path.join(dir, 'event.json')
  }
  for (const file of [files.output, files.state, files.summary]) writeFileSync(file, '')
  writeFileSync(files.event, JSON.stringify(options.payload ?? {}))
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    // not the machine's HOME: the agent's login shells must not read its profile
    HOME: dir,
    // but the machine's certificate and proxy settings stay, as on a runner: npm installs codex through them
    ...machineNetworkEnv(),
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: options.eventName ?? 'pull_request',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: options.githubUrl ?? 'http://127.0.0.1:9',
    GITHUB_RUN_ID: options.runId ?? '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKSPACE: options.workspace ?? dir,
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    ...options.env
  }
  for (const [name, value] of Object.entries(options.inputs))
    env[`INPUT_${name.toUpperCase().replace(/ /g, '_')}`] = value

  const started = Date.now()
  const child = spawn(actionNode, [options.entry ?? distEntry], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')))
  options.onStart?.(child, () => log)
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return {
    exitCode,
    log,
    outputs: parseCommandFile(readFileSync(files.output, 'utf8')),
    summary: readFileSync(files.summary, 'utf8'),
    durationMs: Date.now() - started
  }
}

const networkVariables = /^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|(HTTPS?|NO)_PROXY|(https?|no)_proxy)$/

function machineNetworkEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => networkVariables.test(entry[0]) && entry[1] !== undefined
    )
  )
}

/** Parses the `name<<delimiter` blocks @actions/core writes to GITHUB_OUTPUT and GITHUB_STATE. */
export function parseCommandFile(text: string): Record<string, string> {
  const values: Record<string, string> = {}
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[index] ?? '')
    if (!match) continue
    const [, name = '', delimiter] = match
    const value: string[] = []
    for (let line = lines[++index]; line !== undefined && line !== delimiter; line = lines[++index]) value.push(line)
    values[name] = value.join('\n')
  }
  return values
}
