import escapeStringRegexp from 'escape-string-regexp'
import type { IssueCommentEvent, PullRequestReviewCommentEvent } from '@octokit/webhooks-types'

/** A comment that asks the agent something, and where it was asked. */
export interface CommentRequest {
  /** `issue`: a comment on the PR's conversation; `review`: a comment on a diff line. */
  kind: 'issue' | 'review'
  commentId: number
  /** Review comment: the thread's first comment, which replies go under (GitHub takes no reply to a reply). */
  threadCommentId?: number
  author: string
  /** The comment's text without the trigger phrase. */
  text: string
  /** Where a review comment sits: its file, lines and the diff hunk it was written under. */
  path?: string
  line?: number
  startLine?: number
  diffHunk?: string
}

export type CommentGate = { request: CommentRequest } | { skip: string }

/**
 * The request of a comment event, or why it starts nothing: only a newly created comment that
 * holds the trigger phrase asks for a turn. Undefined for events that are not comments.
 */
export function readCommentRequest(
  eventName: string,
  payload: Record<string, unknown>,
  phrase: string
): CommentGate | undefined {
  const kind =
    eventName === 'issue_comment' ? 'issue' : eventName === 'pull_request_review_comment' ? 'review' : undefined
  const event = payload as Partial<IssueCommentEvent> | Partial<PullRequestReviewCommentEvent>
  const comment = event.comment
  if (!kind || !comment) return undefined
  if (kind === 'issue' && !(event as Partial<IssueCommentEvent>).issue?.pull_request)
    return { skip: 'the comment is on an issue, not on a pull request' }
  if (event.action !== 'created')
    return { skip: `the comment was ${String(event.action)}, and only a new comment starts a turn` }
  const body = comment.body ?? ''
  const mention = phrasePattern(phrase)
  if (!mention.test(body)) return { skip: `the comment does not mention ${phrase}` }
  const onDiff = kind === 'review' ? (comment as PullRequestReviewCommentEvent['comment']) : undefined
  return {
    request: {
      kind,
      commentId: comment.id,
      author: comment.user?.login ?? '',
      // "@codex, why?" asks "why?"
      text: body
        .replace(phrasePattern(phrase, 'g'), ' ')
        .replace(/[ \t]+/g, ' ')
        .replace(/^[\s,:;]+/, '')
        .trim(),
      ...(onDiff && {
        threadCommentId: onDiff.in_reply_to_id ?? onDiff.id,
        path: onDiff.path,
        line: onDiff.line ?? onDiff.original_line ?? undefined,
        startLine: onDiff.start_line ?? undefined,
        diffHunk: onDiff.diff_hunk
      })
    }
  }
}

/** The phrase as a word of its own, in any case: `@codex` matches "@Codex, why?" but not "@codexbot". */
function phrasePattern(phrase: string, flags = ''): RegExp {
  return new RegExp(`(?<![\\w@/-])${escapeStringRegexp(phrase)}(?![\\w-])`, `i${flags}`)
}
