import { diffHunkUpTo, findLine, findPosition, parsePatch, type Side } from '../diff.js'
import { documentedExample } from './contract.js'
import { API_REPO, HTML_REPO, now, tooLong, user } from './http.js'
import type {
  PullFile,
  PullSpec,
  ReviewCommentSpec,
  ReviewState,
  ReviewThread,
  ServerState,
  StoredReview,
  StoredReviewComment
} from './types.js'

/*
 * The state behind pull request reviews and review comments, after docs.github.com/rest/pulls/{reviews,comments}:
 * anchoring comments to the diff, and storing reviews, comments, replies and the threads they form.
 * Error texts are the ones GitHub was seen answering (sources by each constant).
 */

/** The answer to a review whose inline comment is off the diff, seen in 2026 (max-sixty/tend#252). */
export const LINE_NOT_RESOLVED = 'Line could not be resolved'
/** Older answers to the same reviews (ubuntu/WSL#244, parkerbxyz/suggest-changes#28). */
export const START_MUST_PRECEDE = 'Pull request review thread start line must precede the end line.'
export const START_SAME_HUNK = 'Pull request review thread start line must be part of the same hunk as the line.'

const DEFAULT_HEAD_SHA = 'b'.repeat(40)
const DEFAULT_BASE_SHA = 'a'.repeat(40)

export interface Placement {
  path: string
  line: number
  side: Side
  start_line: number | null
  start_side: Side | null
  position: number
  diff_hunk: string
}

const isLine = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0
const asSide = (value: unknown, fallback: Side): Side => (value === 'LEFT' || value === 'RIGHT' ? value : fallback)

/**
 * Anchors an inline comment to the pull request's diff as GitHub does: `line` (and `start_line`) must be
 * lines the diff shows on their side (RIGHT: added or context lines of the new file, LEFT: deleted or context
 * lines of the old one), a range must run forward within one hunk, and a file without a patch takes none.
 */
export function place(state: ServerState, pr: number, input: Record<string, unknown>): Placement | string {
  const file = state.pullFiles.get(pr)?.find((entry) => entry.filename === input.path)
  if (!file || file.patch === undefined) return LINE_NOT_RESOLVED
  const hunks = parsePatch(file.patch)
  if (input.position !== undefined && input.line === undefined) {
    // the deprecated position needs no line or side: the diff line it points at says both
    const anchor = isLine(input.position) ? findPosition(hunks, input.position) : undefined
    if (!anchor) return LINE_NOT_RESOLVED
    const side: Side = anchor.line.kind === 'del' ? 'LEFT' : 'RIGHT'
    const line = (side === 'LEFT' ? anchor.line.oldLine : anchor.line.newLine)!
    return {
      path: file.filename,
      line,
      side,
      start_line: null,
      start_side: null,
      position: anchor.line.position,
      diff_hunk: diffHunkUpTo(anchor)
    }
  }
  if (!isLine(input.line)) return LINE_NOT_RESOLVED
  const side = asSide(input.side, 'RIGHT')
  const end = findLine(hunks, input.line, side)
  if (!end) return LINE_NOT_RESOLVED
  let start_line: number | null = null
  let start_side: Side | null = null
  if (input.start_line !== undefined && input.start_line !== null) {
    if (!isLine(input.start_line)) return LINE_NOT_RESOLVED
    start_side = asSide(input.start_side, side)
    if (start_side === side && input.start_line >= input.line) return START_MUST_PRECEDE
    const start = findLine(hunks, input.start_line, start_side)
    if (!start) return LINE_NOT_RESOLVED
    if (start.hunkIndex !== end.hunkIndex) return START_SAME_HUNK
    if (start.index >= end.index) return START_MUST_PRECEDE
    start_line = input.start_line
  }
  return {
    path: file.filename,
    line: input.line,
    side,
    start_line,
    start_side,
    position: end.line.position,
    diff_hunk: diffHunkUpTo(end)
  }
}

export function headSha(state: ServerState, pr: number): string {
  const head = state.pulls.get(pr)?.head as { sha?: string } | undefined
  return head?.sha ?? DEFAULT_HEAD_SHA
}

export function pullAuthor(state: ServerState, pr: number): string | undefined {
  const author = state.pulls.get(pr)?.user as { login?: string } | undefined
  return author?.login
}

/** Approximates author_association from the collaborator roles the server knows. */
function association(state: ServerState, login: string): string {
  const role = state.permissions.get(login)
  return role === 'admin' ? 'OWNER' : role ? 'COLLABORATOR' : 'NONE'
}

