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
/** codex's `model_reasoning_effort`; which levels a model takes is the model's (and the API's) to say. */
export type ModelReasoningEffort = 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max' | 'ultra' | 'persistent'
export type ApprovalMode = 'never' | 'on-request' | 'on-failure' | 'untrusted'
export type WebSearchMode = 'disabled' | 'cached' | 'live'

/** Each option is a flag or a `--config` override of `codex exec`, named beside it. */
export interface ThreadOptions {
  /** `--model` */
  model?: string
  /** `--thread-source`: how codex classifies a thread it creates; ignored when resuming. */
  threadSource?: string
  /** `--sandbox` */
  sandboxMode?: SandboxMode
  /** `--cd`: the agent's working root; codex's default is the current directory. */
  workingDirectory?: string
  /** `--skip-git-repo-check`: run outside a Git repository. */
  skipGitRepoCheck?: boolean
  /** `--config model_reasoning_effort` */
  modelReasoningEffort?: ModelReasoningEffort
  /** `--config sandbox_workspace_write.network_access` */
  networkAccessEnabled?: boolean
  /** `--config web_search` */
  webSearchMode?: WebSearchMode
  /** Older form of webSearchMode: true is `web_search = "live"`, false `"disabled"`; webSearchMode wins. */
  webSearchEnabled?: boolean
  /** `--config approval_policy` */
  approvalPolicy?: ApprovalMode
  /** `--add-dir`, once per folder: writable beside the working root. */
  additionalDirectories?: string[]
}

/** An experimental Cyber access program for a turn (OpenAI's own provider only). */
export type CyberAccessProgram = 'standard' | 'daybreak_blue' | 'daybreak_red'

/**
 * A zod 4 schema (zod 4.2 or later), as far as the SDK uses one: its output type, its JSON Schema
 * and its validation. Declared here rather than imported, so that the SDK's types and code need
 * zod only where `outputType` is used.
 */
export interface OutputType<Output = unknown> {
  readonly '~standard': { readonly types?: { readonly output: Output } | undefined }
  toJSONSchema(params?: { target?: 'draft-2020-12'; unrepresentable?: 'throw' | 'any' }): object
  safeParse(
    data: unknown
  ):
    | { success: true; data: Output }
    | { success: false; error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } }
}

/** The type of the value an `OutputType` validates to: `z.infer<S>` for a zod schema. */
export type OutputOf<S extends OutputType> = NonNullable<S['~standard']['types']>['output']

export interface TurnOptions<S extends OutputType = OutputType> {
  /** A zod schema: the final response is requested as JSON of this shape, then parsed and validated. */
  outputType?: S
  /** A plain JSON Schema, for callers without zod: the final response is JSON-parsed. */
  outputSchema?: unknown
  /** Aborting it ends the turn and the codex process; `AbortSignal.timeout(ms)` sets a turn timeout. */
  signal?: AbortSignal
  /** `--cyber-access-program`: codex asks the OpenAI provider for this program for the turn. */
  cyberAccessProgram?: CyberAccessProgram
}

export type UserInput = { type: 'text'; text: string } | { type: 'local_image'; path: string }
export type Input = string | UserInput[]
