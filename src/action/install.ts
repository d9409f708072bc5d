import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface InstalledCodex {
  /** The package's own launcher, which puts the bundled tools (rg) within codex's reach. */
  launcher: string
  version: string
  /** Where it came from, for the log. */
  source: string
  ms: number
}

/** Where an install of `@openai/codex@version` keeps its launcher. */
export function launcherIn(prefix: string): string {
  return path.join(prefix, 'node_modules', '@openai', 'codex', 'bin', 'codex.js')
}

/** Installs `@openai/codex@version` with npm into `prefix` (a folder of its own under RUNNER_TEMP). */
export async function npmInstallCodex(version: string, prefix: string): Promise<InstalledCodex> {
  const started = Date.now()
  await mkdir(prefix, { recursive: true })
  try {
    await run(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `@openai/codex@${version}`
      ],
      { maxBuffer: 16 * 1024 * 1024 }
    )
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim()
    const reason =
      stderr
        .split('\n')
        .filter((line) => !/^npm warn/i.test(line))
        .slice(-5)
        .join(' ') || (error as Error).message
    throw new Error(`Could not install @openai/codex@${version} with npm: ${reason}`, { cause: error })
  }
  const launcher = launcherIn(prefix)
  if (!existsSync(launcher))
    throw new Error(`Could not install @openai/codex@${version}: npm left no launcher at ${launcher}`)
  return {
    launcher,
    version: await codexVersion(launcher),
    source: `npm registry into ${prefix}`,
    ms: Date.now() - started
  }
}

/** The version a codex executable reports, e.g. "0.169.0". */
export async function codexVersion(executable: string): Promise<string> {
  try {
    const { stdout } = await run(executable, ['--version'], { timeout: 30_000 })
    return stdout.trim().replace(/^codex-cli\s+/, '')
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim()
    throw new Error(
      `codex at ${executable} does not run: ${stderr.split('\n').slice(-3).join(' ') || (error as Error).message}`,
      { cause: error }
    )
  }
}

/** The codex to run: `codex-path` as given, else `codex-version` installed with npm under RUNNER_TEMP. */
export async function resolveCodex(
  settings: { codexPath?: string; codexVersion: string },
  env: NodeJS.ProcessEnv,
  log: (message: string) => void
): Promise<string> {
  if (settings.codexPath) {
    log(`codex ${await codexVersion(settings.codexPath)} from codex-path ${settings.codexPath}`)
    return settings.codexPath
  }
  const prefix = path.join(env.RUNNER_TEMP || tmpdir(), `codex-cli-${settings.codexVersion}`)
  const installed = await npmInstallCodex(settings.codexVersion, prefix)
  log(`codex ${installed.version} from the ${installed.source} in ${(installed.ms / 1000).toFixed(1)}s`)
  return installed.launcher
}
