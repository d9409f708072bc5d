/**
 * The action's contract with every workflow that uses it: the names action.yml declares. The code
 * reads and writes them only through these constants, and the contract test compares them with
 * action.yml and the README.
 */
export const Inputs = {
  Prompt: 'prompt',
  PromptFile: 'prompt-file',
  OpenaiApiKey: 'openai-api-key',
  BaseUrl: 'base-url',
  Model: 'model',
  Effort: 'effort',
  Sandbox: 'sandbox',
  WorkingDirectory: 'working-directory',
  OutputSchema: 'output-schema',
  OutputSchemaFile: 'output-schema-file',
  CodexVersion: 'codex-version',
  CodexPath: 'codex-path',
  CodexHome: 'codex-home',
  Config: 'config',
  GithubToken: 'github-token',
  Comment: 'comment',
  TimeoutMinutes: 'timeout-minutes',
  ThreadKey: 'thread-key',
  Resume: 'resume',
  ThreadStore: 'thread-store',
  ThreadStorePath: 'thread-store-path',
  ThreadSecret: 'thread-secret',
  AllowUsers: 'allow-users',
  AllowBots: 'allow-bots',
  AllowEnv: 'allow-env',
  SecretsToRedact: 'secrets-to-redact',
  Mode: 'mode',
  TriggerPhrase: 'trigger-phrase',
  FailOnSeverity: 'fail-on-severity',
  TrustPrInstructions: 'trust-pr-instructions',
  MinSeverity: 'min-severity',
  MaxComments: 'max-comments',
  IgnorePaths: 'ignore-paths',
  Isolation: 'isolation',
  CompactAtTokens: 'compact-at-tokens',
  ThreadTokenBudget: 'thread-token-budget',
  Walkthrough: 'walkthrough',
  Describe: 'describe',
  Fix: 'fix'
} as const

export type InputName = (typeof Inputs)[keyof typeof Inputs]

export const Outputs = {
  FinalResponse: 'final-response',
  StructuredOutput: 'structured-output',
  ThreadId: 'thread-id',
  Resumed: 'resumed',
  Usage: 'usage',
  Conclusion: 'conclusion',
  CommentUrl: 'comment-url',
  ChangedFiles: 'changed-files',
  ReviewUrl: 'review-url',
  FindingsCount: 'findings-count',
  ThreadUsage: 'thread-usage'
} as const

export type OutputName = (typeof Outputs)[keyof typeof Outputs]

/** The codex CLI version installed when `codex-version` is not given: the `@openai/codex` package.json pins. */
export const DEFAULT_CODEX_VERSION = '0.169.0'
export const DEFAULT_TIMEOUT_MINUTES = 30
export const DEFAULT_TRIGGER_PHRASE = '@codex'
export const DEFAULT_MAX_COMMENTS = 20
/** The ignore-paths entry that turns off the default ignores (lockfiles, linguist-generated and -vendored files). */
export const NO_DEFAULT_IGNORES = '!defaults'
/**
 * When codex compacts a thread's context (its model_auto_compact_token_limit). After compaction a
 * thread still holds ~35k tokens (instructions, user messages, summary); 100k keeps the last two or
 * three heavy turns verbatim and caps a resumed request at ~43% of codex's own limit (232,560).
 */
export const DEFAULT_COMPACT_AT_TOKENS = 100_000

/** `turn` runs the user's prompt; `review` reviews the PR's change and posts the findings on its lines. */
export const MODES = ['turn', 'review'] as const
export type Mode = (typeof MODES)[number]

/**
 * Review mode: what the action writes into the PR's description (the describe input): nothing, or
 * the walkthrough in place of the placeholder line its author wrote.
 */
export const DESCRIBE_MODES = ['off', 'placeholder'] as const
export type DescribeMode = (typeof DESCRIBE_MODES)[number]

/** Review findings' severities, worst first. */
export const SEVERITIES = ['critical', 'major', 'minor', 'nit'] as const
export type Severity = (typeof SEVERITIES)[number]

/** Events whose comment is the request: the prompt input is then optional. */
export const COMMENT_EVENTS = ['issue_comment', 'pull_request_review_comment'] as const

/** Where a thread's sealed bundles are kept between runs (the thread-store input). */
export const THREAD_STORES = ['artifact', 'cache', 'directory'] as const
export type ThreadStoreKind = (typeof THREAD_STORES)[number]

/** GitHub refuses issue comment, review and review comment bodies longer than this. */
export const GITHUB_BODY_LIMIT = 65_536

/**
 * Who codex runs as (the isolation input): `auto`, its own unprivileged user where the runner allows
 * it, else the step's user with a warning; `agent-user`, its own user or no run; `none`, the step's user.
 */
export const ISOLATIONS = ['auto', 'agent-user', 'none'] as const
export type Isolation = (typeof ISOLATIONS)[number]

/**
 * What the fix command does (the fix input): `off` refuses it, `suggest` answers with the change as
 * suggestions or a patch, `commit` commits the change to the PR's head branch.
 */
export const FIX_MODES = ['off', 'suggest', 'commit'] as const
export type FixMode = (typeof FIX_MODES)[number]
