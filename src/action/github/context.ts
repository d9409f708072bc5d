import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { isPlainObject } from '../../shared/checks.js'
import type { GitHubApi } from './api.js'

/** The pull request a run is about, as far as the event tells. */
export interface PullRequestInfo {
  number: number
  title?: string
  baseRef?: string
  baseSha?: string
  headRef?: string
  headSha?: string
}

export interface RunContext {
  eventName: string
  repository: { owner: string; repo: string }
  serverUrl: string
  apiUrl: string
  runId: string
  runAttempt: string
  /** Link to this workflow run's page. */
  runUrl: string
  pullRequest?: PullRequestInfo
  /** The raw event payload (GITHUB_EVENT_PATH). */
  payload: Record<string, unknown>
  /** Scratch space that goes with the job (RUNNER_TEMP). */
  tempDir: string
}

/** Reads the run's context from the variables and event file the runner provides. */
export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const payload = readPayload(env.GITHUB_EVENT_PATH)
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/')
  const serverUrl = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/$/, '')
  const runId = env.GITHUB_RUN_ID ?? ''
  const runAttempt = env.GITHUB_RUN_ATTEMPT ?? '1'
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    repository: { owner, repo },
    serverUrl,
    apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/$/, ''),
    runId,
    runAttempt,
    runUrl: `${serverUrl}/${owner}/${repo}/actions/runs/${runId}${runAttempt !== '1' ? `/attempts/${runAttempt}` : ''}`,
    pullRequest: pullRequestOf(env.GITHUB_EVENT_NAME ?? '', payload),
    payload,
    tempDir: env.RUNNER_TEMP || tmpdir()
  }
}

function readPayload(eventPath: string | undefined): Record<string, unknown> {
  if (!eventPath) return {}
  try {
    const parsed: unknown = JSON.parse(readFileSync(eventPath, 'utf8'))
    return isPlainObject(parsed) ? parsed : {}
  } catch {
    return {}
  }
}

const pullRequestEvents = new Set([
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment'
])

/**
 * The PR of an event: the payload's pull_request on PR events, the issue on a comment on a PR,
 * the `pr` input of a manual dispatch. Comment and dispatch events carry only the number.
 */
function pullRequestOf(eventName: string, payload: Record<string, unknown>): PullRequestInfo | undefined {
  if (pullRequestEvents.has(eventName) && isPlainObject(payload.pull_request)) {
    const pr = payload.pull_request
    const base = isPlainObject(pr.base) ? pr.base : {}
    const head = isPlainObject(pr.head) ? pr.head : {}
    if (typeof pr.number !== 'number') return undefined
    return {
      number: pr.number,
      title: stringOr(pr.title),
      baseRef: stringOr(base.ref),
      baseSha: stringOr(base.sha),
      headRef: stringOr(head.ref),
      headSha: stringOr(head.sha)
    }
  }
  if (eventName === 'issue_comment' && isPlainObject(payload.issue) && payload.issue.pull_request) {
    const issue = payload.issue
    return typeof issue.number === 'number' ? { number: issue.number, title: stringOr(issue.title) } : undefined
  }
  if (eventName === 'workflow_dispatch' && isPlainObject(payload.inputs)) {
    const number = Number(payload.inputs.pr)
    return Number.isInteger(number) && number > 0 ? { number } : undefined
  }
  return undefined
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

/**
 * Comment and dispatch events name a PR by number only: its refs come from the API, so the prompt
 * can say how to see the change. Without them the turn still runs.
 */
export async function completePullRequest(
  pr: PullRequestInfo | undefined,
  github: GitHubApi | undefined,
  warn: (message: string) => void
): Promise<PullRequestInfo | undefined> {
  if (!pr || pr.baseSha || !github) return pr
  try {
    return await github.pullRequest(pr.number)
  } catch (error) {
    warn(`Could not read pull request #${pr.number}: ${(error as Error).message}`)
    return pr
  }
}
