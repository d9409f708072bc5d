import { tmpdir } from 'node:os'
import { context } from '@actions/github'
import type {
  IssueCommentEvent,
  PullRequestEvent,
  PullRequestReviewCommentEvent,
  PullRequestReviewEvent,
  WorkflowDispatchEvent,
  WorkflowRunEvent
} from '@octokit/webhooks-types'
import type { Actor, PullRequestInfo, RunContext } from '../core/context.js'

/**
 * The run's context, computed once: @actions/github's `context` has read the runner's variables and
 * the event file; the actor, the PR and the run's link are derived here.
 */
export function readRunContext(env: NodeJS.ProcessEnv): RunContext {
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/')
  const serverUrl = context.serverUrl.replace(/\/$/, '')
  const runId = env.GITHUB_RUN_ID ?? ''
  const runAttempt = env.GITHUB_RUN_ATTEMPT ?? '1'
  const payload = context.payload as Record<string, unknown>
  return {
    eventName: context.eventName ?? '',
    repository: { owner, repo },
    serverUrl,
    apiUrl: context.apiUrl.replace(/\/$/, ''),
    runId,
    runAttempt,
    runUrl: `${serverUrl}/${owner}/${repo}/actions/runs/${runId}${runAttempt !== '1' ? `/attempts/${runAttempt}` : ''}`,
    pullRequest: pullRequestOf(context.eventName ?? '', payload),
    payload,
    actor: actorOf(payload, env),
    tempDir: env.RUNNER_TEMP || tmpdir()
  }
}

/**
 * The event's sender (who opened or pushed the PR, or wrote the comment), except on a re-run by
 * someone else: GITHUB_TRIGGERING_ACTOR, who asked for this run, is then the one vouching for it.
 * Events without a sender (schedule) fall back to GITHUB_ACTOR.
 */
export function actorOf(
  payload: { sender?: { login?: unknown; type?: unknown } },
  env: NodeJS.ProcessEnv
): Actor | undefined {
  const senderLogin =
    typeof payload.sender?.login === 'string' && payload.sender.login ? payload.sender.login : undefined
  const triggering = env.GITHUB_TRIGGERING_ACTOR?.trim()
  if (triggering && triggering !== senderLogin) return { login: triggering, bot: isBotLogin(triggering) }
  if (senderLogin) return { login: senderLogin, bot: payload.sender?.type === 'Bot' || isBotLogin(senderLogin) }
  const actor = env.GITHUB_ACTOR?.trim()
  return actor ? { login: actor, bot: isBotLogin(actor) } : undefined
}

function isBotLogin(login: string): boolean {
  return login.endsWith('[bot]')
}

type PullRequestPayload = PullRequestEvent | PullRequestReviewEvent | PullRequestReviewCommentEvent

const pullRequestEvents = new Set([
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment'
])

/**
 * The PR of an event: the payload's pull_request on PR events, the issue on a comment on a PR,
 * the `pr` input of a manual dispatch, the first of a completed workflow run's PRs (GitHub lists
 * none for a fork's PR). Comment and dispatch events carry only the number.
 */
function pullRequestOf(eventName: string, payload: Record<string, unknown>): PullRequestInfo | undefined {
  if (pullRequestEvents.has(eventName)) {
    const pr = (payload as Partial<PullRequestPayload>).pull_request
    if (typeof pr?.number !== 'number') return undefined
    return {
      number: pr.number,
      title: pr.title,
      baseRef: pr.base?.ref,
      baseSha: pr.base?.sha,
      headRef: pr.head?.ref,
      headSha: pr.head?.sha
    }
  }
  if (eventName === 'issue_comment') {
    const issue = (payload as Partial<IssueCommentEvent>).issue
    return issue?.pull_request && typeof issue.number === 'number'
      ? { number: issue.number, title: issue.title }
      : undefined
  }
  if (eventName === 'workflow_dispatch') {
    const number = Number((payload as Partial<WorkflowDispatchEvent>).inputs?.pr)
    return Number.isInteger(number) && number > 0 ? { number } : undefined
  }
  if (eventName === 'workflow_run') {
    const run = (payload as Partial<WorkflowRunEvent>).workflow_run
    const pr = run?.pull_requests?.[0]
    if (typeof pr?.number !== 'number') return undefined
    // the run's commit, not the PR's head now: the failure being explained is that commit's
    return {
      number: pr.number,
      baseRef: pr.base.ref,
      baseSha: pr.base.sha,
      headRef: pr.head.ref,
      headSha: run!.head_sha
    }
  }
  return undefined
}
