import { findingIdsIn } from '../../core/markers.js'
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

/** What the action's own identity has posted on the PR, by finding id. Anyone else's markers never count. */
export async function readPostedFindings(
  api: GitHubApi,
  pr: number,
  warn: (message: string) => void
): Promise<Map<string, PostedFinding>> {
  const viewer = await api.viewer()
  const posted = new Map<string, PostedFinding>()
  if (viewer === undefined) return posted
  const [reviews, comments] = await Promise.all([api.listReviews(pr), api.listReviewComments(pr)])
  for (const review of reviews.filter((entry) => entry.author === viewer))
    for (const id of findingIdsIn(review.body)) posted.set(id, { isResolved: false })
  const byComment = new Map<number, string>()
  for (const comment of comments.filter((entry) => entry.author === viewer && entry.inReplyTo === undefined))
    for (const id of findingIdsIn(comment.body)) {
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
