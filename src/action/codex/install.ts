import * as cache from '@actions/cache'
import * as tc from '@actions/tool-cache'
import { existsSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { execFileAsync, stderrOf } from './exec.js'

/** The tool-cache name codex is kept under. */
export const TOOL_NAME = 'codex'

/** What the runner offers: its variables (tool cache, hosted or not) and its scratch folder. */
export interface Runner {
  env: NodeJS.ProcessEnv
  tempDir: string
}

export interface InstallLog {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
}

/** Where an install of `@openai/codex` keeps the launcher, which puts the bundled tools (rg) on PATH. */
export function launcherIn(prefix: string): string {
  return path.join(prefix, 'node_modules', '@openai', 'codex', 'bin', 'codex.js')
}

/** The @actions/cache key of one codex version's install: the native binary depends on OS and arch. */
export function actionsCacheKey(version: string): string {
  return `codex-cli-${version}-${os.platform()}-${os.arch()}`
}

/**
 * Where a fresh install is put together. Fixed for a version, because @actions/cache only restores
 * an entry to the path it was saved from.
 */
export function stagingDir(version: string, tempDir: string): string {
  return path.join(tempDir, 'codex-cli', `${version}-${os.platform()}-${os.arch()}`)
}

/** Installs `@openai/codex@version` with npm into `prefix`; one error with npm's reason if it cannot. */
export async function npmInstallCodex(version: string, prefix: string): Promise<void> {
  await mkdir(prefix, { recursive: true })
  try {
    await execFileAsync(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--loglevel=error',
        `@openai/codex@${version}`
      ],
      { cwd: prefix, maxBuffer: 16 * 1024 * 1024 }
    )
  } catch (error) {
    const stderr = stderrOf(error)
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'npm is not on PATH (install Node.js with npm, e.g. actions/setup-node, or give codex-path)'
        : stderr
            .split('\n')
            // npm's warnings, its pointer to a log file the job discards, and its generic hint say nothing here
            .filter((line) => !/^npm warn|complete log of this run|In most cases you/i.test(line))
            .map((line) => line.replace(/^npm (error|ERR!)\s*/i, ''))
            .slice(-5)
            .join(' ') || (error as Error).message
    throw new Error(`Could not install @openai/codex@${version} with npm: ${reason}`, { cause: error })
  }
  if (!existsSync(launcherIn(prefix)))
    throw new Error(`Could not install @openai/codex@${version}: npm left no launcher at ${launcherIn(prefix)}`)
}

/** The version a codex executable reports, e.g. "0.169.0". */
export async function codexVersion(executable: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(executable, ['--version'], { timeout: 30_000 })
    return stdout.trim().replace(/^codex-cli\s+/, '')
  } catch (error) {
    const stderr = stderrOf(error)
    throw new Error(
      `codex at ${executable} does not run: ${stderr.split('\n').slice(-3).join(' ') || (error as Error).message}`,
      { cause: error }
    )
  }
}

/**
 * The codex to run: `codex-path` as given; else `codex-version` from the runner's tool cache (warm
 * self-hosted runners), the actions cache (hosted runners, whose machines start empty), or npm.
 * Nothing is cached before it has answered `--version`.
 */
export async function resolveCodex(
  settings: { codexPath?: string; codexVersion: string },
  runner: Runner,
  log: InstallLog
): Promise<string> {
  if (settings.codexPath) {
    log.info(`codex ${await codexVersion(settings.codexPath)} from codex-path ${settings.codexPath}`)
    return settings.codexPath
  }
  const started = Date.now()
  const found = await obtainCodex(settings.codexVersion, runner, log)
  log.info(`codex ${found.version} from ${found.source} in ${seconds(started)}`)
  return found.launcher
}

interface FoundCodex {
  launcher: string
  version: string
  /** Where it came from, for the log. */
  source: string
}

async function obtainCodex(version: string, { env, tempDir }: Runner, log: InstallLog): Promise<FoundCodex> {
  // A tag such as "latest" moves: caching it under its name would pin whatever it meant first.
  const exact = tc.isExplicitVersion(version)
  if (!exact) log.info(`codex-version ${version} is not an exact version: installing from npm, uncached`)
  const toolCache = exact && Boolean(env.RUNNER_TOOL_CACHE)
  const actionsCache = exact && cache.isFeatureAvailable()

  if (toolCache) {
    const dir = tc.find(TOOL_NAME, version, os.arch())
    if (dir) {
      try {
        return {
          launcher: launcherIn(dir),
          version: await codexVersion(launcherIn(dir)),
          source: `the tool cache (${dir})`
        }
      } catch (error) {
        log.warning(`Ignoring the tool cache's codex ${version}: ${(error as Error).message}`)
      }
    }
  }

  const staging = stagingDir(version, tempDir)
  const key = actionsCacheKey(version)
  const restored = actionsCache ? await restore(staging, key, log) : undefined
  const found: FoundCodex = {
    launcher: launcherIn(staging),
    version: restored ?? (await installFresh(version, staging)),
    source: restored ? `the actions cache (${key})` : 'npm'
  }

  if (!restored && actionsCache) await save(staging, key, log)
  // a hosted runner's tool cache is gone with the machine: copying ~400 MB into it gains nothing
  if (toolCache && env.RUNNER_ENVIRONMENT !== 'github-hosted') {
    try {
      const dir = await tc.cacheDir(staging, TOOL_NAME, version, os.arch())
      await rm(staging, { recursive: true, force: true })
      return { ...found, launcher: launcherIn(dir) }
    } catch (error) {
      // an entry without its .complete marker is one tc.find never returns
      log.warning(`Could not add codex ${version} to the tool cache: ${(error as Error).message}`)
    }
  }
  return found
}

/** Installs into an empty `staging` and returns the version it reports; on failure leaves nothing behind. */
async function installFresh(version: string, staging: string): Promise<string> {
  // a failed restore may have left part of an archive here
  await rm(staging, { recursive: true, force: true })
  try {
    await npmInstallCodex(version, staging)
    return await codexVersion(launcherIn(staging))
  } catch (error) {
    await rm(staging, { recursive: true, force: true })
    throw error
  }
}

/** Restores `key` into `staging` and returns the version it reports; undefined when there is nothing usable. */
async function restore(staging: string, key: string, log: InstallLog): Promise<string | undefined> {
  const started = Date.now()
  try {
    if (!(await cache.restoreCache([staging], key))) return undefined
    const version = await codexVersion(launcherIn(staging))
    log.info(`Restored codex from the actions cache (${key}) in ${seconds(started)}`)
    return version
  } catch (error) {
    log.warning(`Could not use the actions cache entry ${key}: ${(error as Error).message}`)
    return undefined
  }
}

async function save(staging: string, key: string, log: InstallLog): Promise<void> {
  const started = Date.now()
  try {
    const id = await cache.saveCache([staging], key)
    // saveCache reports its own failures as warnings and answers -1
    if (id !== -1) log.info(`Saved codex to the actions cache (${key}) in ${seconds(started)}`)
  } catch (error) {
    log.warning(`Could not save codex to the actions cache (${key}): ${(error as Error).message}`)
  }
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`
}
