import type { PullRequestInfo } from '../../core/context.js'
import {
  findingsOutputSchema,
  reviewOutputSchema,
  type Dismissal,
  type ReviewResponse,
  type ReviewState
} from '../../core/findings.js'
import type { Settings } from '../../settings/settings.js'
import { detectDismissals } from './dismissed.js'
import { readIgnoreRules } from './ignore.js'
import { describePullRequest, readDescription } from './describe.js'
import type { KindPublished, TurnKind } from '../../core/kind.js'
import type { MarkerProof } from '../../core/markers.js'
import type { TurnReport } from '../../core/report.js'
import type { GitHubApi } from '../../github/api.js'
import { diffMapOf } from './diff.js'
import { dismissedFindingFacts, openFindingFacts, planReview, reviewInstructions } from './plan.js'
import { prepareRange, type RangeRequest } from './range.js'
import { nextReviewState, postReview, unposted } from './post.js'
import { openFindings, readPostedFindings } from './posted.js'
import { checkedWalkthrough, walkthroughFields } from './walkthrough.js'

export interface ReviewKindOptions {
  api: GitHubApi
  pr: PullRequestInfo
  /** Proves the action's finding markers, and tells them from copies. */
  proof: MarkerProof
  lastReview: ReviewState | undefined
  /** `full review`: the whole PR again, whatever the last review covered. */
  full?: boolean
  /** Findings the team dismissed on this PR, as the thread's record keeps them. */
  dismissed: readonly Dismissal[]
  dial: Pick<Settings, 'minSeverity' | 'maxComments' | 'ignorePaths'>
  /** The PR at a glance: in the comment (walkthrough), and in the description (describe). */
  overview: Pick<Settings, 'walkthrough' | 'describe'>
  workingDirectory: string
  /** How the checkout fetches the commits a shallow clone lacks (see prepareRange). */
  fetch: Pick<RangeRequest, 'token' | 'serverUrl' | 'secret' | 'log'>
  /** Why the token cannot post (a fork's read-only token): the review goes to the outputs only. */
  readOnly?: string
  /** The team's standing instructions (the prompt input). */
  teamInstructions: string
  safe: (markdown: string) => string
  /** Masks secrets in text the action writes outside the comment (the PR's description). */
  redact: (text: string) => string
  warn: (message: string) => void
}

/** A review of the PR's change, or of what changed since the last review, posted as one COMMENT review. */
export async function reviewKind(options: ReviewKindOptions): Promise<TurnKind> {
  const { api, pr, warn } = options
  const { walkthrough } = options.overview
  if (!pr.baseSha || !pr.headSha)
    throw new Error(`Cannot review pull request #${pr.number}: GitHub did not tell its base and head commits`)
  // a head whose review could not post all its findings is reviewed whole again, as `full review` does
  const retried = options.lastReview?.retry === true && options.lastReview.headSha === pr.headSha
  const whole = options.full === true || retried
  const last = whole ? undefined : options.lastReview
  // the agent is never asked to review a diff it cannot read: this throws first, in one line
  const increment = await prepareRange({
    prNumber: pr.number,
    baseSha: pr.baseSha,
    headSha: pr.headSha,
    lastReviewed: last?.headSha,
    workingDirectory: options.workingDirectory,
    ...options.fetch
  })
  const [posted, files, ignore, description] = await Promise.all([
    readPostedFindings(api, pr.number, options.proof, warn),
    api.pullRequestFiles(pr.number),
    readIgnoreRules(options.dial.ignorePaths, pr.baseSha, options.workingDirectory),
    // read before the turn, compared just before writing: an edit made meanwhile is not lost
    options.overview.describe === 'placeholder' ? readDescription(api, pr.number, warn) : undefined
  ])
  const lastReview = options.lastReview && { ...options.lastReview, open: openFindings(options.lastReview, posted) }
  const found = await detectDismissals({
    api,
    open: lastReview?.open ?? [],
    posted,
    known: options.dismissed,
    at: new Date().toISOString(),
    warn
  })
  const plan = planReview(whole ? undefined : lastReview, pr.headSha, posted, increment, {
    excludes: ignore.excludes(files.map((file) => file.path)),
    dismissed: [...options.dismissed, ...found]
  })
  // a full review starts from no last review, yet the findings still open stay open
  if (whole)
    plan.open = (lastReview?.open ?? []).filter((finding) => !plan.dismissed.some((entry) => entry.id === finding.id))
  return {
    request: plan.since ? `Review of the changes since ${plan.since.slice(0, 7)}` : 'Review of the pull request',
    instructions: reviewInstructions(
      plan,
      pr.baseSha,
      options.teamInstructions,
      walkthrough ? walkthroughFields(pr.baseSha, plan.headSha) : []
    ),
    facts: [
      ...(plan.since ? [`Last reviewed commit: ${plan.since}`] : []),
      ...(plan.fullReason ? [`Whole PR reviewed again: ${plan.fullReason}`] : []),
      ...openFindingFacts(plan),
      ...dismissedFindingFacts(plan)
    ],
    outputSchema: walkthrough ? reviewOutputSchema : findingsOutputSchema,
    async publish(report: TurnReport): Promise<KindPublished> {
      const response = report.status === 'success' ? (report.structuredOutput as ReviewResponse) : undefined
      if (!response) return { dismissed: found }
      const glance =
        walkthrough && response.walkthrough
          ? checkedWalkthrough(
              response.walkthrough,
              files.map((file) => file.path)
            )
          : undefined
      if (options.readOnly) return { review: { ...unposted(response, plan), walkthrough: glance }, dismissed: found }
      if (glance && description !== undefined)
        await describePullRequest({
          api,
          pr: pr.number,
          before: description,
          walkthrough: glance,
          proof: options.proof,
          redact: options.redact,
          warn
        })
      let review
      try {
        review = await postReview({
          api,
          pr: pr.number,
          plan,
          response,
          diff: diffMapOf(files),
          posted,
          proof: options.proof,
          dial: {
            ignores: ignore.ignores,
            minSeverity: options.dial.minSeverity,
            maxComments: options.dial.maxComments
          },
          safe: options.safe,
          warn
        })
      } catch (error) {
        // the findings stay in structured-output, the summary and the comment; the next run reviews again
        warn(`Could not post the review (the token needs pull-requests: write): ${(error as Error).message}`)
        return { review: { ...unposted(response, plan), walkthrough: glance }, dismissed: found }
      }
      review.walkthrough = glance
      return { review, reviewState: nextReviewState(plan, review, new Date().toISOString()), dismissed: found }
    }
  }
}
