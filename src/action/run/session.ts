import type { Codex } from '../../sdk/index.js'
import type { AgentIsolation } from '../codex/isolation.js'
import type { PullRequestInfo, RunContext } from '../core/context.js'
import type { MarkerProof } from '../core/markers.js'
import type { Redactor } from '../core/redact.js'
import { readBaseInstructions, type BaseInstructions } from '../codex/instructions.js'
import { makeCodexHome, prepareCodex, type CodexSettings } from '../codex/prepare.js'
import { completePullRequest, type GitHubConnection } from '../github/api.js'
import { StickyComment } from '../github/stickyComment.js'
import type { Settings } from '../settings/settings.js'
import { createThreadArchive } from '../thread/archive.js'
import { commentMirror, ThreadContinuation } from '../thread/continuation.js'
import type { TranscriptCodec } from '../thread/transcript.js'
import type { SessionLog } from './heldLog.js'

/** The keys of a run's thread. */
export interface ThreadKeys {
  /** The key the thread is kept under between runs; undefined: it is this run's alone, kept nowhere. */
  storedKey?: string
  /** The key this run's thread goes by (its sticky comment's, its record's): the stored key, or the run's own. */
  threadKey: string
}

export function threadKeysOf(
  settings: Pick<Settings, 'threadKey'>,
  context: Pick<RunContext, 'pullRequest' | 'runId'>
): ThreadKeys {
  const prNumber = context.pullRequest?.number
  const storedKey = settings.threadKey ?? (prNumber ? `pr-${prNumber}` : undefined)
  return { storedKey, threadKey: storedKey ?? `run-${context.runId}` }
}

export type SessionSettings = CodexSettings &
  Pick<
    Settings,
    | 'codexHome'
    | 'postComment'
    | 'resume'
    | 'threadStore'
    | 'threadStorePath'
    | 'threadSecret'
    | 'githubToken'
    | 'trustPrInstructions'
  >

/** What a turn runs in: codex, the PR, the thread continued, and the sticky comment that shows it. */
export interface Session {
  codex: Codex
  /** Set when codex runs as the agent user: the turn lends it the workspace and CODEX_HOME. */
  agent?: AgentIsolation
  /** The run's PR, with its refs read from the API when the event names only its number. */
  pr?: PullRequestInfo
  thread: ThreadContinuation
  sticky?: StickyComment
  /**
   * The base branch's instruction files, read while the session opened, for the turn to put in place
   * of the PR's; undefined outside a PR, or with trust-pr-instructions.
   */
  instructions: Promise<BaseInstructions | undefined>
  /** Ends what the session runs beside the turn (the model proxy); called once the run is over. */
  close: () => Promise<void>
}

/**
 * Codex ready, and the key's thread continued: found while the PR and the thread are read from GitHub.
 * `codec` is the thread's TranscriptCodec for `keys.threadKey`, created before the run was gated.
 */
export async function openSession(parts: {
  settings: SessionSettings
  context: RunContext
  /** The step's environment, which codex's is made from. */
  env: NodeJS.ProcessEnv
  keys: ThreadKeys
  github: GitHubConnection | undefined
  redactor: Redactor
  codec: Promise<TranscriptCodec>
  /** Proves the sticky comment's key marker as the action's own. */
  proof: MarkerProof
  /** Where the session logs: it may be opened before the run is gated, its lines held until then. */
  log: SessionLog
}): Promise<Session> {
  const { settings, context, keys, github, redactor, log } = parts
  const sticky = StickyComment.open(
    settings.postComment,
    context.pullRequest?.number,
    github?.api,
    keys.threadKey,
    parts.proof,
    log.warning
  )
  const runner = { env: parts.env, tempDir: context.tempDir }
  const codexHome = await makeCodexHome(settings, runner)
  // the store's library loads while codex is prepared and the comment read
  const archive = keys.storedKey
    ? createThreadArchive({
        key: keys.storedKey,
        settings,
        context,
        octokit: github?.octokit,
        codexHome,
        log
      })
    : undefined
  const preparing = prepareCodex(settings, runner, codexHome, redactor, log)
  const completing = completePullRequest(context.pullRequest, github?.api, log.warning)
  // git look-ups on the way to codex's start, done while codex is prepared rather than after
  const instructions = completing.then((pr) =>
    pr && !settings.trustPrInstructions
      ? readBaseInstructions({
          workingDirectory: settings.workingDirectory,
          config: settings.config,
          baseSha: pr.baseSha,
          log
        })
      : undefined
  )
  instructions.catch(() => undefined)
  const [{ codex, agent, close }, pr, thread] = await Promise.all([
    preparing,
    completing,
    ThreadContinuation.begin({
      key: keys.threadKey,
      archive,
      resume: settings.resume,
      mirror: sticky && commentMirror(sticky, log.warning),
      codec: parts.codec,
      redactor,
      log: log.info,
      warn: log.warning
    })
  ]).catch(async (error: unknown) => {
    // codex was ready but the PR or the thread was not: its proxy must not outlive the run
    await preparing.then(({ close }) => close()).catch(() => undefined)
    throw error
  })
  return { codex, agent, pr, thread, sticky, instructions, close }
}
