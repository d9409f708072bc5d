import * as core from '@actions/core'
import { Inputs } from '../core/constants.js'
import { conversationTurn } from '../kinds/conversation/kind.js'
import type { CommentRequest } from '../kinds/conversation/request.js'
import type { GitHubConnection } from '../github/api.js'
import { AGENT_HEADING_LEVEL } from '../surfaces/format.js'
import { agentMarkdown } from '../surfaces/markdown.js'
import type { Redactor } from '../core/redact.js'
import { reviewTurn } from '../kinds/review/kind.js'
import { InputError, type Settings } from '../settings/settings.js'
import type { OpenedThread } from './session.js'
import { promptTurn, type TurnKind } from '../core/kind.js'

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
