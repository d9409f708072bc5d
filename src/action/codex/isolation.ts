import { createHash } from 'node:crypto'
import { constants as fsConstants } from 'node:fs'
import { access, chmod, lstat, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Inputs, type Isolation } from '../core/constants.js'
import { InputError } from '../core/errors.js'
import { execFileAsync, stderrOf } from '../../shared/exec.js'
import { openWays, type Ways } from './ways.js'

/** The unprivileged user codex runs as: no sudo, no membership of the runner's groups. */
export const AGENT_USER = 'codexagent'

/** A command line, ready for `spawn(command, args, { env })`. */
export interface SpawnPlan {
  command: string
  args: string[]
  env: Record<string, string>
}

/** How a privileged process becomes another user: root switches itself, anyone else asks sudo to be root first. */
export type Switcher = 'setpriv' | 'sudo'

export interface AgentUser {
  name: string
  /** Default: setpriv when this process is root, sudo otherwise (a hosted runner's passwordless sudo). */
  switcher?: Switcher
}

/** What sudo replaces even with -E (secure_path, set_home): stated again through env. */
const RESTATED_BY_SUDO = ['PATH', 'HOME']

/** The words that make this process root, where it is not yet: sudo, keeping the (already scrubbed) environment. */
function rootWords(switcher: Switcher): string[] {
  // -n fails rather than prompt for a password; env restates what sudo replaced
  return switcher === 'sudo' ? ['sudo', '-n', '-E', '--', '/usr/bin/env'] : []
}

/**
 * The words that make what follows them run as `name`: its own groups, not root's, no capability,
 * and no_new_privs, so no setuid file, the agent's own included, ever gives it more than it has.
 */
function setprivWords(name: string, setpriv = 'setpriv'): string[] {
  return [setpriv, `--reuid=${name}`, `--regid=${name}`, '--init-groups', '--inh-caps=-all', '--no-new-privs', '--']
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
  const restated =
    switcher === 'sudo' ? RESTATED_BY_SUDO.filter((name) => name in env).map((name) => `${name}=${env[name]}`) : []
  const [program, ...words] = [...rootWords(switcher), ...restated, ...setprivWords(user.name)]
  return { command: program!, args: [...words, command, ...args], env }
}

