import { constants as fsConstants } from 'node:fs'
import { access, chmod, mkdtemp, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Inputs, type Isolation } from '../core/constants.js'
import { InputError } from '../core/errors.js'
import { execFileAsync, stderrOf } from '../../shared/exec.js'

/** The unprivileged user codex runs as: no sudo, no membership of the runner's groups. */
export const AGENT_USER = 'codexagent'

/** A command line, ready for `spawn(command, args, { env })`. */
export interface SpawnPlan {
  command: string
  args: string[]
  env: Record<string, string>
}

/** How a privileged process becomes another user: root switches itself, anyone else asks sudo. */
export type Switcher = 'setpriv' | 'sudo'

export interface AgentUser {
  name: string
  /** Default: setpriv when this process is root, sudo otherwise (a hosted runner's passwordless sudo). */
  switcher?: Switcher
}

/** What sudo replaces even with -E (secure_path, set_home): stated again through env. */
const RESTATED_BY_SUDO = ['PATH', 'HOME']

/** The words that make what follows them run as `user`, before the restated variables. */
function switchWords(switcher: Switcher, name: string): string[] {
  return switcher === 'setpriv'
    ? // --init-groups: the agent user's own groups, not root's; no capability survives the switch
      ['setpriv', `--reuid=${name}`, `--regid=${name}`, '--init-groups', '--inh-caps=-all', '--']
    : // -E hands over the (already scrubbed) environment; -n fails rather than prompt for a password
      ['sudo', '-n', '-E', '-u', name, '--', '/usr/bin/env']
}

function defaultSwitcher(): Switcher {
  return process.getuid?.() === 0 ? 'setpriv' : 'sudo'
}

/**
 * How to start `command` as the agent's own user, with exactly `env` and nothing of this process's
 * environment. A process of another user cannot read this one's `/proc/<pid>/environ` (which holds
 * the step's inputs: the API key and the GitHub token) nor its memory, and that user has no sudo to
 * become anyone who could. The environment travels through the spawn, never the command line, which
 * every local user can read in `/proc/<pid>/cmdline` (PATH and HOME, no secrets, excepted under sudo).
 */
export function spawnAsAgentUser(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  user: AgentUser
): SpawnPlan {
  const switcher = user.switcher ?? defaultSwitcher()
  const [program, ...words] = switchWords(switcher, user.name)
  const restated =
    switcher === 'sudo' ? RESTATED_BY_SUDO.filter((name) => name in env).map((name) => `${name}=${env[name]}`) : []
  return { command: program!, args: [...words, ...restated, command, ...args], env }
}

/** The launcher script that `exec`s `executable` as `user`, with the arguments and environment it is given. */
function launcherScript(executable: string, user: Required<AgentUser>): string {
  const restated = user.switcher === 'sudo' ? RESTATED_BY_SUDO.map((name) => `"${name}=$${name}"`) : []
  const words = [...switchWords(user.switcher, user.name).map(shellQuote), ...restated, shellQuote(executable)]
  return `#!/bin/sh\nexec ${words.join(' ')} "$@"\n`
}

