import { clip, lineRange } from '../../../shared/text.js'
import type { GitHubApi } from '../../github/api.js'
import type { KindPublished, TurnKind } from '../../core/kind.js'
import { untrusted, withoutBlockTags } from '../../core/prompt.js'
import type { TurnReport } from '../../core/report.js'
import type { CommentRequest } from './request.js'

export interface ConversationKindOptions {
  api: GitHubApi
  pr: number
  request: CommentRequest
  /** The prompt input: standing instructions for every answer. */
  standingInstructions: string
  safe: (markdown: string) => string
  warn: (message: string) => void
}

/** How much of the question the answer quotes, so the asker sees what is answered. */
const QUOTE_LIMIT = 300

/**
 * An answer to a comment that mentioned the trigger phrase, posted where the question was asked:
 * a new PR comment that mentions the asker, or a reply in the review thread.
 */
export function conversationKind(options: ConversationKindOptions): TurnKind {
  const { api, pr, request, safe, warn } = options
  // where the comment sits (file, lines, hunk) is PR text: it goes only in the data block
  const where =
    request.kind === 'review' ? 'in a review comment on a line of the diff' : 'in a comment on the pull request'
  const instructions = [
    `@${request.author} asked you ${where}. Answer them: their request follows.`,
    ...(request.kind === 'review'
      ? [
          'The commented file, its lines and the diff hunk above the comment are given in the context below;',
          '"this" or "here" means that code.'
        ]
      : []),
    'Your final message is posted as the answer, in Markdown.',
    ...(options.standingInstructions.trim() ? ['', 'Standing instructions:', options.standingInstructions.trim()] : []),
    '',
    `Request from @${request.author}:`,
    withoutBlockTags(request.text) || '(no text besides the mention)'
  ].join('\n')
  return {
    request: request.text,
    instructions,
    facts: commentedCodeFacts(request),
    async started() {
      await api.react(request.kind, request.commentId, 'eyes').catch((error: Error) => {
        warn(`Could not react to the comment: ${error.message}`)
      })
    },
    async publish(report: TurnReport): Promise<KindPublished> {
      const body = answerBody(report, request, safe)
      try {
        return { answerUrl: await postReply(api, pr, request, body) }
      } catch (error) {
        warn(`Could not post the answer: ${(error as Error).message}`)
        return {}
      }
    }
  }
}

/** Where a review comment sits (its file, lines and the diff hunk above it), for the data block; none for a PR comment. */
export function commentedCodeFacts(request: CommentRequest): string[] {
  if (request.kind !== 'review') return []
  return [
    ...(request.path ? [untrusted('Commented file', request.path)] : []),
    ...(request.line ? [untrusted('Commented lines', lineRange(request.line, request.startLine))] : []),
    ...(request.diffHunk ? [untrusted('Diff hunk above the comment', request.diffHunk)] : [])
  ]
}

/** Posts `body` where `request` was asked: a PR comment, or a reply in its review thread; returns its URL. */
export async function postReply(api: GitHubApi, pr: number, request: CommentRequest, body: string): Promise<string> {
  const reply =
    request.kind === 'review'
      ? await api.replyToReviewComment(pr, request.threadCommentId ?? request.commentId, body)
      : await api.createComment(pr, body)
  return reply.url
}

function answerBody(report: TurnReport, request: CommentRequest, safe: (markdown: string) => string): string {
  const mention = `@${request.author}`
  const head =
    request.kind === 'issue' ? [`${mention} asked:`, '', quote(safe(clip(request.text, QUOTE_LIMIT)))] : [mention]
  const answer =
    report.status === 'success'
      ? safe(report.finalResponse) || '_The agent gave no answer._'
      : `_The turn ${report.status.replace('_', ' ')}${report.error ? `: ${safe(report.error.split('\n')[0] ?? '')}` : ''}. The [workflow run](${report.runUrl}) has the details._`
  return [...head, '', answer].join('\n')
}

function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n')
}
