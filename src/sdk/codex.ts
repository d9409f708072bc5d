import { findCodexExecutable } from './binary.js'
import type { CodexLogger, CodexOptions, ThreadOptions } from './options.js'
import { Thread, type ThreadRuntime } from './thread.js'

const consoleLogger: CodexLogger = { warn: (message) => console.warn(message) }

/** Entry point of the SDK: starts and resumes threads of the codex agent. */
export class Codex {
  readonly #runtime: ThreadRuntime

  constructor(options: CodexOptions = {}) {
    let executable: string | undefined
    this.#runtime = {
      options,
      logger: options.logger ?? consoleLogger,
      // Found on first use, so constructing a client never throws.
      executable: () => (executable ??= options.codexPathOverride ?? findCodexExecutable()),
      env: () => childEnv(options)
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

function childEnv(options: CodexOptions): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(options.env ?? process.env)) {
    if (value !== undefined) env[name] = value
  }
  if (options.apiKey) env.CODEX_API_KEY = options.apiKey
  return env
}
