import { diffHunkUpTo, findLine, findPosition, parsePatch, type Side } from '../diff.js'
import {
  API_REPO,
  bodyOf,
  HTML_REPO,
  notFound,
  now,
  REPO_PATH,
  sendPage,
  tooLong,
  unprocessable,
  user,
  validationFailed
} from './http.js'
import type {
  PullFile,
  PullSpec,
  ReviewCommentSpec,
  ReviewState,
  ReviewThread,
  Route,
  ServerState,
  StoredReview,
  StoredReviewComment
} from './types.js'

/*
 * Pull request files, reviews and review comments, after docs.github.com/rest/pulls/{files,reviews,comments}.
 * Error texts are the ones GitHub was seen answering (sources by each constant).
 */

/** The answer to a review whose inline comment is off the diff, seen in 2026 (max-sixty/tend#252). */
export const LINE_NOT_RESOLVED = 'Line could not be resolved'
/** Older answers to the same reviews (ubuntu/WSL#244, parkerbxyz/suggest-changes#28). */
export const START_MUST_PRECEDE = 'Pull request review thread start line must precede the end line.'
export const START_SAME_HUNK = 'Pull request review thread start line must be part of the same hunk as the line.'

const DEFAULT_HEAD_SHA = 'b'.repeat(40)
const DEFAULT_BASE_SHA = 'a'.repeat(40)
const EVENTS: Record<string, ReviewState> = {
  COMMENT: 'COMMENTED',
  APPROVE: 'APPROVED',
  REQUEST_CHANGES: 'CHANGES_REQUESTED'
}

