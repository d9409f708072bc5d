import * as core from '@actions/core'
import type { Codex } from '../../sdk/index.js'
import { makeCodexHome, prepareCodex } from '../codex/prepare.js'
import type { GitHubConnection } from '../github/api.js'
import { completePullRequest, type PullRequestInfo, type RunContext } from '../github/context.js'
import { StickyComment } from '../github/stickyComment.js'
import type { Redactor } from '../core/redact.js'
import type { Settings } from '../settings/settings.js'
import { createThreadArchive } from '../thread/archive.js'
import { commentMirror, ThreadContinuation } from '../thread/continuation.js'
import type { TranscriptCodec } from '../thread/transcript.js'

export interface OpenedThread {
  codex: Codex
  /** The run's PR, with its refs read from the API when the event names only its number. */
  pr?: PullRequestInfo
  thread: ThreadContinuation
  threadKey: string
  sticky?: StickyComment
}

/** The key of the thread kept between runs (undefined: none is kept), and the key this run's thread goes by. */
export function threadKeys(
  settings: Pick<Settings, 'threadKey'>,
  context: Pick<RunContext, 'pullRequest' | 'runId'>
): { key?: string; threadKey: string } {
  const prNumber = context.pullRequest?.number
  // without a key the thread is this run's alone, and kept nowhere
  const key = settings.threadKey ?? (prNumber ? `pr-${prNumber}` : undefined)
  return { key, threadKey: key ?? `run-${context.runId}` }
}

/**
 * Codex ready, and the key's thread continued: found while the PR and the thread are read from GitHub.
 * `codec` is the thread's TranscriptCodec, created for `threadKeys(...).threadKey` before the run was gated.
 */
export async function openThread(
  settings: Settings,
  context: RunContext,
  github: GitHubConnection | undefined,
  redactor: Redactor,
  codec: Promise<TranscriptCodec>
): Promise<OpenedThread> {
  const prNumber = context.pullRequest?.number
  const { key, threadKey } = threadKeys(settings, context)
  const sticky = StickyComment.open(settings.comment, prNumber, github?.api, threadKey, core.warning)
  const runner = { env: process.env, tempDir: context.tempDir }
  const codexHome = await makeCodexHome(settings, runner)
  const archive = key
    ? await createThreadArchive({ key, settings, context, octokit: github?.octokit, codexHome, log: core })
    : undefined
  const [codex, pr, thread] = await Promise.all([
    prepareCodex(settings, runner, codexHome, redactor, core),
    completePullRequest(context.pullRequest, github?.api, core.warning),
    ThreadContinuation.begin({
      key: threadKey,
      archive,
      resume: settings.resume,
      mirror: sticky && commentMirror(sticky, core.warning),
      codec,
      redactor,
      log: core.info,
      warn: core.warning
    })
  ])
  return { codex, pr, thread, threadKey, sticky }
}
