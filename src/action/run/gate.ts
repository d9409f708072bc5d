import * as core from '@actions/core'
import { readCommentRequest, type CommentRequest } from '../kinds/conversation/request.js'
import { admitRun } from '../github/actor.js'
import type { GitHubConnection } from '../github/api.js'
import type { RunContext } from '../github/context.js'
import { publishResults } from '../surfaces/outputs.js'
import type { Redactor } from '../core/redact.js'
import type { Settings } from '../settings/settings.js'
import { TurnReport } from '../core/report.js'

type Gate = { comment?: CommentRequest } | { skip: string; say: (message: string) => void }

/**
 * Whether this run takes a turn: a comment must ask for one, and its author (or whoever started
 * the run) must be allowed to. A refusal turns no PR red, calls no model and posts nothing.
 */
export async function gateRun(
  settings: Settings,
  context: RunContext,
  github: GitHubConnection | undefined
): Promise<Gate> {
  const comment = readCommentRequest(context.eventName, context.payload, settings.triggerPhrase)
  if (comment && 'skip' in comment) return { skip: comment.skip, say: core.info }
  if (comment && (await writtenByUs(comment.request, github)))
    return { skip: "the comment was written by the action's own identity", say: core.info }
  const admission = await admitRun(context, settings, github?.api, process.env)
  if (!admission.allowed) return { skip: admission.reason, say: core.warning }
  core.info(`${admission.reason}: starting a turn`)
  return { comment: comment?.request }
}

/** The action never answers itself: its own answers mention the trigger phrase too. */
async function writtenByUs(request: CommentRequest, github: GitHubConnection | undefined): Promise<boolean> {
  const viewer = await github?.api.viewer()
  return viewer !== undefined && viewer.toLowerCase() === request.author.toLowerCase()
}

/** A run that starts no turn: nothing is posted, no model is called, and the step succeeds. */
export async function skip(
  reason: string,
  say: (message: string) => void,
  redactor: Redactor,
  context: RunContext
): Promise<void> {
  say(`Skipped: ${reason}`)
  const skipped = new TurnReport(context.runUrl)
  skipped.finish('skipped', reason)
  await publishResults(skipped, redactor)
}
