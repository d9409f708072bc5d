import { Minimatch } from 'minimatch'
import type { CodexConfigObject } from '../../sdk/index.js'
import { isPlainObject } from '../../shared/checks.js'

/**
 * Variables the codex process itself never receives, unless named in allow-env: the runner's own
 * credentials and the step's inputs (which hold the API key and the GitHub token). codex never
 * holds the API key: the model proxy does, and codex gets the proxy's per-run token as CODEX_API_KEY.
 */
const withheldFromCodex = [
  /^INPUT_/i,
  /^ACTIONS_RUNTIME_TOKEN$/,
  /^ACTIONS_ID_TOKEN_REQUEST_/,
  /^GITHUB_TOKEN$/,
  /^OPENAI_API_KEY$/,
  /^CODEX_API_KEY$/
]

/** The environment of the codex process: the step's, less the runner's credentials and the inputs. */
export function codexEnvironment(
  env: NodeJS.ProcessEnv,
  codexHome: string,
  allowEnv: readonly string[] = []
): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue
    if (allowEnv.includes(name) || !withheldFromCodex.some((pattern) => pattern.test(name))) result[name] = value
  }
  result.CODEX_HOME = codexHome
  // the model API is told the requests come from this action, not from a plain SDK user
  result.CODEX_INTERNAL_ORIGINATOR_OVERRIDE = ACTION_ORIGINATOR
  return result
}

/** The `originator` header codex sends for the action's turns. */
export const ACTION_ORIGINATOR = 'codex_thread_action'

/**
 * Names that look secret, as codex globs (matched case-insensitively by codex). Codex 0.169 applies
 * no default excludes of its own (`env` in a command shows CODEX_API_KEY), so these are the guard.
 */
export const SECRET_NAME_PATTERNS = ['*KEY*', '*TOKEN*', '*SECRET*', '*PASSWORD*', 'INPUT_*', 'ACTIONS_*']

interface ShellEnvironmentOptions {
  /** The environment codex runs with: the commands inherit from it. */
  codexEnv: Record<string, string>
  allowEnv: readonly string[]
  /** Whether a value holds a registered secret, whatever its variable is called. */
  holdsSecret: (value: string) => boolean
}

/**
 * The user's codex config with a `shell_environment_policy` that keeps secrets out of the commands
 * the agent runs. codex's exclude list removes every name matching one of its globs, and nothing can
 * add a name back, so a glob matching an allowed name is dropped and the secret-looking variables it
 * would have caught are listed by exact name instead.
 */
export function protectShellEnvironment(
  config: CodexConfigObject,
  options: ShellEnvironmentOptions
): CodexConfigObject {
  const { allowEnv, holdsSecret } = options
  const globs = SECRET_NAME_GLOBS.filter((glob) => !allowEnv.some((name) => glob.match(name)))
  // CODEX_API_KEY is added to codex's environment by the SDK, after `codexEnv` was built
  const variables = Object.entries({ ...options.codexEnv, CODEX_API_KEY: '' })
  const names = variables
    .filter(([name, value]) => !allowEnv.includes(name) && (looksSecret(name) || (value !== '' && holdsSecret(value))))
    .map(([name]) => name)
    .filter((name) => !globs.some((glob) => glob.match(name)))

  const user = isPlainObject(config.shell_environment_policy) ? config.shell_environment_policy : {}
  const userExclude = Array.isArray(user.exclude) ? user.exclude : []
  return {
    ...config,
    shell_environment_policy: {
      inherit: 'all',
      // codex's own defaults (*KEY*, *SECRET*, *TOKEN*) would defeat allow-env; ours cover them
      ignore_default_excludes: true,
      ...user,
      exclude: [...globs.map((glob) => glob.pattern), ...names, ...userExclude]
    }
  }
}

/** The patterns compiled once: each run matches every variable of the step against each of them. */
const SECRET_NAME_GLOBS = SECRET_NAME_PATTERNS.map((pattern) => new Minimatch(pattern, { nocase: true }))

function looksSecret(name: string): boolean {
  return SECRET_NAME_GLOBS.some((glob) => glob.match(name))
}
