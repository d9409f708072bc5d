import { isPlainObject } from '../../../shared/checks.js'

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
  const comment = payload.comment
  if (!kind || !isPlainObject(comment)) return undefined
  if (kind === 'issue' && !(isPlainObject(payload.issue) && payload.issue.pull_request))
    return { skip: 'the comment is on an issue, not on a pull request' }
  if (payload.action !== 'created')
    return { skip: `the comment was ${String(payload.action)}, and only a new comment starts a turn` }
  const body = typeof comment.body === 'string' ? comment.body : ''
  const mention = phrasePattern(phrase)
  if (!mention.test(body)) return { skip: `the comment does not mention ${phrase}` }
  const user = isPlainObject(comment.user) ? comment.user : {}
  const number = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined)
  return {
    request: {
      kind,
      commentId: number(comment.id) ?? 0,
      author: typeof user.login === 'string' ? user.login : '',
      // "@codex, why?" asks "why?"
      text: body
        .replace(phrasePattern(phrase, 'g'), ' ')
        .replace(/[ \t]+/g, ' ')
        .replace(/^[\s,:;]+/, '')
        .trim(),
      ...(kind === 'review' && {
        threadCommentId: number(comment.in_reply_to_id) ?? number(comment.id),
        path: typeof comment.path === 'string' ? comment.path : undefined,
        line: number(comment.line) ?? number(comment.original_line),
        startLine: number(comment.start_line) ?? undefined,
        diffHunk: typeof comment.diff_hunk === 'string' ? comment.diff_hunk : undefined
      })
    }
  }
}

/** The phrase as a word of its own, in any case: `@codex` matches "@Codex, why?" but not "@codexbot". */
function phrasePattern(phrase: string, flags = ''): RegExp {
  const escaped = phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`(?<![\\w@/-])${escaped}(?![\\w-])`, `i${flags}`)
}
