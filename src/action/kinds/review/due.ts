import type { PullRequestInfo } from '../../core/context.js'
import type { ReviewState } from '../../core/findings.js'

/**
 * Why a review turn would be wasted, or undefined when it is due: the PR is closed or merged; the
 * run is for a head the PR has moved on from (an old run re-run: it must not review the stale head,
 * nor move the last reviewed commit backwards); or this head was reviewed already and nobody asked
 * again (a review some of whose findings could not be posted is tried again). `event` is the PR as the event told it, `current` as the API tells it now.
 */
export function reviewNotDue(parts: {
  event: PullRequestInfo
  current: PullRequestInfo
  lastReview: ReviewState | undefined
  /** A person asked for this review (the review or full review command). */
  asked: boolean
  triggerPhrase: string
}): string | undefined {
  const { event, current, lastReview } = parts
  const short = (sha: string) => sha.slice(0, 12)
  if (current.state === 'closed' || current.state === 'merged')
    return `pull request #${current.number} is ${current.state}: there is nothing to review`
  if (event.headSha && current.headSha && event.headSha !== current.headSha)
    return `this run is for commit ${short(event.headSha)}, which is no longer the head of pull request #${current.number} (now ${short(current.headSha)}): the run for the newer head reviews it`
  if (!parts.asked && lastReview && lastReview.headSha === current.headSha && !lastReview.retry)
    return `commit ${short(lastReview.headSha)} was already reviewed (at ${lastReview.at}); comment \`${parts.triggerPhrase} review\` or \`${parts.triggerPhrase} full review\` to review it again`
  return undefined
}