export function createReviewStore(state: ServerState, nextId: () => number) {
  const pullUrl = (pr: number): string => `${API_REPO}/pulls/${pr}`

  function addReview(
    pr: number,
    login: string,
    body: string,
    reviewState: ReviewState,
    commitId: string
  ): StoredReview {
    const id = nextId()
    const review: StoredReview = {
      id,
      node_id: `PRR_${id}`,
      pull_number: pr,
      user: user(login),
      body,
      state: reviewState,
      html_url: `${HTML_REPO}/pull/${pr}#pullrequestreview-${id}`,
      pull_request_url: pullUrl(pr),
      _links: {
        html: { href: `${HTML_REPO}/pull/${pr}#pullrequestreview-${id}` },
        pull_request: { href: pullUrl(pr) }
      },
      commit_id: commitId,
      ...(reviewState === 'PENDING' ? {} : { submitted_at: now() }),
      author_association: association(state, login)
    }
    state.reviews.push(review)
    return review
  }

  function addComment(
    pr: number,
    reviewId: number,
    login: string,
    body: string,
    where: Placement,
    commitId: string,
    inReplyTo?: number
  ): StoredReviewComment {
    const id = nextId()
    const time = now()
    const comment: StoredReviewComment = {
      id,
      node_id: `PRRC_${id}`,
      url: `${API_REPO}/pulls/comments/${id}`,
      pull_number: pr,
      pull_request_review_id: reviewId,
      ...(inReplyTo === undefined ? {} : { in_reply_to_id: inReplyTo }),
      user: user(login),
      body,
      path: where.path,
      line: where.line,
      start_line: where.start_line,
      side: where.side,
      start_side: where.start_side,
      original_line: where.line,
      original_start_line: where.start_line,
      position: where.position,
      original_position: where.position,
      diff_hunk: where.diff_hunk,
      commit_id: commitId,
      original_commit_id: commitId,
      subject_type: 'line',
      html_url: `${HTML_REPO}/pull/${pr}#discussion_r${id}`,
      pull_request_url: pullUrl(pr),
      _links: {
        self: { href: `${API_REPO}/pulls/comments/${id}` },
        html: { href: `${HTML_REPO}/pull/${pr}#discussion_r${id}` },
        pull_request: { href: pullUrl(pr) }
      },
      author_association: association(state, login),
      created_at: time,
      updated_at: time
    }
    state.reviewComments.push(comment)
    return comment
  }

  /** A reply joins its thread's first comment; GitHub files it under a new single-comment review. */
  function addReply(pr: number, root: StoredReviewComment, login: string, body: string): StoredReviewComment {
    const review = addReview(pr, login, '', 'COMMENTED', root.commit_id)
    const where: Placement = { ...root, line: root.line ?? 0, position: root.position ?? 0 }
    return addComment(pr, review.id, login, body, where, root.commit_id, root.id)
  }

  /** Comments of a PENDING review are the reviewer's draft: nobody else sees them until it is submitted. */
  function published(pr: number): StoredReviewComment[] {
    const pending = new Set(state.reviews.filter((review) => review.state === 'PENDING').map((review) => review.id))
    return state.reviewComments.filter(
      (comment) => comment.pull_number === pr && !pending.has(comment.pull_request_review_id)
    )
  }

  return {
    setPull(pr: number, spec: PullSpec = {}): Record<string, unknown> {
      const { title, user: author, head, base, state: prState, ...rest } = spec
      // GitHub's documented pull request, with this one's number, title, author, branches and commits
      const example = documentedExample('pulls/get', 200) as Record<string, Record<string, unknown>>
      const pull: Record<string, unknown> = {
        ...example,
        id: nextId(),
        url: pullUrl(pr),
        html_url: `${HTML_REPO}/pull/${pr}`,
        number: pr,
        state: prState ?? 'open',
        title: title ?? `Pull request ${pr}`,
        user: typeof author === 'object' ? author : user(author ?? 'alice'),
        // GitHub's example leaves out what its schema requires: a team's type, the issue link
        requested_teams: [],
        _links: { ...example._links, issue: { href: `${API_REPO}/issues/${pr}` } },
        head: { ...example.head, ref: 'topic', sha: DEFAULT_HEAD_SHA, ...head },
        base: { ...example.base, ref: 'main', sha: DEFAULT_BASE_SHA, ...base },
        ...rest
      }
      state.pulls.set(pr, pull)
      return pull
    },
    setPullFiles(pr: number, files: PullFile[]): void {
      state.pullFiles.set(pr, [...files])
    },
    addReviewComment(pr: number, spec: ReviewCommentSpec): StoredReviewComment {
      const login = spec.login ?? 'alice'
      if (tooLong(spec.body)) throw new Error('addReviewComment: body is over 65536 characters')
      if (spec.in_reply_to !== undefined) {
        const root = state.reviewComments.find((comment) => comment.id === spec.in_reply_to)
        if (!root || root.pull_number !== pr) throw new Error(`addReviewComment: no review comment ${spec.in_reply_to}`)
        return addReply(pr, rootOf(root), login, spec.body)
      }
      const where = place(state, pr, { ...spec })
      if (typeof where === 'string') throw new Error(`addReviewComment: ${spec.path}:${spec.line}: ${where}`)
      const commitId = spec.commit_id ?? headSha(state, pr)
      const review = addReview(pr, login, '', 'COMMENTED', commitId)
      return addComment(pr, review.id, login, spec.body, where, commitId)
    },
    reviewThreads(pr: number): ReviewThread[] {
      const comments = published(pr)
      return comments
        .filter((comment) => comment.in_reply_to_id === undefined)
        .map((root) => ({
          id: `PRRT_${root.id}`,
          pull_number: pr,
          isResolved: state.resolvedThreads.has(root.id),
          resolvedBy: state.resolvedThreads.get(root.id),
          path: root.path,
          line: root.line,
          startLine: root.start_line,
          diffSide: root.side,
          comments: [root, ...comments.filter((comment) => comment.in_reply_to_id === root.id)]
        }))
    },
    addReview,
    addComment,
    addReply,
    published
  }

  function rootOf(comment: StoredReviewComment): StoredReviewComment {
    return state.reviewComments.find((entry) => entry.id === comment.in_reply_to_id) ?? comment
  }
}

export type ReviewStore = ReturnType<typeof createReviewStore>
