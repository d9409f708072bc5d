import { createRequire } from 'node:module'
import { API_REPO, HTML_REPO, OWNER, REPO, REPO_ID, user } from './http.js'
import type { StoredReviewComment } from './types.js'

/*
 * Event payloads as GitHub sends them: the examples GitHub publishes (@octokit/webhooks-examples), with the
 * repository, numbers, SHAs, logins and texts of the test put in. Everything else stays GitHub's, so the
 * action reads payloads with all their fields, not only the ones a test thought of.
 */

interface WebhookExamples {
  name: string
  examples: Array<Record<string, unknown> & { action?: string }>
}

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookExamples[]

/** A fresh copy of GitHub's first example of `event` with `action`. */
export function webhookExample(event: string, action?: string): Record<string, unknown> {
  const example = examples
    .find((entry) => entry.name === event)
    ?.examples.find((entry) => action === undefined || entry.action === action)
  if (!example) throw new Error(`GitHub publishes no example of ${event}${action ? `.${action}` : ''}`)
  return structuredClone(example)
}

type Json = Record<string, unknown>

/** The test server's repository in place of the example's. */
function ourRepository(example: Json): void {
  const repository = example.repository as Json
  Object.assign(repository, {
    id: REPO_ID,
    name: REPO,
    full_name: `${OWNER}/${REPO}`,
    html_url: HTML_REPO,
    url: API_REPO,
    owner: { ...(repository.owner as Json), login: OWNER }
  })
}

export interface PullRequestEvent {
  number: number
  title?: string
  action?: string
  head?: { ref?: string; sha?: string }
  base?: { ref?: string; sha?: string }
  sender?: string
}

/** A pull_request event (synchronize by default) for PR `number`. */
export function pullRequestEvent(spec: PullRequestEvent): Json {
  const example = webhookExample('pull_request', spec.action ?? 'synchronize')
  ourRepository(example)
  const pull = example.pull_request as Json
  const sender = user(spec.sender ?? 'alice')
  Object.assign(pull, {
    number: spec.number,
    title: spec.title ?? `Change ${spec.number}`,
    url: `${API_REPO}/pulls/${spec.number}`,
    html_url: `${HTML_REPO}/pull/${spec.number}`,
    user: sender,
    head: { ...(pull.head as Json), ref: `feature-${spec.number}`, sha: 'b'.repeat(40), ...spec.head },
    base: { ...(pull.base as Json), ref: 'main', sha: 'a'.repeat(40), ...spec.base }
  })
  return { ...example, number: spec.number, after: (pull.head as Json).sha, sender }
}

export interface IssueCommentEvent {
  /** The pull request the comment is on. */
  number: number
  body: string
  sender?: string
  id?: number
  action?: string
}

/** An issue_comment event (created by default): `sender` commented `body` on PR `number`. */
export function issueCommentEvent(spec: IssueCommentEvent): Json {
  const example = webhookExample('issue_comment', spec.action ?? 'created')
  ourRepository(example)
  const sender = user(spec.sender ?? 'alice')
  const issue = example.issue as Json
  Object.assign(issue, {
    number: spec.number,
    title: `Change ${spec.number}`,
    url: `${API_REPO}/issues/${spec.number}`,
    html_url: `${HTML_REPO}/pull/${spec.number}`,
    // what sets a pull request's conversation apart from an issue's; GitHub's examples are all issues
    pull_request: {
      url: `${API_REPO}/pulls/${spec.number}`,
      html_url: `${HTML_REPO}/pull/${spec.number}`,
      diff_url: `${HTML_REPO}/pull/${spec.number}.diff`,
      patch_url: `${HTML_REPO}/pull/${spec.number}.patch`,
      merged_at: null
    }
  })
  const comment = example.comment as Json
  Object.assign(comment, { body: spec.body, user: sender, ...(spec.id === undefined ? {} : { id: spec.id }) })
  return { ...example, sender }
}

export interface ReviewCommentEvent {
  number: number
  /** The comment as the test server stored it. */
  comment: StoredReviewComment
  head?: { ref?: string; sha?: string }
  base?: { ref?: string; sha?: string }
}

/** A pull_request_review_comment event (created) for a review comment stored on the test server. */
export function reviewCommentEvent(spec: ReviewCommentEvent): Json {
  const example = webhookExample('pull_request_review_comment', 'created')
  ourRepository(example)
  const { comment } = spec
  const pull = example.pull_request as Json
  Object.assign(pull, {
    number: spec.number,
    title: `Change ${spec.number}`,
    head: { ...(pull.head as Json), ref: 'feature', ...spec.head },
    base: { ...(pull.base as Json), ref: 'main', ...spec.base }
  })
  const fields = Object.fromEntries(Object.entries(comment).filter(([key]) => key !== 'pull_number'))
  return { ...example, comment: { ...(example.comment as Json), ...fields }, sender: comment.user }
}

export interface WorkflowRunEventSpec {
  /** The run as the test server stored it (`ci.addRun`). */
  runId: number
  name: string
  headSha: string
  conclusion: string
  baseSha?: string
  /** The PR the run belongs to; none: GitHub lists none, as for a fork's PR. */
  pr?: number
}

/** A workflow_run event (completed): GitHub's example whose run lists a pull request, made the test's run. */
export function workflowRunEvent(spec: WorkflowRunEventSpec): Json {
  const example = structuredClone(
    examples
      .find((entry) => entry.name === 'workflow_run')!
      .examples.find(
        (entry) => entry.action === 'completed' && ((entry.workflow_run as Json).pull_requests as unknown[]).length
      )!
  )
  ourRepository(example)
  const run = example.workflow_run as Json
  const [listed] = run.pull_requests as Json[]
  Object.assign(run, {
    id: spec.runId,
    name: spec.name,
    head_sha: spec.headSha,
    head_branch: spec.pr ? `feature-${spec.pr}` : 'feature',
    status: 'completed',
    conclusion: spec.conclusion,
    html_url: `${HTML_REPO}/actions/runs/${spec.runId}`,
    pull_requests: spec.pr
      ? [
          {
            ...listed,
            number: spec.pr,
            url: `${API_REPO}/pulls/${spec.pr}`,
            head: { ...(listed!.head as Json), ref: `feature-${spec.pr}`, sha: spec.headSha },
            base: { ...(listed!.base as Json), ref: 'main', sha: spec.baseSha ?? 'a'.repeat(40) }
          }
        ]
      : []
  })
  return { ...example, sender: user('alice') }
}