/** The command that creates the agent's user: a system user with its own group, no home, no login shell. */
export function createAgentUserCommand(name: string): string[] {
  return ['useradd', '--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name]
}

/** How the agent is given the folders it writes in for the turn. */
export type Lending =
  /** Seen as the agent's through an id-mapped bind mount in a mount namespace of codex's own: nothing on disk changes. */
  | 'idmap'
  /** chown'd to the agent and back: every entry is written twice. */
  | 'chown'

/** codex running as the agent user, for one run. */
export interface AgentIsolation {
  /** `codexPathOverride`: a script that starts codex as the agent user with the environment it is given. */
  launcher: string
  /** The agent's HOME: a fresh folder of its own. */
  home: string
  /**
   * For codex's environment: git trusts the checkout of another user (safe.directory) through
   * variables, so no file on disk says so.
   */
  env: Record<string, string>
  /** Before the turn: what the agent writes in becomes its own, and the way to what it reaches opens. */
  lend(): Promise<void>
  /** After the turn: what was lent is this process's user's again, and the way closes unless another run still needs it. */
  giveBack(): Promise<void>
  /** How the last lend() lent the folders the agent writes in; undefined before it. */
  readonly lending?: Lending
}

export interface IsolationRequest {
  isolation: Isolation
  /** The native codex binary and the folders of the tools it ships, which the agent user must reach. */
  executable: string
  pathDirs: readonly string[]
  codexHome: string
  workingDirectory: string
  /**
   * Whether the agent may write in the working directory (a sandbox other than read-only). A
   * read-only turn lends the checkout nothing: the agent reads it through the modes that let others read.
   */
  writes: boolean
  /**
   * A GitHub-hosted runner: a machine of the job's alone, gone after it. The setuid/setgid bits an
   * agent sets could serve only another local user there is none of (the agent itself runs with
   * no_new_privs), so the checkout is not searched for them after an id-mapped turn.
   */
  disposableMachine?: boolean
  tempDir: string
  warn(message: string): void
  /** Says how the turn was lent, once per lend. */
  info?(message: string): void
  user?: string
  /** Where the runs of this machine note the folders they opened (tests); default: the system temp folder. */
  waysDir?: string
}

/** git's variables for a one-entry config given in the environment (git-config(1), GIT_CONFIG_COUNT). */
export function trustAnyCheckout(): Record<string, string> {
  // protected configuration (command scope), the only kind git reads safe.directory from besides the global files
  return { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'safe.directory', GIT_CONFIG_VALUE_0: '*' }
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
  const launcherDir = await mkdtemp(path.join(request.tempDir, 'codex-launcher-'))
  const launcher = path.join(launcherDir, 'codex')
  const files = {
    mounts: path.join(launcherDir, 'mounts'),
    enter: path.join(launcherDir, 'enter'),
    sentinel: path.join(launcherDir, 'sentinel'),
    stamp: path.join(launcherDir, 'lent-at')
  }
  const scripts = new LaunchScripts(host, name, request.executable, files)

  // the action reads codex's session files during the turn; the tools must be reachable to run
  const reached = [request.codexHome, path.dirname(request.executable), ...request.pathDirs]
  // what the turn lends and how, found while the session opens: the probe mounts in a namespace
  // thrown away at once, and nothing on disk changes before lend()
  const planned = planLending()
  planned.catch(() => undefined)
  async function planLending(): Promise<{ lent: string[]; passed: string[]; lending: Lending }> {
    // the launcher would start anyway and fail as `setpriv`/`sudo`: say what the SDK says of a missing codex
    await access(request.executable, fsConstants.X_OK).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`Could not start codex at ${request.executable}: ${error.code ?? error.message}`)
    })
    // a checkout others cannot read (a private umask) is lent as for a writing turn
    const readable = ((await stat(request.workingDirectory)).mode & 0o005) === 0o005
    const read = request.writes || readable ? [] : [request.workingDirectory]
    const lent = [...(request.writes ? [request.workingDirectory] : read), request.codexHome, home]
    const passed = request.writes || !readable ? [] : [request.workingDirectory]
    await writeFile(files.mounts, scripts.mounts(lent), { mode: 0o700 })
    return { lent, passed, lending: (await host.canIdmap(files.mounts)) ? 'idmap' : 'chown' }
  }
  let lending: Lending | undefined
  let lent: string[] = []
  let ways: Ways | undefined
  let specials: SpecialFile[] = []
  return {
    launcher,
    home,
    env: trustAnyCheckout(),
    get lending() {
      return lending
    },
    async lend() {
      const plan = await planned
      lent = plan.lent
      lending = plan.lending
      // chown clears setuid and setgid bits: noted before, set again on what the agent left as it was
      // (the agent's home was made empty above: nothing to note there)
      const noting = lending === 'chown' ? specialFiles(lent.filter((dir) => dir !== home)) : Promise.resolve([])
      noting.catch(() => undefined)
      ways = await openWays([...lent.flatMap(ancestorsOf), ...[...reached, ...plan.passed].flatMap(withAncestors)], {
        chmod: (dir, mode) => host.chmod(dir, mode),
        dir: request.waysDir
      })
      if (lending === 'idmap') {
        await writeFile(files.stamp, '')
        await writeFile(files.enter, scripts.enter(), { mode: 0o700 })
        await writeFile(launcher, scripts.launcher(files.enter, true), { mode: 0o755 })
      } else {
        specials = await noting
        await host.chown(String(host.self.uid), name, lent)
        await writeFile(launcher, scripts.launcher(request.executable, false), { mode: 0o755 })
      }
      const told = lent.includes(request.workingDirectory)
        ? lending === 'idmap'
          ? 'the checkout is lent through an id-mapped mount (nothing on disk changes owner)'
          : 'the checkout is lent by chown, and given back after the turn'
        : 'nothing of the checkout is lent (the turn only reads it)'
      request.info?.(`isolation: codex runs as ${name}; ${told}`)
    },
    async giveBack() {
      // the way closes beside the giving back: it only ever opened the folders above what was lent
      const closing = ways?.close()
      closing?.catch(() => undefined)
      ways = undefined
      try {
        if (lending === 'idmap') {
          await host.endNamespace(files.sentinel)
          // a setuid or setgid bit the agent set is on disk, owned by this user: never left for another local user to run
          if (!request.disposableMachine) await host.clearNewSpecialBits(lent, files.stamp)
        } else if (lending === 'chown') {
          // the owner's pass and the group's change different fields of each entry: side by side
          await Promise.all([
            host.chown(name, String(host.self.uid), lent),
            host.chown(`:${host.agent.gid}`, `:${host.self.gid}`, lent)
          ])
          for (const file of specials.splice(0)) await restoreSpecialBits(file, host)
        }
      } finally {
        await closing
      }
    }
  }
}

/** The scripts that start codex as the agent, written into the run's own launcher folder. */
class LaunchScripts {
  constructor(
    private readonly host: Host,
    private readonly name: string,
    private readonly executable: string,
    private readonly files: { mounts: string; sentinel: string }
  ) {}

