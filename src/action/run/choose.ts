import * as core from '@actions/core'
import { Inputs } from '../core/constants.js'
import type { RunContext } from '../core/context.js'
import { InputError } from '../core/errors.js'
import type { TurnKind } from '../core/kind.js'
import type { MarkerProof } from '../core/markers.js'
import type { Redactor } from '../core/redact.js'
import type { GitHubConnection } from '../github/api.js'
import { createCiApi } from '../github/ci.js'
import { ciKind } from '../kinds/ci/kind.js'
import { readWorkflowRunTrigger } from '../kinds/ci/trigger.js'
import { commandKind, parseCommand, reviewOnRequest } from '../kinds/commands.js'
import { conversationKind } from '../kinds/conversation/kind.js'
import { fixKind } from '../kinds/fix/kind.js'
import type { CommentRequest } from '../kinds/conversation/request.js'
import { promptKind } from '../kinds/prompt.js'
import { reviewKind } from '../kinds/review/kind.js'
import type { Settings } from '../settings/settings.js'
import { AGENT_HEADING_LEVEL } from '../surfaces/format.js'
import { agentMarkdown } from '../surfaces/markdown.js'
import type { Session } from './session.js'

export type KindSettings = Pick<
  Settings,
  | 'mode'
  | 'prompt'
  | 'outputSchema'
  | 'workingDirectory'
  | 'triggerPhrase'
  | 'minSeverity'
  | 'maxComments'
  | 'ignorePaths'
  | 'walkthrough'
  | 'describe'
  | 'fix'
  | 'githubToken'
>

/** The turn's kind: an answer to a comment, a review, why the CI failed, or the user's prompt. */
export async function chooseKind(parts: {
  settings: KindSettings
  /**
   * The event (a failed workflow run starts the CI kind), where the CI kind keeps the logs it reads, and
   * the GitHub server review fetches the commits a shallow checkout lacks from.
   */
  context: Pick<RunContext, 'eventName' | 'payload' | 'tempDir' | 'repository' | 'serverUrl'>
  request: CommentRequest | undefined
  github: GitHubConnection | undefined
  session: Pick<Session, 'pr' | 'thread'>
  redactor: Redactor
  proof: MarkerProof
  /** Why the token cannot write to the PR, when the run knows it cannot. */
  readOnly?: string
}): Promise<TurnKind> {
  const { settings, request, github, redactor } = parts
  const { pr, thread } = parts.session
  const failedRun = readWorkflowRunTrigger(parts.context.eventName, parts.context.payload)
  if (!request && !failedRun && settings.mode !== 'review') return promptKind(settings.prompt, settings.outputSchema)
  const why = request ? 'answers comments' : failedRun ? 'reads the CI' : 'posts its review'
  if (!pr)
    throw new InputError(
      Inputs.Mode,
      'review needs a pull request: run it on pull_request events (or dispatch with a pr input)'
    )
  if (!github) throw new InputError(Inputs.GithubToken, `is empty, and the action ${why} with it`)
  const safe = (markdown: string): string =>
    redactor.redact(agentMarkdown(markdown, { headingLevel: AGENT_HEADING_LEVEL }))
  const common = { api: github.api, safe, warn: core.warning }
  const command = request && parseCommand(request.text)
  const ci = (asked: Parameters<typeof ciKind>[0]['asked']) =>
    ciKind({
      ci: createCiApi(github.octokit, parts.context.repository.owner, parts.context.repository.repo),
      headSha: pr.headSha,
      tempDir: parts.context.tempDir,
      redactor,
      triggerPhrase: settings.triggerPhrase,
      standingInstructions: settings.prompt,
      asked,
      log: core.info,
      warn: core.warning
    })
  // the gate let only a failed run of a PR through
  if (!request && failedRun && 'run' in failedRun) return ci({ run: failedRun.run })
  const review = (full: boolean) =>
    reviewKind({
      ...common,
      pr,
      proof: parts.proof,
      lastReview: thread.lastReview,
      full,
      dismissed: thread.dismissed,
      dial: settings,
      overview: settings,
      redact: (text) => redactor.redact(text),
      workingDirectory: settings.workingDirectory,
      fetch: {
        token: settings.githubToken,
        serverUrl: parts.context.serverUrl,
        secret: core.setSecret,
        log: core.info
      },
      readOnly: parts.readOnly,
      teamInstructions: settings.prompt
    })
  if (!request) return review(false)
  const conversation = { ...common, pr: pr.number, request, standingInstructions: settings.prompt }
  if (!command) return conversationKind(conversation)
  core.info(`The comment is the ${command.name} command`)
  if (command.name === 'ci') return ci({ comment: conversation })
  if (command.name === 'review' || command.name === 'full review')
    return reviewOnRequest(await review(command.name === 'full review'), github.api, pr.number, request, core.warning)
  if (command.name === 'fix')
    return fixKind({
      ...conversation,
      mode: settings.fix,
      words: command.words,
      triggerPhrase: settings.triggerPhrase,
      proof: parts.proof,
      lastReview: thread.lastReview,
      octokit: github.octokit,
      repository: parts.context.repository,
      workingDirectory: settings.workingDirectory,
      summarize: (markdown) => void core.summary.addRaw(redactor.redact(markdown)),
      redact: (text) => redactor.redact(text),
      // @actions/artifact takes ~100 ms and tens of MiB to load: imported only when a patch must be kept
      keepPatch: async (patch) =>
        (await import('../kinds/fix/keep.js')).keepPatchAsArtifact(patch, request.commentId, parts.context.tempDir)
    })
  return commandKind({
    ...conversation,
    command: command.name,
    reason: 'reason' in command ? command.reason : undefined,
    triggerPhrase: settings.triggerPhrase,
    lastReview: thread.lastReview,
    proof: parts.proof
  })
}
