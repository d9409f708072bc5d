import * as core from '@actions/core'
import { Inputs } from '../constants.js'
import { conversationTurn } from '../conversation/job.js'
import type { CommentRequest } from '../conversation/request.js'
import type { GitHubConnection } from '../github/api.js'
import { AGENT_HEADING_LEVEL } from '../publish/format.js'
import { agentMarkdown } from '../publish/markdown.js'
import type { Redactor } from '../redact.js'
import { reviewTurn } from '../review/job.js'
import { InputError, type Settings } from '../settings.js'
import type { OpenedThread } from '../thread/open.js'
import { promptTurn, type TurnKind } from './kind.js'

/** An answer to a comment, a review, or the user's prompt. */
export async function chooseTurn(parts: {
  settings: Settings
  comment: CommentRequest | undefined
  github: GitHubConnection | undefined
  opened: OpenedThread
  redactor: Redactor
}): Promise<TurnKind> {
  const { settings, comment, github, redactor } = parts
  const { pr, thread } = parts.opened
  if (!comment && settings.mode !== 'review') return promptTurn(settings.prompt, settings.outputSchema)
  const why = comment ? 'answers comments' : 'posts its review'
  if (!pr)
    throw new InputError(
      Inputs.Mode,
      'review needs a pull request: run it on pull_request events (or dispatch with a pr input)'
    )
  if (!github) throw new InputError(Inputs.GithubToken, `is empty, and the action ${why} with it`)
  const safe = (markdown: string): string =>
    redactor.redact(agentMarkdown(markdown, { headingLevel: AGENT_HEADING_LEVEL }))
  const common = { api: github.api, safe, warn: core.warning }
  if (comment)
    return conversationTurn({ ...common, pr: pr.number, request: comment, standingInstructions: settings.prompt })
  return reviewTurn({
    ...common,
    pr,
    lastReview: thread.lastReview,
    workingDirectory: settings.workingDirectory,
    teamInstructions: settings.prompt,
    remember: (state) => thread.recordReview(state)
  })
}
