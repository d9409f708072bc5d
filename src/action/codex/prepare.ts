import { mkdtemp } from 'node:fs/promises'
import path from 'node:path'
import { Codex, prependPathDirs } from '../../sdk/index.js'
import type { Redactor } from '../core/redact.js'
import type { Settings } from '../settings/settings.js'
import { codexEnvironment, protectShellEnvironment } from './environment.js'
import { resolveCodex, type InstallLog, type Runner } from './install.js'
import { isolateAgent, type AgentIsolation } from './isolation.js'
import { startModelProxy } from './modelProxy.js'
import { ensureSandboxCanStart } from './sandbox.js'

/** Where codex keeps this run's sessions: the thread layer saves and restores them here. */
export async function makeCodexHome(settings: Pick<Settings, 'codexHome'>, runner: Runner): Promise<string> {
  return settings.codexHome ?? (await mkdtemp(path.join(runner.tempDir, 'codex-home-')))
}

/** The settings that shape codex's process; the API key among them, which only the model proxy holds. */
export type CodexSettings = Pick<
  Settings,
  | 'sandbox'
  | 'codexPath'
  | 'codexVersion'
  | 'allowEnv'
  | 'apiKey'
  | 'baseUrl'
  | 'config'
  | 'isolation'
  | 'workingDirectory'
>

/** codex ready for the turn, and what goes with it for the run. */
export interface PreparedCodex {
  codex: Codex
  /** Set when codex runs as the agent user: the turn lends it its folders and takes them back. */
  agent?: AgentIsolation
  /** Stops the model proxy: codex's token is worth nothing from then on. */
  close: () => Promise<void>
}

/**
 * A codex ready for the turn: its sandbox able to start, the binary found or installed, talking to
 * the model through a proxy that holds the key, running as the agent user where it can, and with an
 * environment that keeps the runner's credentials and the user's secrets from the agent.
 */
export async function prepareCodex(
  settings: CodexSettings,
  runner: Runner,
  codexHome: string,
  redactor: Redactor,
  log: InstallLog
): Promise<PreparedCodex> {
  await ensureSandboxCanStart(settings.sandbox, runner.env, (message) => log.info(message))
  const installation = await resolveCodex(settings, runner, log)
  const agent = await isolateAgent({
    isolation: settings.isolation,
    executable: installation.executablePath,
    pathDirs: installation.pathDirs,
    codexHome,
    workingDirectory: settings.workingDirectory,
    writes: settings.sandbox !== 'read-only',
    disposableMachine: runner.env.RUNNER_ENVIRONMENT === 'github-hosted',
    tempDir: runner.tempDir,
    warn: (message) => log.warning(message),
    info: (message) => log.info(message)
  })
  const env = codexEnvironment(runner.env, codexHome, settings.allowEnv)
  // the tools the package ships for the agent's commands (rg), as the SDK adds them to a package it finds
  if (installation.pathDirs.length) env.PATH = prependPathDirs(env.PATH, installation.pathDirs)
  if (agent) Object.assign(env, agent.env, { HOME: agent.home })
  const proxy = await startModelProxy({ upstreamBaseUrl: settings.baseUrl, apiKey: settings.apiKey })
  redactor.add(proxy.token)
  bypassHttpProxy(env, proxy.baseUrl)
  const codex = new Codex({
    codexPathOverride: agent?.launcher ?? installation.executablePath,
    apiKey: proxy.token,
    baseUrl: proxy.baseUrl,
    config: protectShellEnvironment(settings.config, {
      codexEnv: env,
      // the agent's git settings reach its commands; nothing secret is in them
      allowEnv: [...settings.allowEnv, ...Object.keys(agent?.env ?? {})],
      holdsSecret: (value) => redactor.holds(value)
    }),
    env,
    // codex's own notices are for whoever debugs the action, not for every reader of the log
    logger: { warn: (message) => log.debug(message) }
  })
  return { codex, agent, close: () => proxy.close() }
}

/** codex reaches the proxy directly, not through the runner's HTTP proxy, which would refuse or log it. */
function bypassHttpProxy(env: Record<string, string>, proxyUrl: string): void {
  const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => env[name])
  if (!proxied) return
  const host = new URL(proxyUrl).hostname
  for (const name of ['NO_PROXY', 'no_proxy']) env[name] = env[name] ? `${env[name]},${host}` : host
}
