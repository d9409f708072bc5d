import escapeStringRegexp from 'escape-string-regexp'
import type { IssueCommentEvent, PullRequestReviewCommentEvent } from '@octokit/webhooks-types'
import { fromMarkdown } from 'mdast-util-from-markdown'
import { gfmFromMarkdown } from 'mdast-util-gfm'
import { gfm } from 'micromark-extension-gfm'
import { SKIP, visit } from 'unist-util-visit'

/** A comment that asks the agent something, and where it was asked. */
export interface CommentRequest {
  /** `issue`: a comment on the PR's conversation; `review`: a comment on a diff line. */
  kind: 'issue' | 'review'
  commentId: number
  /** Review comment: the thread's first comment, which replies go under (GitHub takes no reply to a reply). */
  threadCommentId?: number
  author: string
  /** The comment's text without the trigger phrase, what it quotes marked as quoted. */
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
  const own = commenterRequest(comment.body ?? '', phrase, comment.user?.login ?? '')
  if (!own) return { skip: `the comment does not mention ${phrase} in its own words` }
  const onDiff = kind === 'review' ? (comment as PullRequestReviewCommentEvent['comment']) : undefined
  return {
    request: {
      kind,
      commentId: comment.id,
      author: comment.user?.login ?? '',
      text: own,
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

/**
 * What a comment asks in its author's own words, or undefined when they do not use the phrase:
 * the phrase counts only in the text the page shows as theirs, not in a quote (someone else's
 * words, say from a "Quote reply"), code, or an HTML comment nobody sees. The request is the
 * comment without the phrase; each quote in it is kept, every line marked `>`, under a line saying
 * that the author quoted it, so the quoted words never pass for the author's.
 */
function commenterRequest(body: string, phrase: string, author: string): string | undefined {
  const tree = fromMarkdown(body, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] })
  const mentions: Array<{ start: number; end: number }> = []
  const quotes: Array<{ first: number; last: number }> = []
  visit(tree, (node) => {
    if (node.type === 'blockquote') {
      quotes.push({ first: node.position!.start.line - 1, last: node.position!.end.line - 1 })
      return SKIP
    }
    if (node.type === 'text' && phrasePattern(phrase).test(node.value))
      mentions.push({ start: node.position!.start.offset!, end: node.position!.end.offset! })
  })
  if (!mentions.length) return undefined
  // "@codex, why?" asks "why?"
  let text = body
  for (const { start, end } of mentions.reverse()) {
    const own = text
      .slice(start, end)
      .replace(phraseWith(`${escapeStringRegexp(phrase)}(?:[ \\t]*[,:;])?`, 'g'), ' ')
      .replace(/[ \t]{2,}/g, ' ')
      .replace(/^[ \t]+/, '')
    text = `${text.slice(0, start)}${own}${text.slice(end)}`
  }
  const lines = text.split('\n')
  for (const { first, last } of quotes.reverse())
    lines.splice(
      first,
      last - first + 1,
      `[@${author} quoted the text below; it is not their request]`,
      ...lines.slice(first, last + 1).map((line) => (/^\s*>/.test(line) ? line : `> ${line}`))
    )
  return lines
    .join('\n')
    .replace(/^[\s,:;]+/, '')
    .trim()
}

/** The phrase as a word of its own, in any case: `@codex` matches "@Codex, why?" but not "@codexbot". */
function phrasePattern(phrase: string, flags = ''): RegExp {
  return phraseWith(escapeStringRegexp(phrase), flags)
}

/** The phrase's pattern, as a word of its own, with what may follow it (a comma, say) as `source` has it. */
function phraseWith(source: string, flags: string): RegExp {
  return new RegExp(`(?<![\\w@/-])${source}(?![\\w-])`, `i${flags}`)
}