  /** The launcher the SDK starts: `exec`s codex as the agent, through a mount namespace of its own when `namespaced`. */
  launcher(target: string, namespaced: boolean): string {
    const { tools, switcher } = this.host
    const restated = switcher === 'sudo' ? RESTATED_BY_SUDO.map((name) => `"${name}=$${name}"`) : []
    const then = namespaced
      ? [tools.unshare, '--mount', '--propagation', 'private', '--', target]
      : [...setprivWords(this.name, tools.setpriv), target]
    const words = [...rootWords(switcher).map(shellQuote), ...restated, ...then.map(shellQuote)]
    return `#!/bin/sh\nexec ${words.join(' ')} "$@"\n`
  }

  /** The id-mapped bind mounts: this user's files seen as the agent's, written as this user's; nosuid besides. */
  mounts(dirs: readonly string[]): string {
    const { self, agent, tools } = this.host
    const options = `nosuid,X-mount.idmap=u:${self.uid}:${agent.uid}:1 g:${self.gid}:${agent.gid}:1`
    const lines = dirs.flatMap((dir) => [
      `${shellQuote(tools.mount)} --bind -o ${shellQuote(options)} ${shellQuote(dir)} ${shellQuote(dir)}`,
      // util-linux before 2.39 ignores X-mount.* options and binds without mapping: this user's must look the agent's
      `[ "$(${shellQuote(tools.stat)} -c %u ${shellQuote(dir)})" != ${self.uid} ]`
    ])
    return `#!/bin/sh\nset -e\n${lines.join('\n')}\n`
  }

  /**
   * Runs as root in codex's new mount namespace: mounts, leaves a sentinel that keeps the namespace
   * known until the turn is given back, then becomes codex as the agent.
   */
  enter(): string {
    const { tools } = this.host
    const sentinel = shellQuote(this.files.sentinel)
    return [
      '#!/bin/sh',
      'set -e',
      `. ${shellQuote(this.files.mounts)}`,
      // codex's folder was entered before the mounts: entered again, through them
      'cd -- "$PWD"',
      // detached from codex's pipes, or the SDK would wait for it to close them
      `${shellQuote(tools.sleep)} infinity </dev/null >/dev/null 2>&1 &`,
      `echo "$! $(${shellQuote(tools.readlink)} /proc/self/ns/mnt)" >> ${sentinel}`,
      `exec ${[...setprivWords(this.name, tools.setpriv), this.executable].map(shellQuote).join(' ')} "$@"`,
      ''
    ].join('\n')
  }
}

interface Tools {
  setpriv: string
  unshare: string
  mount: string
  sleep: string
  readlink: string
  stat: string
}

interface Host {
  switcher: Switcher
  self: { uid: number; gid: number }
  agent: { uid: number; gid: number }
  tools: Tools
  chmod(dir: string, mode: number): Promise<void>
  chown(from: string, to: string, dirs: readonly string[]): Promise<void>
  /** Whether `mounts` succeeds in a throwaway mount namespace: util-linux 2.39+, a kernel and file systems that id-map. */
  canIdmap(mounts: string): Promise<boolean>
  /** Ends every process left in the namespace the sentinel file names, the sentinel last. */
  endNamespace(sentinelFile: string): Promise<void>
  clearNewSpecialBits(dirs: readonly string[], stamp: string): Promise<void>
}

/** How this process switches users and runs what needs privilege; throws, saying why, where it cannot. */
async function agentHost(name: string): Promise<Host> {
  if (process.platform !== 'linux') throw new Error(`only Linux runners are supported, not ${process.platform}`)
  const root = process.getuid?.() === 0
  // asked beside the look-ups below (a sudo process is the slowest of them), answered before any of their results is used
  const sudoAllowed = root
    ? Promise.resolve(true)
    : execFileAsync('sudo', ['-n', 'true']).then(
        () => true,
        () => false
      )
  const [existing, tools] = await Promise.all([
    idOf(name),
    // absolute, as this step's PATH finds them: the launcher runs with codex's PATH, which the agent's tools extend
    Promise.all(
      (['setpriv', 'unshare', 'mount', 'sleep', 'readlink', 'stat'] as const).map(
        async (tool) => [tool, await which(tool)] as const
      )
    ).then((found) => Object.fromEntries(found) as unknown as Tools)
  ])
  if (!(await sudoAllowed)) throw new Error('this step is neither root nor allowed passwordless sudo')
  const privileged = async (command: string, args: string[]): Promise<string> => {
    try {
      return (await (root ? execFileAsync(command, args) : execFileAsync('sudo', ['-n', command, ...args]))).stdout
    } catch (error) {
      throw new Error(`${command} ${args.join(' ')} failed: ${stderrOf(error) || (error as Error).message}`, {
        cause: error
      })
    }
  }
  let agent = existing
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
  const self = { uid: process.getuid!(), gid: process.getgid!() }
  return {
    switcher: root ? 'setpriv' : 'sudo',
    self,
    agent,
    tools,
    // root changes modes itself: a process per folder is what the turn would wait for
    chmod: root ? (dir, mode) => chmod(dir, mode) : (dir, mode) => privileged('chmod', [mode.toString(8), dir]).then(),
    // -h -P: a link the repository or the agent planted is changed itself, never what it points at
    chown: (from, to, dirs) => privileged('chown', ['-R', '-h', '-P', `--from=${from}`, to, ...dirs]).then(),
    async canIdmap(mounts) {
      try {
        await privileged(tools.unshare, ['--mount', '--propagation', 'private', '--', '/bin/sh', mounts])
        return true
      } catch {
        return false
      }
    },
    async endNamespace(sentinelFile) {
      // a line per codex started: each in a namespace of its own
      const lines = (await readFile(sentinelFile, 'utf8').catch(() => '')).split('\n').filter(Boolean)
      for (const line of lines) {
        const [pid, namespace] = line.split(' ')
        // the sentinel kept the namespace alive, so its id names no other: each process still in it is the agent's
        await privileged('/bin/sh', ['-c', END_NAMESPACE, 'end-namespace', pid!, namespace!])
      }
      await rm(sentinelFile, { force: true })
    },
    async clearNewSpecialBits(dirs, stamp) {
      // -cnewer: what changed status since the lending; -P: links are never followed
      // privileged: the agent's own folders may be closed to this user
      await privileged('find', [
        '-P',
        ...dirs,
        '-perm',
        '/6000',
        '-type',
        'f',
        '-cnewer',
        stamp,
        '-exec',
        'chmod',
        'ug-s',
        '{}',
        '+'
      ])
    }
  }
}

