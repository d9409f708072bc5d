import type { Dismissal, ReviewPause, ReviewState } from '../core/findings.js'
import type { KindPublished, TurnKind } from '../core/kind.js'
import type { MarkerProof } from '../core/markers.js'
import type { TurnReport } from '../core/report.js'
import type { GitHubApi } from '../github/api.js'
import { conversationKind, postReply, type ConversationKindOptions } from './conversation/kind.js'
import type { CommentRequest } from './conversation/request.js'
import { threadFinding } from './review/posted.js'

/** What a comment's request can be besides a question: the words it starts with, in any case. */
export type Command =
  | { name: 'review' | 'full review' | 'pause' | 'resume' | 'help' | 'ci' }
  | { name: 'dismiss'; reason?: string }
  /** `words`: what to change; none in a finding's thread: fix that finding. */
  | { name: 'fix'; words?: string }

const COMMAND_PATTERN = /^(full\s+review|review|pause|resume|dismiss|help|ci|fix)(?![\w-])[\s:,.!]*([\s\S]*)$/i

/** The command a request starts with; undefined: the request is a question for the agent. */
export function parseCommand(text: string): Command | undefined {
  const match = COMMAND_PATTERN.exec(text.trim())
  if (!match) return undefined
  const name = match[1]!.toLowerCase().replace(/\s+/, ' ') as Command['name']
  if (name === 'fix') {
    const words = match[2]!.trim()
    return words ? { name, words } : { name }
  }
  if (name !== 'dismiss') return { name }
  const reason = match[2]!.trim().replace(/\s+/g, ' ').slice(0, 300)
  return reason ? { name, reason } : { name }
}

/** The help command's answer: the commands, and the inputs that shape reviews. */
export function helpText(phrase: string): string {
  return [
    'Commands (write them after the trigger phrase, in any case):',
    '',
    `- \`${phrase} review\`: review the pull request now, the changes since the last reviewed commit.`,
    `- \`${phrase} full review\`: review the whole pull request again; findings already posted are not repeated.`,
    `- \`${phrase} pause\` / \`${phrase} resume\`: stop or restart the automatic reviews of this pull request.`,
    `- \`${phrase} dismiss [reason]\`, in a finding's review thread: the finding is never posted again on this pull request.`,
    `- \`${phrase} ci\`: read the logs of the failed CI of the pull request's head commit and say why it failed.`,
    `- \`${phrase} fix\`, in a finding's review thread: fix that finding; \`${phrase} fix <what>\`: make that change (when the workflow's \`fix\` input allows it).`,
    `- \`${phrase} help\`: this list.`,
    '',
    'A finding is dismissed as well when someone resolves its thread, or someone with write access reacts 👎 to it.',
    'The workflow shapes reviews with the inputs `min-severity`, `max-comments` and `ignore-paths`.'
  ].join('\n')
}

export interface CommandKindOptions extends ConversationKindOptions {
  command: Exclude<Command['name'], 'review' | 'full review' | 'ci' | 'fix'>
  reason?: string
  triggerPhrase: string
  lastReview: ReviewState | undefined
  /** Tells the action's finding markers from copies: only its own findings can be dismissed. */
  proof: MarkerProof
}

/**
 * pause, resume, dismiss and help: answered by the action itself, with no model call; the answer is
 * posted as a conversation's is, and pause, resume and dismiss change the thread's record.
 */
export async function commandKind(options: CommandKindOptions): Promise<TurnKind> {
  const { request, command } = options
  const at = new Date().toISOString()
  const by = request.author
  let answer: string
  let change: Pick<KindPublished, 'pause' | 'dismissed'> = {}
  if (command === 'help') answer = helpText(options.triggerPhrase)
  else if (command === 'pause' || command === 'resume') {
    const pause: ReviewPause = { paused: command === 'pause', by, at }
    change = { pause }
    answer = pause.paused
      ? `Automatic reviews of this pull request are paused. Say \`${options.triggerPhrase} resume\` to start them again; \`${options.triggerPhrase} review\` still reviews on request.`
      : 'Automatic reviews of this pull request are running again.'
  } else {
    const dismissal = await dismissalOf(options, at)
    if (typeof dismissal === 'string') answer = dismissal
    else {
      change = { dismissed: [dismissal] }
      answer = `Dismissed: this finding is not posted again on this pull request${dismissal.reason ? ` (reason: ${dismissal.reason})` : ''}.`
    }
  }
  const base = conversationKind(options)
  return {
    ...base,
    request: `${options.triggerPhrase} ${command}`,
    answerWithoutModel: answer,
    async publish(report: TurnReport): Promise<KindPublished> {
      return { ...(await base.publish!(report)), ...change }
    }
  }
}

/** The finding whose review thread the dismiss command was written in, or why there is none. */
async function dismissalOf(options: CommandKindOptions, at: string): Promise<Dismissal | string> {
  const { api, pr, request, warn } = options
  if (request.kind !== 'review') return 'Write `dismiss` in the review thread of the finding to dismiss.'
  const id = (await threadFinding(api, pr, request, options.proof, warn))?.id
  if (!id) return 'This review thread is not one of my findings: nothing to dismiss.'
  const open = options.lastReview?.open.find((finding) => finding.id === id)
  return {
    id,
    title: open?.title ?? '',
    path: open?.path ?? request.path ?? '',
    by: request.author,
    how: 'command',
    ...(options.reason && { reason: options.reason }),
    at
  }
}

/**
 * The review and full review commands: the review as review mode posts it, with 👀 on the comment
 * and a reply linking the review.
 */
export function reviewOnRequest(
  review: TurnKind,
  api: GitHubApi,
  pr: number,
  request: CommentRequest,
  warn: (message: string) => void
): TurnKind {
  return {
    ...review,
    async started() {
      await review.started?.()
      await api.react(request.kind, request.commentId, 'eyes').catch((error: Error) => {
        warn(`Could not react to the comment: ${error.message}`)
      })
    },
    async publish(report: TurnReport): Promise<KindPublished> {
      const published = (await review.publish?.(report)) ?? {}
      const url = published.review?.url
      const body = `@${request.author} ${url ? `[Review posted](${url}).` : `The review could not be posted: the [workflow run](${report.runUrl}) has the details.`}`
      try {
        return { ...published, answerUrl: await postReply(api, pr, request, body) }
      } catch (error) {
        warn(`Could not reply to the comment: ${(error as Error).message}`)
        return published
      }
    }
  }
}
