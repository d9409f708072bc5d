import { bodyOf, notFound, now, REPO_PATH, sendPage, tooLong, unprocessable, validationFailed } from './http.js'
import { headSha, LINE_NOT_RESOLVED, place, pullAuthor, type Placement, type ReviewStore } from './reviewStore.js'
import type { ReviewState, Route } from './types.js'

/*
 * Routes for pull request files, reviews and review comments, after
 * docs.github.com/rest/pulls/{files,reviews,comments}. Status codes and answer shapes are GitHub's; an error
 * text not quoted from an observed answer is marked "approximate".
 */

const EVENTS: Record<string, ReviewState> = {
  COMMENT: 'COMMENTED',
  APPROVE: 'APPROVED',
  REQUEST_CHANGES: 'CHANGES_REQUESTED'
}

const REVIEWS_DOC = 'pulls/reviews#create-a-review-for-a-pull-request'
const COMMENTS_DOC = 'pulls/comments#create-a-reply-for-a-review-comment'

function createReview(route: Route, store: ReviewStore, pr: number): void {
  const { state, author } = route
  const input = bodyOf(route)
  const body = typeof input.body === 'string' ? input.body : ''
  const event = input.event
  const comments = Array.isArray(input.comments) ? (input.comments as Array<Record<string, unknown>>) : []
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
  const placed: Array<{ where: Placement; body: string }> = []
  const errors = new Set<string>()
  for (const comment of comments) {
    if (typeof comment.body !== 'string' || comment.body === '')
      errors.add("Body can't be blank") // approximate
    else if (tooLong(comment.body)) errors.add('Body is too long (maximum is 65536 characters)')
    const where = place(state, pr, comment)
    if (typeof where === 'string') errors.add(where)
    else placed.push({ where, body: comment.body as string })
  }
  if (errors.size > 0) return unprocessable(route, [...errors], REVIEWS_DOC)
  const commitId = typeof input.commit_id === 'string' ? input.commit_id : headSha(state, pr)
  const review = store.addReview(pr, author, body, event === undefined ? 'PENDING' : EVENTS[event]!, commitId)
  for (const { where, body: text } of placed) store.addComment(pr, review.id, author, text, where, commitId)
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
      validationFailed(route, 'PullRequestReviewComment', 'body', { code: 'missing_field' }, COMMENTS_DOC)
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
    return validationFailed(route, 'PullRequestReviewComment', 'body', { code: 'missing_field' }, doc)
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
