import { accessSync, constants, statSync } from 'node:fs'
import path from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { z } from 'zod'
import {
  mergeConfig,
  strictSchemaProblems,
  type CodexConfigObject,
  type ModelReasoningEffort,
  type SandboxMode
} from '../../sdk/index.js'
import { isPlainObject } from '../../shared/checks.js'
import { oneLine } from '../../shared/text.js'
import {
  COMMENT_EVENTS,
  DEFAULT_CODEX_VERSION,
  DEFAULT_COMPACT_AT_TOKENS,
  DEFAULT_TIMEOUT_MINUTES,
  DEFAULT_MAX_COMMENTS,
  DEFAULT_TRIGGER_PHRASE,
  DESCRIBE_MODES,
  FIX_MODES,
  Inputs,
  ISOLATIONS,
  MODES,
  NO_DEFAULT_IGNORES,
  SEVERITIES,
  THREAD_STORES,
  type DescribeMode,
  type FixMode,
  type InputName,
  type Isolation,
  type Mode,
  type Severity,
  type ThreadStoreKind
} from '../core/constants.js'
import { InputError } from '../core/errors.js'
import { outputSchemaOf, type OutputSchema } from '../core/outputSchema.js'
import { assertOneLine, existingDirectory, readBoolean, readList, readText, type InputReader } from './inputs.js'

export interface Settings {
  mode: Mode
  /** The user's prompt; in review mode and on comment events, standing instructions that may be empty. */
  prompt: string
  /** The model API key, or undefined for a keyless `base-url`. */
  apiKey?: string
  /** Why the API key is empty and the run is skipped: GitHub withheld the secrets (see restrictedPullRequest). */
  keyWithheld?: string
  baseUrl?: string
  model?: string
  effort?: ModelReasoningEffort
  sandbox: SandboxMode
  workingDirectory: string
  outputSchema?: OutputSchema
  codexVersion: string
  codexPath?: string
  /** Undefined: a fresh folder under RUNNER_TEMP. */
  codexHome?: string
  config: CodexConfigObject
  githubToken: string
  /** The `comment` input; undefined: comment when the run is about a pull request. */
  postComment?: boolean
  timeoutMs: number
  /** The thread this run continues; undefined: pr-<number> on a PR event, else a fresh thread. */
  threadKey?: string
  resume: boolean
  threadStore: ThreadStoreKind
  /** The folder of the directory store. */
  threadStorePath?: string
  /** What the stored session is sealed with; undefined: the API key. */
  threadSecret?: string
  /** Logins that may start a turn without write access; '*' is anyone. */
  allowUsers: string[]
  /** Bot logins that may start a turn; '*' is any bot. */
  allowBots: string[]
  /** Variables the agent's commands may see although their names look secret. */
  allowEnv: string[]
  /** Further values masked in everything the action publishes. */
  secretsToRedact: string[]
  /** What a comment must hold to start a turn on comment events. */
  triggerPhrase: string
  /** Review mode: a finding this severe or worse fails the step, after everything is published. */
  failOnSeverity?: Severity
  /** true: the agent reads the PR's own AGENTS.md files; false: the base branch's, for the turn. */
  trustPrInstructions: boolean
  /** Review mode: findings below this severity are listed in the review body, not posted inline. */
  minSeverity: Severity
  /** Review mode: at most this many inline comments per review, most severe first. */
  maxComments: number
  /** Review mode: globs (relative to the repository root) of files not reviewed, and whether the default ignores apply too. */
  ignorePaths: { globs: string[]; defaults: boolean }
  /** Who codex runs as: its own unprivileged user, or the step's. */
  isolation: Isolation
  /** Tokens (input plus output) the PR's thread may use; a turn that would start past them is skipped. */
  threadTokenBudget?: number
  /** Review mode: the sticky comment opens with a walkthrough of the whole PR, rewritten on every push. */
  walkthrough: boolean
  /** Review mode: whether the walkthrough goes into the PR's description, in place of its author's placeholder. */
  describe: DescribeMode
  /** What the fix command does: refused, answered with the change as suggestions, or committed to the PR's branch. */
  fix: FixMode
}

/** The inputs that hold lists or text; every other input is one line. */
const MULTILINE_INPUTS: readonly InputName[] = [
  Inputs.Prompt,
  Inputs.Config,
  Inputs.OutputSchema,
  Inputs.AllowUsers,
  Inputs.AllowBots,
  Inputs.AllowEnv,
  Inputs.SecretsToRedact,
  Inputs.IgnorePaths
]

const sandboxModes = ['read-only', 'workspace-write', 'danger-full-access'] as const
const efforts = ['minimal', 'low', 'medium', 'high', 'xhigh'] as const

