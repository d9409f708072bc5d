import type { z } from 'zod'

export type CodexConfigValue = string | number | boolean | CodexConfigValue[] | CodexConfigObject
export type CodexConfigObject = { [key: string]: CodexConfigValue | undefined }

/** Where the SDK reports what it skipped or recovered from; defaults to the console. */
export interface CodexLogger {
  warn(message: string): void
}

export interface CodexOptions {
  /** Path of the codex executable; default: the binary of the installed `@openai/codex`, then `codex` on PATH. */
  codexPathOverride?: string
  /** A Responses-API endpoint (Azure, a proxy, self-hosted), spoken to over plain HTTPS streaming. */
  baseUrl?: string
  /** Passed to codex only as the CODEX_API_KEY environment variable. */
  apiKey?: string
  /** Codex configuration, flattened into `--config key=value` overrides (values as TOML). */
  config?: CodexConfigObject
  /**
   * Raw `key=value` overrides (dotted keys, TOML values) passed through unchanged and in order,
   * after `config` and before the thread options, which therefore win.
   */
  configOverrides?: string[]
  /**
   * The environment of the codex process; replaces the inherited one when given. A
   * CODEX_INTERNAL_ORIGINATOR_OVERRIDE in it replaces the SDK's own originator.
   */
  env?: Record<string, string>
  logger?: CodexLogger
}

export type SandboxMode = 'read-only' | 'workspace-write' | 'danger-full-access'
export type ModelReasoningEffort = 'minimal' | 'low' | 'medium' | 'high' | 'xhigh'
export type ApprovalMode = 'never' | 'on-request' | 'on-failure' | 'untrusted'
export type WebSearchMode = 'disabled' | 'cached' | 'live'

export interface ThreadOptions {
  model?: string
  /** How codex classifies a thread it creates (`--thread-source`); ignored when resuming. */
  threadSource?: string
  sandboxMode?: SandboxMode
  workingDirectory?: string
  skipGitRepoCheck?: boolean
  modelReasoningEffort?: ModelReasoningEffort
  networkAccessEnabled?: boolean
  webSearchMode?: WebSearchMode
  /** Older form of webSearchMode: true is 'live', false 'disabled'; webSearchMode wins. */
  webSearchEnabled?: boolean
  approvalPolicy?: ApprovalMode
  additionalDirectories?: string[]
}

export interface TurnOptions<S extends z.ZodType = z.ZodType> {
  /** A zod schema: the final response is requested as JSON of this shape, then parsed and validated. */
  outputType?: S
  /** A plain JSON Schema, for callers without zod: the final response is JSON-parsed. */
  outputSchema?: unknown
  /** Aborting it ends the turn and the codex process; `AbortSignal.timeout(ms)` sets a turn timeout. */
  signal?: AbortSignal
}

export type UserInput = { type: 'text'; text: string } | { type: 'local_image'; path: string }
export type Input = string | UserInput[]
