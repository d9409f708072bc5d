import { existsSync, realpathSync } from 'node:fs'
import { mkdir, readFile, rename, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { findCodexInstallation, resolveNativePackage, type CodexInstallation } from '../../sdk/index.js'
import { execFileAsync, stderrOf } from '../../shared/exec.js'

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

/** Where an install of `@openai/codex` keeps its node launcher. */
export function launcherIn(prefix: string): string {
  return path.join(prefix, 'node_modules', '@openai', 'codex', 'bin', 'codex.js')
}

/**
 * The @actions/cache key of one codex version: the native binary depends on OS and arch, and
 * `native` names the layout (the turn's files alone), which entries of the whole npm install lack.
 */
export function actionsCacheKey(version: string): string {
  return `codex-cli-${version}-${os.platform()}-${os.arch()}-native`
}

/**
 * Where the files a turn runs are put together. Fixed for a version, because @actions/cache only
 * restores an entry to the path it was saved from.
 */
export function stagingDir(version: string, tempDir: string): string {
  return path.join(tempDir, 'codex-cli', `${version}-${os.platform()}-${os.arch()}`)
}

/**
 * The codex kept in `root`, laid out as the platform package's folder for this machine (the
 * binary, its codex-package.json, the tools it puts on PATH, the sandbox helper); null when
 * `root` holds none.
 */
export function installationIn(root: string): CodexInstallation | null {
  return resolveNativePackage(path.dirname(root), path.basename(root), 'codex')
}

/** Installs `@openai/codex@version` with npm into `prefix`; one error with npm's reason if it cannot. */
async function npmInstallCodex(version: string, prefix: string): Promise<void> {
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

/** The codex a turn runs, with the version it reported or its package declares. */
export interface ResolvedCodex extends CodexInstallation {
  version: string
}

/**
 * The codex to run: `codex-path` as given (the native binary behind it when it is the npm
 * launcher); else `codex-version` from the runner's tool cache (warm self-hosted runners), the
 * actions cache (hosted runners, whose machines start empty), or npm. Nothing is cached before it
 * has answered `--version`.
 */
export async function resolveCodex(
  settings: { codexPath?: string; codexVersion: string },
  runner: Runner,
  log: InstallLog
): Promise<ResolvedCodex> {
  if (settings.codexPath) {
    const found = await behindCodexPath(settings.codexPath)
    log.info(`codex ${found.version} from codex-path ${settings.codexPath}`)
    return found
  }
  const started = Date.now()
  const { source, ...found } = await obtainCodex(settings.codexVersion, runner, log)
  log.info(`codex ${found.version} from ${source} in ${seconds(started)}`)
  return found
}

/**
 * `codex-path` itself, or, for the npm launcher, the native binary it would start: the launcher is
 * a node process that costs ~60 ms per start and stays alive for the whole turn on Node < 22.15.
 * The version is then read from the package's codex-package.json, so nothing runs before the turn.
 */
async function behindCodexPath(codexPath: string): Promise<ResolvedCodex> {
  const native = nativeBehindLauncher(codexPath)
  const declared = native && (await declaredVersion(native))
  if (native && declared) return { ...native, version: declared }
  const executablePath = native?.executablePath ?? codexPath
  return { executablePath, pathDirs: native?.pathDirs ?? [], version: await codexVersion(executablePath) }
}

function nativeBehindLauncher(file: string): CodexInstallation | undefined {
  let real: string
  try {
    real = realpathSync(file)
  } catch {
    return undefined
  }
  // only the launcher itself: any other file runs as given, whatever package lies above it
  if (!real.endsWith(path.join('node_modules', '@openai', 'codex', 'bin', 'codex.js'))) return undefined
  try {
    // no PATH to fall back on: a launcher whose binary is missing runs as given and says so itself
    return findCodexInstallation(real, {})
  } catch {
    return undefined
  }
}

/** The version in the codex-package.json beside the binary (0.1xx layouts); undefined without one. */
async function declaredVersion(installation: CodexInstallation): Promise<string | undefined> {
  const manifest = path.join(packageRootOf(installation), 'codex-package.json')
  try {
    const { version } = JSON.parse(await readFile(manifest, 'utf8')) as { version?: unknown }
    return typeof version === 'string' && version ? version : undefined
  } catch {
    return undefined
  }
}

/** The platform package's folder: the binary sits one folder down (bin/ now, codex/ in older layouts). */
function packageRootOf(installation: CodexInstallation): string {
  return path.dirname(path.dirname(installation.executablePath))
}

interface FoundCodex extends ResolvedCodex {
  /** Where it came from, for the log. */
  source: string
}

async function obtainCodex(version: string, { env, tempDir }: Runner, log: InstallLog): Promise<FoundCodex> {
  // loaded only here: with codex-path given, neither library is needed (~110 ms and ~20 MiB to load)
  const [tc, cache] = await Promise.all([import('@actions/tool-cache'), import('@actions/cache')])
  // A tag such as "latest" moves: caching it under its name would pin whatever it meant first.
  const exact = tc.isExplicitVersion(version)
  if (!exact) log.info(`codex-version ${version} is not an exact version: installing from npm, uncached`)
  const toolCache = exact && Boolean(env.RUNNER_TOOL_CACHE)
  const actionsCache = exact && cache.isFeatureAvailable()

  if (toolCache) {
    const dir = tc.find(TOOL_NAME, version, os.arch())
    if (dir) {
      try {
        return { ...(await runnable(dir)), source: `the tool cache (${dir})` }
      } catch (error) {
        log.warning(`Ignoring the tool cache's codex ${version}: ${(error as Error).message}`)
      }
    }
  }

  const staging = stagingDir(version, tempDir)
  const key = actionsCacheKey(version)
  const restored = actionsCache ? await restore(cache, staging, key, log) : undefined
  const found: FoundCodex = restored
    ? { ...restored, source: `the actions cache (${key})` }
    : { ...(await installFresh(version, staging)), source: 'npm' }

  if (!restored && actionsCache) await save(cache, staging, key, log)
  // a hosted runner's tool cache is gone with the machine: copying ~290 MB into it gains nothing
  if (toolCache && env.RUNNER_ENVIRONMENT !== 'github-hosted') {
    try {
      const dir = await tc.cacheDir(staging, TOOL_NAME, version, os.arch())
      await rm(staging, { recursive: true, force: true })
      return { ...found, ...(await runnable(dir)) }
    } catch (error) {
      // an entry without its .complete marker is one tc.find never returns
      log.warning(`Could not add codex ${version} to the tool cache: ${(error as Error).message}`)
    }
  }
  return found
}

/** The codex kept in `root`, once it has answered `--version`; throws when there is none or it does not run. */
async function runnable(root: string): Promise<ResolvedCodex> {
  const installation = installationIn(root)
  if (!installation) throw new Error(`${root} holds no codex binary`)
  return { ...installation, version: await codexVersion(installation.executablePath) }
}

/**
 * What of the platform package a turn runs: the binary and its codex-package.json, the tools it
 * puts on PATH (rg) and the Linux sandbox's bwrap. Left out: codex-code-mode-host (an opt-in
 * feature) and the voice resources, ~120 of the install's ~400 MiB.
 */
function turnFiles(installation: CodexInstallation): string[] {
  const root = packageRootOf(installation)
  return [
    installation.executablePath,
    ...installation.pathDirs,
    path.join(root, 'codex-package.json'),
    path.join(root, 'codex-resources', 'bwrap')
  ].filter((file) => existsSync(file))
}

/**
 * Installs with npm beside an empty `staging`, keeps the files a turn runs there and returns what
 * it reports; on failure leaves nothing behind.
 */
async function installFresh(version: string, staging: string): Promise<ResolvedCodex> {
  const prefix = `${staging}-npm`
  // a failed restore may have left part of an archive here
  await Promise.all([staging, prefix].map((dir) => rm(dir, { recursive: true, force: true })))
  try {
    await npmInstallCodex(version, prefix)
    let installed: CodexInstallation
    try {
      // no PATH to fall back on: only the binary npm just installed will do
      installed = findCodexInstallation(launcherIn(prefix), {})
    } catch {
      throw new Error(
        `Could not install @openai/codex@${version}: npm left no codex binary for ${os.platform()}-${os.arch()}`
      )
    }
    const root = packageRootOf(installed)
    for (const file of turnFiles(installed)) {
      const kept = path.join(staging, path.relative(root, file))
      await mkdir(path.dirname(kept), { recursive: true })
      await rename(file, kept)
    }
    return await runnable(staging)
  } catch (error) {
    await rm(staging, { recursive: true, force: true })
    throw error
  } finally {
    await rm(prefix, { recursive: true, force: true })
  }
}

type ActionsCache = typeof import('@actions/cache')

/** Restores `key` into `staging`; undefined when there is nothing usable. */
async function restore(
  cache: ActionsCache,
  staging: string,
  key: string,
  log: InstallLog
): Promise<ResolvedCodex | undefined> {
  const started = Date.now()
  try {
    if (!(await cache.restoreCache([staging], key))) return undefined
    const restored = await runnable(staging)
    log.info(`Restored codex from the actions cache (${key}) in ${seconds(started)}`)
    return restored
  } catch (error) {
    log.warning(`Could not use the actions cache entry ${key}: ${(error as Error).message}`)
    return undefined
  }
}

async function save(cache: ActionsCache, staging: string, key: string, log: InstallLog): Promise<void> {
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