/**
 * Reads and validates every input before anything runs. `env` supplies the fallbacks a runner
 * provides (GITHUB_WORKSPACE, and OPENAI_API_KEY / CODEX_API_KEY from the step's env).
 * `secretsWithheld`: why GitHub gives this run no secrets; an empty key is then no input error.
 */
export function readSettings(read: InputReader, env: NodeJS.ProcessEnv, secretsWithheld?: string): Settings {
  for (const name of Object.values(Inputs)) if (!MULTILINE_INPUTS.includes(name)) assertOneLine(name, read(name))
  const optional = (name: InputName): string | undefined => read(name).trim() || undefined
  const oneOf = <T extends string>(name: InputName, allowed: readonly T[], fallback?: T): T | undefined => {
    const value = optional(name) ?? fallback
    if (value !== undefined && !allowed.includes(value as T)) {
      throw new InputError(name, `"${value}" is not one of ${allowed.join(', ')}`)
    }
    return value as T | undefined
  }

  const workingDirectory = path.resolve(optional(Inputs.WorkingDirectory) ?? env.GITHUB_WORKSPACE ?? process.cwd())
  const mode = oneOf(Inputs.Mode, MODES, 'turn')!
  const baseUrl = optional(Inputs.BaseUrl)
  if (baseUrl !== undefined && !z.url({ protocol: /^https?$/ }).safeParse(baseUrl).success) {
    throw new InputError(Inputs.BaseUrl, `"${baseUrl}" is not an http(s) URL`)
  }
  const apiKey = optional(Inputs.OpenaiApiKey) ?? (env.CODEX_API_KEY?.trim() || env.OPENAI_API_KEY?.trim() || undefined)
  const keyWithheld = !apiKey && !baseUrl ? secretsWithheld : undefined
  if (!apiKey && !baseUrl && !keyWithheld) {
    throw new InputError(
      Inputs.OpenaiApiKey,
      'is required (or set OPENAI_API_KEY in the step env, or give base-url for a keyless endpoint)'
    )
  }

  return {
    mode,
    prompt: readPrompt(
      optional(Inputs.Prompt),
      optional(Inputs.PromptFile),
      workingDirectory,
      mode === 'review' ||
        (COMMENT_EVENTS as readonly string[]).includes(env.GITHUB_EVENT_NAME ?? '') ||
        env.GITHUB_EVENT_NAME === 'workflow_run'
    ),
    triggerPhrase: readTriggerPhrase(optional(Inputs.TriggerPhrase)),
    failOnSeverity: oneOf(Inputs.FailOnSeverity, SEVERITIES),
    apiKey,
    keyWithheld,
    baseUrl,
    model: optional(Inputs.Model),
    effort: oneOf(Inputs.Effort, efforts),
    sandbox: oneOf(Inputs.Sandbox, sandboxModes, 'read-only')!,
    workingDirectory: existingDirectory(Inputs.WorkingDirectory, workingDirectory),
    outputSchema: readOutputSchema(
      optional(Inputs.OutputSchema),
      optional(Inputs.OutputSchemaFile),
      workingDirectory,
      mode
    ),
    codexVersion: readCodexVersion(optional(Inputs.CodexVersion)),
    codexPath: readCodexPath(optional(Inputs.CodexPath)),
    codexHome: optional(Inputs.CodexHome) && path.resolve(optional(Inputs.CodexHome)!),
    config: withCompactLimit(
      readConfig(read(Inputs.Config)),
      readTokens(Inputs.CompactAtTokens, optional(Inputs.CompactAtTokens)) ?? DEFAULT_COMPACT_AT_TOKENS
    ),
    githubToken: optional(Inputs.GithubToken) ?? '',
    postComment: readBoolean(Inputs.Comment, optional(Inputs.Comment)),
    timeoutMs: readTimeout(optional(Inputs.TimeoutMinutes)),
    threadKey: readThreadKey(optional(Inputs.ThreadKey)),
    resume: readBoolean(Inputs.Resume, optional(Inputs.Resume)) ?? true,
    ...readThreadStore(oneOf(Inputs.ThreadStore, THREAD_STORES, 'artifact')!, optional(Inputs.ThreadStorePath)),
    threadSecret: optional(Inputs.ThreadSecret),
    allowUsers: readLogins(Inputs.AllowUsers, read(Inputs.AllowUsers), false),
    allowBots: readLogins(Inputs.AllowBots, read(Inputs.AllowBots), true),
    allowEnv: readAllowEnv(read(Inputs.AllowEnv), env, apiKey),
    secretsToRedact: readList(read(Inputs.SecretsToRedact)),
    trustPrInstructions: readBoolean(Inputs.TrustPrInstructions, optional(Inputs.TrustPrInstructions)) ?? false,
    minSeverity: oneOf(Inputs.MinSeverity, SEVERITIES, 'nit')!,
    maxComments: readMaxComments(optional(Inputs.MaxComments)),
    ignorePaths: readIgnorePaths(read(Inputs.IgnorePaths)),
    isolation: oneOf(Inputs.Isolation, ISOLATIONS, 'auto')!,
    threadTokenBudget: readTokens(Inputs.ThreadTokenBudget, optional(Inputs.ThreadTokenBudget), true),
    ...readOverview(
      readBoolean(Inputs.Walkthrough, optional(Inputs.Walkthrough)) ?? true,
      oneOf(Inputs.Describe, DESCRIBE_MODES, 'off')!
    ),
    fix: oneOf(Inputs.Fix, FIX_MODES, 'off')!
  }
}