/** The command that creates the agent's user: a system user with its own group, no home, no login shell. */
export function createAgentUserCommand(name: string): string[] {
  return ['useradd', '--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name]
}

/** codex running as the agent user, for one run. */
export interface AgentIsolation {
  /** `codexPathOverride`: a script that starts codex as the agent user with the environment it is given. */
  launcher: string
  /** The agent's HOME: a folder of its own, holding only a git config that trusts the checkout. */
  home: string
  /** Before the turn: the workspace, CODEX_HOME and the agent's HOME become the agent's, and the way to them opens. */
  lend(): Promise<void>
  /** After the turn: whatever the agent owns there is this process's user's again, and the way closes. */
  giveBack(): Promise<void>
}

export interface IsolationRequest {
  isolation: Isolation
  /** The native codex binary and the folders of the tools it ships, which the agent user must reach. */
  executable: string
  pathDirs: readonly string[]
  codexHome: string
  workingDirectory: string
  tempDir: string
  warn(message: string): void
  user?: string
}

/**
 * Sets up codex to run as the agent user, where this machine allows it: Linux, and root (setpriv)
 * or passwordless sudo (a hosted runner). `auto` falls back to this process's user with a warning;
 * `agent-user` refuses to run; `none` does not try.
 */
export async function isolateAgent(request: IsolationRequest): Promise<AgentIsolation | undefined> {
  if (request.isolation === 'none') return undefined
  const name = request.user ?? AGENT_USER
  let host: Host
  try {
    host = await agentHost(name)
  } catch (error) {
    const reason = (error as Error).message
    if (request.isolation === 'agent-user')
      throw new InputError(Inputs.Isolation, `codex cannot run as its own user here: ${reason}`)
    request.warn(
      `isolation: codex runs as this step's user, because it cannot run as its own user here (${reason}); ` +
        "under danger-full-access the agent's commands can read the action's inputs, the API key and the GitHub token included"
    )
    return undefined
  }
  const home = await mkdtemp(path.join(request.tempDir, 'agent-home-'))
  // the checkout belongs to another user: without this, git refuses it as "dubious ownership"
  await writeFile(path.join(home, '.gitconfig'), '[safe]\n\tdirectory = *\n')
  const launcherDir = await mkdtemp(path.join(request.tempDir, 'codex-launcher-'))
  const launcher = path.join(launcherDir, 'codex')
  await writeFile(launcher, launcherScript(request.executable, { name, switcher: host.switcher }), { mode: 0o755 })

  const lent = [request.workingDirectory, request.codexHome, home]
  // the action reads codex's session files during the turn; the tools must be reachable to run
  const reached = [request.codexHome, path.dirname(request.executable), ...request.pathDirs]
  const opened: Array<{ dir: string; mode: number }> = []
  const chown = (from: string, to: string): Promise<void> =>
    // -h -P: a link the repository or the agent planted is changed itself, never what it points at
    host.privileged('chown', ['-R', '-h', '-P', `--from=${from}`, to, ...lent])
  return {
    launcher,
    home,
    async lend() {
      // the launcher would start anyway and fail as `setpriv`/`sudo`: say what the SDK says of a missing codex
      await access(request.executable, fsConstants.X_OK).catch((error: NodeJS.ErrnoException) => {
        throw new Error(`Could not start codex at ${request.executable}: ${error.code ?? error.message}`)
      })
      await chown(String(host.self.uid), name)
      for (const dir of [...new Set([...lent.flatMap(ancestorsOf), ...reached.flatMap(withAncestors)])]) {
        const { mode } = await stat(dir)
        // o+x only: the agent may pass through, not list
        if ((mode & 0o001) === 0 && !opened.some((entry) => entry.dir === dir)) {
          await host.chmod(dir, (mode & 0o7777) | 0o001)
          opened.push({ dir, mode: mode & 0o7777 })
        }
      }
    },
    async giveBack() {
      await chown(name, String(host.self.uid))
      await chown(`:${host.agent.gid}`, `:${host.self.gid}`)
      for (const { dir, mode } of opened.splice(0).reverse()) await host.chmod(dir, mode)
    }
  }
}

interface Host {
  switcher: Switcher
  self: { uid: number; gid: number }
  agent: { uid: number; gid: number }
  privileged(command: string, args: string[]): Promise<void>
  chmod(dir: string, mode: number): Promise<void>
}

/** How this process switches users and runs what needs privilege; throws, saying why, where it cannot. */
async function agentHost(name: string): Promise<Host> {
  if (process.platform !== 'linux') throw new Error(`only Linux runners are supported, not ${process.platform}`)
  const root = process.getuid?.() === 0
  if (!root) {
    try {
      await execFileAsync('sudo', ['-n', 'true'])
    } catch {
      throw new Error('this step is neither root nor allowed passwordless sudo')
    }
  }
  const privileged = async (command: string, args: string[]): Promise<void> => {
    try {
      await (root ? execFileAsync(command, args) : execFileAsync('sudo', ['-n', command, ...args]))
    } catch (error) {
      throw new Error(`${command} ${args.join(' ')} failed: ${stderrOf(error) || (error as Error).message}`, {
        cause: error
      })
    }
  }
  // each look-up is two processes on the way to codex's start: an existing user is looked up once
  let agent = await idOf(name)
  if (!agent) {
    try {
      await privileged(createAgentUserCommand(name)[0]!, createAgentUserCommand(name).slice(1))
    } catch (error) {
      // another run on this machine may have created it meanwhile
      if (!(await idOf(name))) throw error
    }
    agent = (await idOf(name))!
  }
  if (agent.uid === 0) throw new Error(`the user ${name} is root`)
  return {
    switcher: root ? 'setpriv' : 'sudo',
    self: { uid: process.getuid!(), gid: process.getgid!() },
    agent,
    privileged,
    // root changes modes itself: a process per folder is what the turn would wait for
    chmod: root ? (dir, mode) => chmod(dir, mode) : (dir, mode) => privileged('chmod', [mode.toString(8), dir])
  }
}

async function idOf(name: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const [uid, gid] = await Promise.all(['-u', '-g'].map((flag) => execFileAsync('id', [flag, name])))
    return { uid: Number(uid!.stdout.trim()), gid: Number(gid!.stdout.trim()) }
  } catch {
    return undefined
  }
}

function ancestorsOf(dir: string): string[] {
  const parent = path.dirname(dir)
  return parent === dir ? [] : [parent, ...ancestorsOf(parent)]
}

function withAncestors(dir: string): string[] {
  return [dir, ...ancestorsOf(dir)]
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`
}
