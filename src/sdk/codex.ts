import { findCodexInstallation, prependPathDirs, type CodexInstallation } from './binary.js'
import type { CodexLogger, CodexOptions, ThreadOptions } from './options.js'
import { Thread, type ThreadRuntime } from './thread.js'

const consoleLogger: CodexLogger = { warn: (message) => console.warn(message) }

/**
 * codex sends this as the `originator` header, telling the API which client it talks to: the SDK's,
 * as the official TypeScript SDK names itself, unless `env` sets CODEX_INTERNAL_ORIGINATOR_OVERRIDE.
 */
const SDK_ORIGINATOR = 'codex_sdk_ts'
const ORIGINATOR_ENV = 'CODEX_INTERNAL_ORIGINATOR_OVERRIDE'

/** Entry point of the SDK: starts and resumes threads of the codex agent. */
export class Codex {
  readonly #runtime: ThreadRuntime

  constructor(options: CodexOptions = {}) {
    let installation: CodexInstallation | undefined
    // Found on first use, so constructing a client never throws.
    const install = (): CodexInstallation =>
      (installation ??= options.codexPathOverride
        ? { executablePath: options.codexPathOverride, pathDirs: [] }
        : findCodexInstallation())
    this.#runtime = {
      options,
      logger: options.logger ?? consoleLogger,
      executable: () => install().executablePath,
      env: () => childEnv(options, install().pathDirs)
    }
  }

  startThread(options: ThreadOptions = {}): Thread {
    return new Thread(this.#runtime, options)
  }

  /** A thread whose earlier turns codex has in `$CODEX_HOME/sessions`. */
  resumeThread(id: string, options: ThreadOptions = {}): Thread {
    return new Thread(this.#runtime, options, id)
  }
}

function childEnv(options: CodexOptions, pathDirs: string[]): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(options.env ?? process.env)) {
    if (value !== undefined) env[name] = value
  }
  env[ORIGINATOR_ENV] ||= SDK_ORIGINATOR
  if (options.apiKey) env.CODEX_API_KEY = options.apiKey
  // the package's helpers (rg) for the agent's commands, as the codex launcher provides them
  if (pathDirs.length) env.PATH = prependPathDirs(env.PATH, pathDirs)
  return env
}