/** The description's block is the walkthrough: without one there is nothing to put there. */
function readOverview(walkthrough: boolean, describe: DescribeMode): Pick<Settings, 'walkthrough' | 'describe'> {
  if (describe === 'placeholder' && !walkthrough)
    throw new InputError(Inputs.Describe, '"placeholder" writes the walkthrough, which walkthrough: false turns off')
  return { walkthrough, describe }
}

function readLogins(name: InputName, text: string, bots: boolean): string[] {
  const logins = readList(text)
  for (const login of logins) {
    if (login === '*') continue
    const bot = login.endsWith('[bot]')
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(\[bot\])?$/.test(login))
      throw new InputError(name, `"${login}" is not a GitHub login`)
    // bots are gated by allow-bots alone, so a bot listed here would be silently ignored
    if (bot && !bots) throw new InputError(name, `"${login}" is a bot: list bots in allow-bots`)
  }
  return logins
}

function readAllowEnv(text: string, env: NodeJS.ProcessEnv, apiKey: string | undefined): string[] {
  const names = readList(text)
  for (const name of names) {
    if (/^(CODEX|OPENAI)_API_KEY$/i.test(name) || (apiKey && env[name]?.trim() === apiKey))
      throw new InputError(Inputs.AllowEnv, `${name} holds the API key, which the agent's commands never see`)
  }
  return names
}

/** A thread key names artifacts, cache keys and folders: only characters all of them can hold. */
function readThreadKey(value: string | undefined): string | undefined {
  if (value !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(value)) {
    throw new InputError(
      Inputs.ThreadKey,
      `${JSON.stringify(value)} is not a key: up to 100 letters, digits, ".", "_" and "-", starting with a letter or digit`
    )
  }
  return value
}

function readThreadStore(
  threadStore: ThreadStoreKind,
  folder: string | undefined
): { threadStore: ThreadStoreKind; threadStorePath?: string } {
  if (threadStore === 'directory' && !folder)
    throw new InputError(Inputs.ThreadStorePath, 'is required when thread-store is directory')
  return { threadStore, threadStorePath: folder && path.resolve(folder) }
}

function readPrompt(
  inline: string | undefined,
  file: string | undefined,
  workingDirectory: string,
  optionalHere: boolean
): string {
  if (inline && file) throw new InputError(Inputs.Prompt, 'give either prompt or prompt-file, not both')
  if (file) {
    const text = readText(Inputs.PromptFile, file, workingDirectory)
    if (!text.trim()) throw new InputError(Inputs.PromptFile, `${file} is empty`)
    return text
  }
  if (!inline && !optionalHere)
    throw new InputError(
      Inputs.Prompt,
      'is required (or give prompt-file), except with mode: review, on comment events and on workflow_run events'
    )
  return inline ?? ''
}

function readOutputSchema(
  inline: string | undefined,
  file: string | undefined,
  workingDirectory: string,
  mode: Mode
): OutputSchema | undefined {
  if (mode === 'review' && (inline || file))
    throw new InputError(
      file ? Inputs.OutputSchemaFile : Inputs.OutputSchema,
      'cannot be given with mode: review, whose response follows the built-in findings schema'
    )
  if (inline && file)
    throw new InputError(Inputs.OutputSchema, 'give either output-schema or output-schema-file, not both')
  const name = file ? Inputs.OutputSchemaFile : Inputs.OutputSchema
  const text = file ? readText(name, file, workingDirectory) : inline
  if (text === undefined) return undefined
  let schema: unknown
  try {
    schema = JSON.parse(text)
  } catch (error) {
    throw new InputError(name, `is not JSON (${(error as Error).message})`)
  }
  if (!isPlainObject(schema)) throw new InputError(name, 'must be a JSON Schema object')
  let validator: z.ZodType
  try {
    validator = z.fromJSONSchema(schema)
  } catch (error) {
    throw new InputError(name, `is not a valid JSON Schema (${oneLine((error as Error).message)})`)
  }
  const problems = strictSchemaProblems(schema)
  if (problems.length) {
    throw new InputError(name, `would be rejected by the Responses API's strict mode: ${problems.join('; ')}`)
  }
  return outputSchemaOf(schema, validator)
}

