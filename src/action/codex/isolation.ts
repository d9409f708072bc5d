/** A command line, ready for `spawn(command, args, { env })`. */
export interface SpawnPlan {
  command: string
  args: string[]
  env: Record<string, string>
}

/** How a privileged process becomes another user: root switches itself, anyone else asks sudo. */
export type Switcher = 'setpriv' | 'sudo'

export interface AgentUser {
  /** The unprivileged user codex runs as: no sudo, no membership of the runner's groups. */
  name: string
  /** Default: setpriv when this process is root, sudo otherwise (a hosted runner's passwordless sudo). */
  switcher?: Switcher
}

/**
 * How to start `command` as the agent's own user, with exactly `env` and nothing of this process's
 * environment. A process of another user cannot read this one's `/proc/<pid>/environ` (which holds
 * the step's inputs: the API key and the GitHub token) nor its memory, and that user has no sudo to
 * become anyone who could. The environment travels through the spawn, never the command line, which
 * every local user can read in `/proc/<pid>/cmdline`.
 */
export function spawnAsAgentUser(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  user: AgentUser
): SpawnPlan {
  const switcher = user.switcher ?? (process.getuid?.() === 0 ? 'setpriv' : 'sudo')
  if (switcher === 'setpriv') {
    return {
      command: 'setpriv',
      // --init-groups: the agent user's own groups, not root's; no capability survives the switch
      args: [
        `--reuid=${user.name}`,
        `--regid=${user.name}`,
        '--init-groups',
        '--inh-caps=-all',
        '--',
        command,
        ...args
      ],
      env
    }
  }
  // -E hands over the (already scrubbed) environment; -n fails rather than prompt for a password
  return { command: 'sudo', args: ['-n', '-E', '-u', user.name, '--', command, ...args], env }
}

/** The command that creates the agent's user: a system user with its own group, no home, no login shell. */
export function createAgentUserCommand(name: string): string[] {
  return ['useradd', '--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name]
}