interface Placement {
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

function pullAuthor(state: ServerState, pr: number): string | undefined {
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
      const pull: Record<string, unknown> = {
        url: pullUrl(pr),
        html_url: `${HTML_REPO}/pull/${pr}`,
        number: pr,
        state: prState ?? 'open',
        title: title ?? `Pull request ${pr}`,
        user: typeof author === 'object' ? author : user(author ?? 'alice'),
        head: { ref: 'topic', sha: DEFAULT_HEAD_SHA, ...head },
        base: { ref: 'main', sha: DEFAULT_BASE_SHA, ...base },
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

const REVIEWS_DOC = 'pulls/reviews#create-a-review-for-a-pull-request'
const COMMENTS_DOC = 'pulls/comments#create-a-reply-for-a-review-comment'

function createReview(route: Route, store: ReviewStore, pr: number): void {
  const { state, author } = route
  const input = bodyOf(route)
  const body = typeof input.body === 'string' ? input.body : ''
  const event = input.event
  const comments = Array.isArray(input.comments) ? (input.comments as Array<Record<string, unknown>>) : []
  // the status codes and shapes are GitHub's; texts not quoted from an observed answer are marked "approximate"
  if (event !== undefined && (typeof event !== 'string' || !(event in EVENTS)))
    return unprocessable(route, [`Event is not included in the list`], REVIEWS_DOC) // approximate
  if (tooLong(body)) return unprocessable(route, ['Body is too long (maximum is 65536 characters)'], REVIEWS_DOC)
  if (event === 'REQUEST_CHANGES' && body === '')
    // docs: body is "Required when using REQUEST_CHANGES or COMMENT"; COMMENT with inline comments passes
    return unprocessable(route, ["Body can't be blank"], REVIEWS_DOC) // approximate
  if (event === 'COMMENT' && body === '' && comments.length === 0)
    return unprocessable(route, ["Body can't be blank"], REVIEWS_DOC) // approximate
  if (author === pullAuthor(state, pr) && event === 'APPROVE')
    return unprocessable(route, ['Review Can not approve your own pull request'], REVIEWS_DOC)
  if (author === pullAuthor(state, pr) && event === 'REQUEST_CHANGES')
    return unprocessable(route, ['Review Can not request changes on your own pull request'], REVIEWS_DOC)
  if (event === 'APPROVE' && author === 'github-actions[bot]' && !state.actionsCanApprove)
    return unprocessable(route, ['GitHub Actions is not permitted to approve pull requests.'], REVIEWS_DOC)
  // a draft blocks any new review by its author, submitted or not
  if (
    state.reviews.some(
      (review) => review.pull_number === pr && review.state === 'PENDING' && review.user.login === author
    )
  )
    return unprocessable(route, ['User can only have one pending review per pull request'], REVIEWS_DOC)
  // one bad comment rejects the whole review, and GitHub does not say which one
  const placed: Placement[] = []
  const errors = new Set<string>()
  for (const comment of comments) {
    if (typeof comment.body !== 'string' || comment.body === '')
      errors.add("Body can't be blank") // approximate
    else if (tooLong(comment.body)) errors.add('Body is too long (maximum is 65536 characters)')
    const where = place(state, pr, comment)
    if (typeof where === 'string') errors.add(where)
    else placed.push(where)
  }
  if (errors.size > 0) return unprocessable(route, [...errors], REVIEWS_DOC)
  const commitId = typeof input.commit_id === 'string' ? input.commit_id : headSha(state, pr)
  const review = store.addReview(pr, author, body, event === undefined ? 'PENDING' : EVENTS[event], commitId)
  placed.forEach((where, index) =>
    store.addComment(pr, review.id, author, comments[index].body as string, where, commitId)
  )
  route.send(200, review)
}

/** Routes under /repos/{o}/{r}/pulls that concern files, reviews and review comments. */
export function handleReviews(route: Route, store: ReviewStore): boolean {
  const { method, url, state } = route
  const path = url.pathname
  let match: RegExpExecArray | null
  if ((match = new RegExp(`^${REPO_PATH}/pulls/(\\d+)/(files|reviews|comments)$`).exec(path))) {
    const pr = Number(match[1])
    if (!state.pulls.has(pr) && !state.pullFiles.has(pr)) notFound(route)
    else if (match[2] === 'files' && method === 'GET') sendPage(route, state.pullFiles.get(pr) ?? [])
    else if (match[2] === 'reviews' && method === 'GET')
      sendPage(
        route,
        state.reviews.filter((review) => review.pull_number === pr)
      )
    else if (match[2] === 'reviews' && method === 'POST') createReview(route, store, pr)
    else if (match[2] === 'comments' && method === 'GET') sendPage(route, store.published(pr))
    else if (match[2] === 'comments' && method === 'POST') createComment(route, store, pr)
    else route.send(405, {})
    return true
  }
  if ((match = new RegExp(`^${REPO_PATH}/pulls/(\\d+)/comments/(\\d+)/replies$`).exec(path)) && method === 'POST') {
    const pr = Number(match[1])
    const root = store.published(pr).find((comment) => comment.id === Number(match![2]))
    const body = bodyOf(route).body
    if (!root) notFound(route)
    else if (root.in_reply_to_id !== undefined)
      // docs: "This must be the ID of a top-level review comment, not a reply to that comment. Replies to
      // replies are not supported." The answer's text is approximate.
      unprocessable(route, ['Replies to replies are not supported'], COMMENTS_DOC)
    else if (typeof body !== 'string' || body === '')
      validationFailed(route, 'PullRequestReviewComment', 'body', 'missing_field', COMMENTS_DOC)
    else if (tooLong(body))
      validationFailed(
        route,
        'PullRequestReviewComment',
        'body',
        'body is too long (maximum is 65536 characters)',
        COMMENTS_DOC
      )
    else route.send(201, store.addReply(pr, root, route.author, body))
    return true
  }
  if ((match = new RegExp(`^${REPO_PATH}/pulls/comments/(\\d+)$`).exec(path))) {
    const index = state.reviewComments.findIndex((comment) => comment.id === Number(match![1]))
    const comment = state.reviewComments[index]
    const body = bodyOf(route).body
    if (!comment) notFound(route)
    else if (method === 'GET') route.send(200, comment)
    else if (method === 'PATCH' && typeof body === 'string') {
      if (tooLong(body))
        validationFailed(
          route,
          'PullRequestReviewComment',
          'body',
          'body is too long (maximum is 65536 characters)',
          'pulls/comments#update-a-review-comment-for-a-pull-request'
        )
      else {
        comment.body = body
        comment.updated_at = now()
        route.send(200, comment)
      }
    } else if (method === 'DELETE') {
      state.reviewComments.splice(index, 1)
      route.send(204, undefined)
    } else route.send(405, {})
    return true
  }
  return false
}

/** POST /pulls/{n}/comments: one comment outside a review, or a reply through `in_reply_to`. */
function createComment(route: Route, store: ReviewStore, pr: number): void {
  const input = bodyOf(route)
  const doc = 'pulls/comments#create-a-review-comment-for-a-pull-request'
  const body = input.body
  if (typeof body !== 'string' || body === '')
    return validationFailed(route, 'PullRequestReviewComment', 'body', 'missing_field', doc)
  if (tooLong(body))
    return validationFailed(
      route,
      'PullRequestReviewComment',
      'body',
      'body is too long (maximum is 65536 characters)',
      doc
    )
  if (input.in_reply_to !== undefined) {
    const root = store.published(pr).find((comment) => comment.id === input.in_reply_to)
    if (!root) return notFound(route)
    return route.send(201, store.addReply(pr, root, route.author, body))
  }
  const where = place(route.state, pr, input)
  // this endpoint names the failing field (seen in QwenLM/qwen-code#6711)
  if (where === LINE_NOT_RESOLVED)
    return validationFailed(
      route,
      'PullRequestReviewComment',
      'pull_request_review_thread.line',
      'pull_request_review_thread.line must be part of the diff',
      doc
    )
  if (typeof where === 'string')
    return validationFailed(route, 'PullRequestReviewComment', 'pull_request_review_thread.start_line', where, doc)
  const commitId = typeof input.commit_id === 'string' ? input.commit_id : headSha(route.state, pr)
  const review = store.addReview(pr, route.author, '', 'COMMENTED', commitId)
  route.send(201, store.addComment(pr, review.id, route.author, body, where, commitId))
}
