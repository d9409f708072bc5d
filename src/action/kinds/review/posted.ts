import { provenFindingIds, type MarkerProof } from '../../core/markers.js'
import type { GitHubApi } from '../../github/api.js'

export interface PostedFinding {
  /** The review comment that opened the finding's thread; undefined for a finding in a review body. */
  commentId?: number
  /** The review thread's GraphQL id, when the threads could be read. */
  reviewThreadId?: string
  isResolved: boolean
  /** Who resolved its thread, and who reacted 👎 to its comment (GraphQL logins: a bot's without "[bot]"). */
  resolvedBy?: string
  thumbsDown?: string[]
}

/**
 * What the action has posted on the PR, by finding id: only markers whose proof holds count, whoever
 * posted them (a login proves nothing: every workflow's GITHUB_TOKEN writes as github-actions[bot]),
 * and a finding's first proven comment is its own (a later copy, proof and all, takes nothing over).
 * Markers from before proofs never count: such findings may be posted once more, and their threads
 * are never answered or resolved.
 */
export async function readPostedFindings(
  api: GitHubApi,
  pr: number,
  proof: MarkerProof,
  warn: (message: string) => void
): Promise<Map<string, PostedFinding>> {
  const posted = new Map<string, PostedFinding>()
  const [reviews, comments] = await Promise.all([api.listReviews(pr), api.listReviewComments(pr)])
  for (const review of reviews)
    for (const id of await provenFindingIds(review.body, proof))
      if (!posted.has(id)) posted.set(id, { isResolved: false })
  const byComment = new Map<number, string>()
  for (const comment of comments.filter((entry) => entry.inReplyTo === undefined))
    for (const id of await provenFindingIds(comment.body, proof)) {
      if (posted.get(id)?.commentId !== undefined) continue
      posted.set(id, { commentId: comment.id, isResolved: false })
      byComment.set(comment.id, id)
    }
  if (!byComment.size) return posted
  try {
    for (const thread of await api.reviewThreads(pr)) {
      const id = thread.firstCommentId === undefined ? undefined : byComment.get(thread.firstCommentId)
      if (id)
        posted.set(id, {
          ...posted.get(id)!,
          reviewThreadId: thread.id,
          isResolved: thread.isResolved,
          resolvedBy: thread.resolvedBy,
          thumbsDown: thread.thumbsDown
        })
    }
  } catch (error) {
    warn(`Could not read the PR's review threads: ${(error as Error).message}`)
  }
  return posted
}