/**
 * Kills what is left in the turn's mount namespace ($2, kept alive by the sentinel $1), then the
 * sentinel: a process the agent left running keeps no writable view of what was lent.
 */
const END_NAMESPACE = `
[ "$(readlink /proc/$1/ns/mnt 2>/dev/null)" = "$2" ] || exit 0
pattern=$(printf '%s' "$2" | sed 's/[][*?\\\\]/\\\\&/g')
for round in $(seq 1000); do
  left=$(find /proc/[0-9]*/ns/mnt -maxdepth 0 -lname "$pattern" 2>/dev/null | cut -d/ -f3 | grep -vx "$1")
  [ -n "$left" ] || break
  kill -KILL $left 2>/dev/null || :
done
kill -KILL "$1"
`

/** A setuid or setgid file of the checkout, as it was before it was lent. */
interface SpecialFile {
  file: string
  mode: number
  sha256: string
}

async function specialFiles(dirs: readonly string[]): Promise<SpecialFile[]> {
  const { stdout } = await execFileAsync('find', ['-P', ...dirs, '-perm', '/6000', '-type', 'f', '-print0'], {
    maxBuffer: 64 * 1024 * 1024
  })
  const files = stdout.split('\0').filter(Boolean)
  return Promise.all(
    files.map(async (file) => ({ file, mode: (await stat(file)).mode & 0o7777, sha256: await sha256Of(file) }))
  )
}

/** Sets the bits again only on the same content: never on what the agent wrote there. */
async function restoreSpecialBits(special: SpecialFile, host: Host): Promise<void> {
  const now = await lstat(special.file).catch(() => undefined)
  if (!now?.isFile() || now.uid !== host.self.uid) return
  if ((await sha256Of(special.file).catch(() => undefined)) !== special.sha256) return
  await host.chmod(special.file, special.mode)
}

async function sha256Of(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex')
}

async function which(tool: string): Promise<string> {
  const candidates = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, tool))
  // every folder asked at once: one after another, each answer waits for a turn of a busy event loop
  const runnable = await Promise.all(
    candidates.map((candidate) =>
      access(candidate, fsConstants.X_OK).then(
        () => true,
        () => false
      )
    )
  )
  const found = candidates.find((_, index) => runnable[index])
  return found ? path.resolve(found) : tool
}

async function idOf(name: string): Promise<{ uid: number; gid: number } | undefined> {
  // the agent is a local user (useradd): its line in the passwd file spares two processes on the way to codex's start
  const local = await localUser(name)
  if (local) return local
  try {
    const [uid, gid] = await Promise.all(['-u', '-g'].map((flag) => execFileAsync('id', [flag, name])))
    return { uid: Number(uid!.stdout.trim()), gid: Number(gid!.stdout.trim()) }
  } catch {
    return undefined
  }
}

/** The user's ids as /etc/passwd lists them (name:password:uid:gid:…); undefined for a user it does not list. */
async function localUser(name: string): Promise<{ uid: number; gid: number } | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '')
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':')
    if (user === name && /^\d+$/.test(uid ?? '') && /^\d+$/.test(gid ?? ''))
      return { uid: Number(uid), gid: Number(gid) }
  }
  return undefined
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