function readTriggerPhrase(value: string | undefined): string {
  if (value === undefined) return DEFAULT_TRIGGER_PHRASE
  if (/\s/.test(value))
    throw new InputError(Inputs.TriggerPhrase, `"${value}" holds white space: give one word, such as @codex`)
  return value
}

function readCodexVersion(value: string | undefined): string {
  if (value === undefined) return DEFAULT_CODEX_VERSION
  // an npm version or dist-tag: nothing that could smuggle another package spec or a flag
  if (!/^[0-9A-Za-z][0-9A-Za-z.+-]*$/.test(value))
    throw new InputError(Inputs.CodexVersion, `"${value}" is not a version`)
  return value
}

function readCodexPath(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const resolved = path.resolve(value)
  let isFile: boolean
  try {
    isFile = statSync(resolved).isFile()
  } catch {
    throw new InputError(Inputs.CodexPath, `${value} does not exist`)
  }
  if (!isFile) throw new InputError(Inputs.CodexPath, `${value} is not a file`)
  try {
    accessSync(resolved, constants.X_OK)
  } catch {
    throw new InputError(Inputs.CodexPath, `${value} is not executable`)
  }
  return resolved
}

function readConfig(text: string): CodexConfigObject {
  let config: CodexConfigObject = {}
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (!line || line.startsWith('#')) return
    const where = `line ${index + 1} ("${line}")`
    if (!/^[A-Za-z0-9_."-]+\s*=/.test(line)) throw new InputError(Inputs.Config, `${where} is not key=value`)
    let parsed: Record<string, unknown>
    try {
      parsed = parseToml(line)
    } catch (error) {
      throw new InputError(
        Inputs.Config,
        `${where} has a value that is not TOML (${oneLine((error as Error).message)})`
      )
    }
    config = mergeConfig(config, parsed as CodexConfigObject)
  })
  return config
}

function readTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MINUTES * 60_000
  const minutes = Number(value)
  if (!/^\d*\.?\d+$/.test(value) || !Number.isFinite(minutes) || minutes <= 0) {
    throw new InputError(Inputs.TimeoutMinutes, `"${value}" is not a positive number of minutes`)
  }
  return Math.round(minutes * 60_000)
}

function readMaxComments(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_COMMENTS
  if (!/^\d{1,4}$/.test(value))
    throw new InputError(Inputs.MaxComments, `"${value}" is not a whole number of comments from 0 to 9999`)
  return Number(value)
}

/**
 * Globs relative to the repository root, as minimatch and git's `:(glob)` pathspecs both read them;
 * they are put in the review's git commands, so nothing that could leave a quoted shell word.
 */
function readIgnorePaths(text: string): { globs: string[]; defaults: boolean } {
  const entries = readList(text)
  for (const entry of entries) {
    if (entry === NO_DEFAULT_IGNORES) continue
    if (entry.startsWith('!'))
      throw new InputError(Inputs.IgnorePaths, `"${entry}": negations are not supported (only ${NO_DEFAULT_IGNORES})`)
    if (entry.startsWith('/') || entry.split('/').some((part) => part === '..' || part === '.'))
      throw new InputError(Inputs.IgnorePaths, `"${entry}" is not a glob relative to the repository root`)
    if (/['"`$\\]/.test(entry)) throw new InputError(Inputs.IgnorePaths, `"${entry}" holds a quote, "$" or "\\"`)
  }
  return {
    globs: entries.filter((entry) => entry !== NO_DEFAULT_IGNORES),
    defaults: !entries.includes(NO_DEFAULT_IGNORES)
  }
}

/** A count of tokens, digits only; `positive`: 0 is refused too. */
function readTokens(name: InputName, value: string | undefined, positive = false): number | undefined {
  if (value === undefined) return undefined
  const tokens = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(tokens) || (positive && tokens === 0))
    throw new InputError(name, `"${value}" is not ${positive ? 'a positive' : 'a'} whole number of tokens`)
  return tokens
}

/**
 * compact-at-tokens as codex's model_auto_compact_token_limit; 0 leaves codex's own. A limit the
 * `config` input sets wins: it is the lower-level and more specific of the two.
 */
function withCompactLimit(config: CodexConfigObject, compactAtTokens: number): CodexConfigObject {
  if (!compactAtTokens || config.model_auto_compact_token_limit !== undefined) return config
  return { ...config, model_auto_compact_token_limit: compactAtTokens }
}
