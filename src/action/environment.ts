import type { CodexConfigObject } from '../sdk/index.js'

/**
 * Variables the codex process itself never receives: the runner's own credentials and the step's
 * inputs (which hold the API key and the GitHub token). The API key reaches codex only as
 * CODEX_API_KEY, set by the SDK.
 */
const withheldFromCodex = [
  /^INPUT_/i,
  /^ACTIONS_RUNTIME_TOKEN$/,
  /^ACTIONS_ID_TOKEN_REQUEST_/,
  /^GITHUB_TOKEN$/,
  /^OPENAI_API_KEY$/,
  /^CODEX_API_KEY$/
]

export function codexEnvironment(env: NodeJS.ProcessEnv, codexHome: string): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !withheldFromCodex.some((pattern) => pattern.test(name))) result[name] = value
  }
  result.CODEX_HOME = codexHome
  return result
}

/** Name patterns (codex globs, case-insensitive) kept from the commands the agent runs. */
export const SECRET_NAME_PATTERNS = [
  '*KEY*',
  '*TOKEN*',
  '*SECRET*',
  '*PASSWORD*',
  'INPUT_*',
  'ACTIONS_*',
  'GITHUB_TOKEN'
]

/** codex config keeping secrets out of the agent's shell commands. */
export const protectedShellEnvironment: CodexConfigObject = {
  shell_environment_policy: { inherit: 'all', ignore_default_excludes: false, exclude: SECRET_NAME_PATTERNS }
}
