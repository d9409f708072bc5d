import { readFile } from 'node:fs/promises'
import type { SandboxMode } from '../../sdk/index.js'
import { execFileAsync, stderrOf } from '../../shared/exec.js'

/** Ubuntu 24.04's AppArmor switch: 1 refuses the unprivileged user namespaces codex's Linux sandbox is built on. */
const USERNS_RESTRICTION = '/proc/sys/kernel/apparmor_restrict_unprivileged_userns'
const LIFT = ['sysctl', '-w', 'kernel.apparmor_restrict_unprivileged_userns=0']

/** What the check touches, injectable for tests. */
export interface SandboxHost {
  platform: NodeJS.Platform
  /** The AppArmor switch's file. */
  file: string
  /** Runs a command; rejects with its error output when it fails. */
  run(command: string, args: string[]): Promise<void>
}

const systemHost: SandboxHost = {
  platform: process.platform,
  file: USERNS_RESTRICTION,
  async run(command, args) {
    try {
      await execFileAsync(command, args, { timeout: 30_000 })
    } catch (error) {
      throw new Error(stderrOf(error) || (error as Error).message, { cause: error })
    }
  }
}

/**
 * Makes sure codex's sandbox can start before the turn, because a sandbox that cannot start must
 * fail the step, never become no sandbox. On a GitHub-hosted runner, a disposable machine with
 * passwordless sudo, AppArmor's restriction is lifted for the job; a self-hosted runner belongs to
 * someone else, so it is only told what to change.
 */
export async function ensureSandboxCanStart(
  sandbox: SandboxMode,
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
  host: SandboxHost = systemHost
): Promise<void> {
  if (host.platform !== 'linux' || sandbox === 'danger-full-access') return
  if (!(await restricted(host))) return
  if (env.RUNNER_ENVIRONMENT !== 'github-hosted') {
    throw new Error(
      `codex's ${sandbox} sandbox needs unprivileged user namespaces, which AppArmor restricts on this runner ` +
        `(${host.file} is 1). On the runner's host, run \`sudo ${LIFT.join(' ')}\` ` +
        '(and keep it in /etc/sysctl.d/ across reboots), or run the job in a container or VM that allows them. ' +
        'sandbox: danger-full-access would run the agent unsandboxed; use it only on a machine nothing else shares.'
    )
  }
  try {
    await host.run('sudo', ['-n', ...LIFT])
  } catch (error) {
    throw new Error(
      `Could not lift AppArmor's restriction on unprivileged user namespaces, which codex's sandbox needs: ${(error as Error).message}`,
      { cause: error }
    )
  }
  if (await restricted(host)) throw new Error(`${host.file} is still 1 after \`sudo ${LIFT.join(' ')}\``)
  log(
    `Lifted AppArmor's restriction on unprivileged user namespaces for this job (sudo ${LIFT.join(' ')}), so codex's sandbox can start`
  )
}

/** Kernels without AppArmor's switch have no file: nothing restricts user namespaces there. */
async function restricted(host: SandboxHost): Promise<boolean> {
  try {
    return (await readFile(host.file, 'utf8')).trim() === '1'
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}
