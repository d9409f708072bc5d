import * as core from '@actions/core'
import type { RunContext } from '../core/context.js'
import { carriesProvenMarker, type MarkerProof } from '../core/markers.js'
import type { Redactor } from '../core/redact.js'
import { TurnReport } from '../core/report.js'
import { admitRun } from '../github/actor.js'
import type { GitHubConnection } from '../github/api.js'
import { readWorkflowRunTrigger } from '../kinds/ci/trigger.js'
import { readCommentRequest, type CommentRequest } from '../kinds/conversation/request.js'
import type { Settings } from '../settings/settings.js'
import { publishOutputs } from '../surfaces/outputs.js'
import type { ThreadContinuation } from '../thread/continuation.js'

export type GateSettings = Pick<Settings, 'triggerPhrase' | 'allowUsers' | 'allowBots'>

/** A run that starts no turn, and how it says so. */
export type Skip = { skip: string; say: (message: string) => void }

/** A run that goes on (with the comment that asked for it, on comment events), or why it does not. */
export type Gate = { request?: CommentRequest } | Skip

/**
 * What the event alone decides, before any request: a comment must ask for a turn, a workflow run
 * must have failed on a PR. A run it lets through is then gated by who asked (`gateRun`).
 */
export function gateEvent(settings: GateSettings, context: RunContext): Gate {
  const comment = readCommentRequest(context.eventName, context.payload, settings.triggerPhrase)
  if (comment && 'skip' in comment) return { skip: comment.skip, say: core.info }
  const failedRun = readWorkflowRunTrigger(context.eventName, context.payload)
  if (failedRun && 'skip' in failedRun) return { skip: failedRun.skip, say: core.info }
  return { request: comment?.request }
}

/**
 * Whether this run takes a turn: the event must ask for one (`gateEvent`, passed in), and the
 * comment's author (or whoever started the run) must be allowed to. A refusal turns no PR red, calls no model and posts nothing.
 */
export async function gateRun(
  settings: GateSettings,
  context: RunContext,
  github: GitHubConnection | undefined,
  proof: MarkerProof,
  event: Gate
): Promise<Gate> {
  if ('skip' in event) return event
  if (event.request && (await writtenByUs(event.request, commentBodyOf(context), proof, github)))
    return { skip: "the comment was written by the action's own identity", say: core.info }
  const admission = await admitRun(context, settings, github?.api)
  if (!admission.allowed) return { skip: admission.reason, say: core.warning }
  core.info(`${admission.reason}: starting a turn`)
  return { request: event.request }
}

/**
 * The action never answers itself: its own comments mention the trigger phrase too. Its sticky
 * comment and review comments are known by their proven markers, whatever login wrote them; its
 * answers (and anything else) by the token's identity.
 */
async function writtenByUs(
  request: CommentRequest,
  body: string,
  proof: MarkerProof,
  github: GitHubConnection | undefined
): Promise<boolean> {
  if (await carriesProvenMarker(body, proof)) return true
  const viewer = await github?.api.viewer()
  return viewer !== undefined && viewer.toLowerCase() === request.author.toLowerCase()
}

function commentBodyOf(context: Pick<RunContext, 'payload'>): string {
  const body = (context.payload.comment as { body?: unknown } | undefined)?.body
  return typeof body === 'string' ? body : ''
}

/**
 * A review the pull_request event started, on a PR whose automatic reviews someone paused: it
 * starts nothing. Commands, questions and the review command still run.
 */
export function pausedReview(
  settings: Pick<Settings, 'mode' | 'triggerPhrase'>,
  request: CommentRequest | undefined,
  thread: Pick<ThreadContinuation, 'pause'>
): Skip | undefined {
  const pause = thread.pause
  if (request || settings.mode !== 'review' || !pause?.paused) return undefined
  return {
    skip: `automatic reviews of this pull request were paused by @${pause.by} at ${pause.at}; comment \`${settings.triggerPhrase} resume\` to start them again`,
    say: core.info
  }
}

/** A run that starts no turn: nothing is posted, no model is called, and the step succeeds. */
export async function skipRun(gate: Skip, context: Pick<RunContext, 'runUrl'>, redactor: Redactor): Promise<void> {
  gate.say(`Skipped: ${gate.skip}`)
  await publishOutputs(TurnReport.skipped(context.runUrl, gate.skip), redactor)
}
