import { mkdtemp } from 'node:fs/promises'
import path from 'node:path'
import { Codex, prependPathDirs } from '../../sdk/index.js'
import type { Redactor } from '../core/redact.js'
import type { Settings } from '../settings/settings.js'
import { codexEnvironment, protectShellEnvironment } from './environment.js'
import { resolveCodex, type InstallLog, type Runner } from './install.js'
import { ensureSandboxCanStart } from './sandbox.js'

/** Where codex keeps this run's sessions: the thread layer saves and restores them here. */
export async function makeCodexHome(settings: Pick<Settings, 'codexHome'>, runner: Runner): Promise<string> {
  return settings.codexHome ?? (await mkdtemp(path.join(runner.tempDir, 'codex-home-')))
}

/** The settings that shape codex's process; the API key among them, since codex is given it. */
export type CodexSettings = Pick<
  Settings,
  'sandbox' | 'codexPath' | 'codexVersion' | 'allowEnv' | 'apiKey' | 'baseUrl' | 'config'
>

/**
 * A codex ready for the turn: its sandbox able to start, the binary found or installed, and an
 * environment that keeps the runner's credentials and the user's secrets from the agent.
 */
export async function prepareCodex(
  settings: CodexSettings,
  runner: Runner,
  codexHome: string,
  redactor: Redactor,
  log: InstallLog
): Promise<Codex> {
  await ensureSandboxCanStart(settings.sandbox, runner.env, (message) => log.info(message))
  const installation = await resolveCodex(settings, runner, log)
  const env = codexEnvironment(runner.env, codexHome, settings.allowEnv)
  // the tools the package ships for the agent's commands (rg), as the SDK adds them to a package it finds
  if (installation.pathDirs.length) env.PATH = prependPathDirs(env.PATH, installation.pathDirs)
  return new Codex({
    codexPathOverride: installation.executablePath,
    apiKey: settings.apiKey,
    baseUrl: settings.baseUrl,
    config: protectShellEnvironment(settings.config, {
      codexEnv: env,
      allowEnv: settings.allowEnv,
      holdsSecret: (value) => redactor.holds(value)
    }),
    env,
    // codex's own notices are for whoever debugs the action, not for every reader of the log
    logger: { warn: (message) => log.debug(message) }
  })
}
