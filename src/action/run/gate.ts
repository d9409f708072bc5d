import * as core from '@actions/core'
import type { RunContext } from '../core/context.js'
import { carriesProvenMarker, type MarkerProof } from '../core/markers.js'
import type { Redactor } from '../core/redact.js'
import { TurnReport } from '../core/report.js'
import { admitRun } from '../github/actor.js'
import type { GitHubConnection } from '../github/api.js'
import { readWorkflowRunTrigger } from '../kinds/ci/trigger.js'
import { parseCommand } from '../kinds/commands.js'
import { readCommentRequest, type CommentRequest } from '../kinds/conversation/request.js'
import { reviewNotDue } from '../kinds/review/due.js'
import { isForkPullRequest } from '../settings/forkPolicy.js'
import type { Settings } from '../settings/settings.js'
import { publishOutputs } from '../surfaces/outputs.js'
import type { ThreadContinuation } from '../thread/continuation.js'
import type { Session } from './session.js'

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
  event: { request?: CommentRequest }
): Promise<Gate> {
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
 * A review turn that would be wasted starts nothing: automatic reviews paused, a closed PR, a run
 * for a head the PR has moved on from, a head already reviewed that nobody asked to review again
 * (see reviewNotDue). Questions, the other commands and a failed CI run are not reviews and go on.
 */
export async function heldReview(
  settings: Pick<Settings, 'mode' | 'triggerPhrase'>,
  context: Pick<RunContext, 'eventName'>,
  request: CommentRequest | undefined,
  session: Pick<Session, 'thread' | 'pr'>,
  github: GitHubConnection | undefined
): Promise<Skip | undefined> {
  // a failed workflow run asks why CI failed, whatever `mode` says: not a review
  if (context.eventName === 'workflow_run') return undefined
  const command = request && parseCommand(request.text)
  const asked = command?.name === 'review' || command?.name === 'full review'
  if (request ? !asked : settings.mode !== 'review') return undefined
  const paused = pausedReview(settings, request, session.thread)
  const { pr } = session
  // without a PR or a token the review cannot run: choosing the kind says why, in one line
  if (paused || !pr || !github) return paused
  // a payload can be old (a re-run): the PR as it is now comes from the API
  const current = pr.state ? pr : await github.api.pullRequest(pr.number)
  const skip = reviewNotDue({
    event: pr,
    current,
    lastReview: session.thread.lastReview,
    asked,
    triggerPhrase: settings.triggerPhrase
  })
  return skip ? { skip, say: core.info } : undefined
}

/**
 * Why the job's token cannot write to the PR, in one warning, when the event says so: a
 * `pull_request` run for a fork's PR gets a read-only GITHUB_TOKEN whatever `permissions:` grants
 * (a Dependabot run's token follows `permissions:`). Nothing is then posted on the PR; the outputs
 * and the job summary carry the turn. The run warns with it once the gate lets it on.
 */
export function readOnlyToken(context: Pick<RunContext, 'eventName' | 'payload' | 'repository'>): string | undefined {
  if (context.eventName !== 'pull_request' || !isForkPullRequest(context)) return undefined
  return "github-token is read-only: GitHub gives a pull_request run for a PR from a fork a read-only GITHUB_TOKEN whatever the workflow's `permissions:` grant, so nothing is posted on the PR; the outputs and the job summary carry the turn (to post reviews on such PRs, see examples/fork-review.yml)"
}

/**
 * A review the pull_request event started, on a PR whose automatic reviews someone paused: it
 * starts nothing. Commands, questions and the review command still run.
 */
function pausedReview(
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
