import { SEVERITIES } from '../../core/constants.js'
import type { OpenFinding, ReviewState } from '../../core/findings.js'
import { provenFindingIds, type MarkerProof } from '../../core/markers.js'
import type { GitHubApi } from '../../github/api.js'

export interface PostedFinding {
  /** The review comment that opened the finding's thread; undefined for a finding in a review body. */
  commentId?: number
  /** That comment's body, as GitHub holds it. */
  body?: string
  /** The review thread's GraphQL id, when the threads could be read. */
  reviewThreadId?: string
  isResolved: boolean
  /** Who resolved its thread, and who reacted 👎 to its comment (GraphQL logins: a bot's without "[bot]"). */
  resolvedBy?: string
  thumbsDown?: string[]
  /**
   * The finding as its proven comment or review body shows it (title as posted, made safe): what a
   * review needs of an open finding the record's bounded copy left out.
   */
  shown?: Omit<OpenFinding, 'id'>
}

const SEVERITY = `(${SEVERITIES.join('|')})`
/** A finding's heading as post.ts writes it: its severity's icon, the severity in bold, its title. */
const HEADING = new RegExp(`^\\S+ \\*\\*${SEVERITY}\\*\\* · (.*)$`)
/** A finding listed in a review body: `- ` and its heading, then where, as a code span. */
const LISTED = new RegExp(`^- \\S+ \\*\\*${SEVERITY}\\*\\* · (.*) at (\`+) ?(.+?):(\\d+)(?:-(\\d+))? ?\\3$`)

/**
 * The finding whose review thread a comment was written in (`threadCommentId` of a reply, else the
 * comment itself opened it), by the proven marker of the thread's first comment; undefined when the
 * thread is not one of the action's findings.
 */
export async function threadFinding(
  api: GitHubApi,
  pr: number,
  comment: { commentId: number; threadCommentId?: number },
  proof: MarkerProof,
  warn: (message: string) => void
): Promise<({ id: string } & PostedFinding) | undefined> {
  const root = comment.threadCommentId ?? comment.commentId
  for (const [id, finding] of await readPostedFindings(api, pr, proof, warn))
    if (finding.commentId === root) return { id, ...finding }
  return undefined
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
  for (const review of reviews) {
    const ids = await provenFindingIds(review.body, proof)
    const shown = listedFindings(review.body, ids.length)
    ids.forEach((id, index) => {
      if (!posted.has(id)) posted.set(id, { isResolved: false, shown: shown[index] })
    })
  }
  const byComment = new Map<number, string>()
  for (const comment of comments.filter((entry) => entry.inReplyTo === undefined))
    for (const id of await provenFindingIds(comment.body, proof)) {
      if (posted.get(id)?.commentId !== undefined) continue
      const heading = HEADING.exec(comment.body.split('\n')[0] ?? '')
      const shown =
        heading && comment.path !== undefined && comment.line !== undefined
          ? { path: comment.path, line: comment.line, severity: heading[1]!, title: heading[2]! }
          : undefined
      posted.set(id, { commentId: comment.id, body: comment.body, isResolved: false, shown })
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

/**
 * The findings a review body lists, in the order of its marker's ids: the body's last `count` lines
 * that list a finding (the agent's summary comes before them, and a finding's own text is indented).
 * Undefined entries where the body does not line up, as in a review by an older action.
 */
function listedFindings(body: string, count: number): Array<Omit<OpenFinding, 'id'> | undefined> {
  if (!count) return []
  const listed = body
    .split('\n')
    .flatMap((line) => {
      const match = LISTED.exec(line)
      return match
        ? [{ path: match[4]!, line: Number(match[6] ?? match[5]), severity: match[1]!, title: match[2]! }]
        : []
    })
    .slice(-count)
  return listed.length === count ? listed : []
}

/**
 * The open findings a review checks again: the record's, and when its copy left some out (the comment's
 * bounded copy, the stored thread unavailable), every other finding whose proven comment or review body
 * shows it, so none beyond the bound is lost: each is still resolvable, dismissable (a thread a teammate
 * resolved is a dismissal; planReview drops resolved threads), and never posted as new. A finding in a
 * review body that an earlier review found fixed has no thread to say so, and comes back to be checked.
 */
export function openFindings(last: ReviewState | undefined, posted: Map<string, PostedFinding>): OpenFinding[] {
  const open = last?.open ?? []
  if (!last?.beyond) return open
  const known = new Set(open.map((finding) => finding.id))
  const recovered = [...posted].flatMap(([id, finding]) =>
    !known.has(id) && finding.shown ? [{ id, ...finding.shown }] : []
  )
  return [...open, ...recovered]
}
