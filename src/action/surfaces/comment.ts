import { GITHUB_BODY_LIMIT } from '../core/constants.js'
import { commentMarker, PROOF_ROOM } from '../core/markers.js'
import type { Transcript, TranscriptTurn } from '../thread/transcript.js'
import type { TurnReport, TurnStatus } from '../core/report.js'
import {
  answerMarkdown,
  commandsTable,
  details,
  headline,
  outcomeNotice,
  planList,
  provenance,
  rawJson,
  recordedAnswer,
  STATUS,
  turnAndThreadUsage
} from './format.js'
import { codeSpan, plainText } from './markdown.js'
import { answerLink, reviewAnswer } from './findings.js'
import { walkthroughMarkdown, withoutWalkthrough } from './walkthrough.js'

export interface CommentParts {
  key: string
  report: TurnReport
  /** The thread's turns, this one first, newest first: the earlier ones are shown below it. */
  history?: Transcript
  /** The transcript to keep in the comment's hidden marker, encoded; always the body's last line. */
  encodedTranscript?: string
  /**
   * Input `walkthrough`: a turn without a walkthrough of its own opens with the one the thread's
   * last review recorded (`history.review`), as of the commit it reviewed.
   */
  walkthrough?: boolean
}

/**
 * A part of the comment, in order: its Markdown, or undefined to leave it out. `optional` parts
 * are dropped first when the comment would be too long.
 */
interface Section {
  optional?: boolean
  render(parts: CommentParts, answerLimit: number): string | undefined
}

const sections: Section[] = [
  { render: ({ report }) => `### 🤖 Codex · ${[headline(report), ...provenance(report)].join(' · ')}` },
  { render: ({ report }) => outcomeNotice(report) },
  { render: ({ report }) => (report.status === 'running' ? nowDoing(report) : undefined) },
  // below a walkthrough, the turn's own answer would read as the walkthrough's last paragraph: it gets a heading
  {
    render: (parts) => {
      const glance = walkthrough(parts)
      return glance && `${glance}\n\n${parts.report.review ? '#### 🔎 Review' : '#### 💬 This turn'}`
    }
  },
  { render: ({ report }, limit) => reviewAnswer(report) ?? answer(report, limit) },
  { render: ({ report }) => answerLink(report) },
  { render: ({ report }) => plan(report) },
  { optional: true, render: ({ report }) => commands(report) },
  { optional: true, render: ({ report }) => files(report) },
  {
    optional: true,
    render: ({ report }) => (report.structuredOutput === undefined ? undefined : rawJson(report.structuredOutput))
  },
  { optional: true, render: ({ history }) => earlierTurns(history) },
  { render: ({ report }) => footer(report) }
]

/**
 * The sticky comment's body, never longer than GitHub allows: our key marker first, the encoded
 * transcript (when given) as the very last line, nothing the agent wrote able to look like either.
 */
export function renderComment(parts: CommentParts): string {
  // the key marker's proof is added when the body is written
  const limit = GITHUB_BODY_LIMIT - PROOF_ROOM
  const compose = (kept: Section[], answerLimit: number): string =>
    [
      commentMarker(parts.key),
      ...kept
        .flatMap((section) => section.render(parts, answerLimit) ?? [])
        .join('\n\n')
        .split('\n'),
      ...(parts.encodedTranscript ? [parts.encodedTranscript] : [])
    ].join('\n')
  const full = compose(sections, Infinity)
  if (full.length <= limit) return full

  // Too long: drop the details and the history first, then cut the response itself.
  const essential = sections.filter((section) => !section.optional)
  for (let answerLimit = GITHUB_BODY_LIMIT; ; answerLimit = Math.floor(answerLimit * 0.8)) {
    const body = compose(essential, answerLimit)
    if (body.length <= limit || answerLimit < 100) return body
  }
}

/**
 * The PR at a glance, above the review's counts and links, or the turn's answer; bounded, so it is
 * never what gets cut. This turn's review's, else the last review's from the thread's record: the
 * record is the action's, yet its walkthrough is the agent's text, rendered through the same checks.
 */
function walkthrough({ report, history, walkthrough: shown }: CommentParts): string | undefined {
  const glance = report.review?.walkthrough
  if (glance) return walkthroughMarkdown(glance, { headingLevel: 4 })
  const recorded = shown ? history?.review : undefined
  if (!recorded?.walkthrough) return undefined
  return walkthroughMarkdown(recorded.walkthrough, { headingLevel: 4, asOf: recorded.headSha })
}

function nowDoing(report: TurnReport): string {
  const { verb, subject } = report.currentStep
  return `**Now:** ${verb}${subject === undefined ? '' : ` ${codeSpan(subject)}`}`
}

function answer(report: TurnReport, limit: number): string | undefined {
  if (report.status === 'running' || report.status === 'skipped') return undefined
  const response = report.finalResponse
  if (response.length <= limit || report.structuredOutput !== undefined)
    return (
      answerMarkdown(response, report.structuredOutput) ??
      (report.status === 'success' ? '_The agent gave no response._' : undefined)
    )
  return `${answerMarkdown(response.slice(0, limit), undefined)}\n\n… _cut to fit a GitHub comment: the full response is in the [workflow run](${report.runUrl})._`
}

/** The plan, in view while the turn runs and folded once it ended, however it ended. */
function plan(report: TurnReport): string | undefined {
  const todo = report.todoList
  if (!todo?.items.length) return undefined
  const running = report.status === 'running'
  const list = planList(todo, running)
  const done = todo.items.filter((entry) => entry.completed).length
  return running ? `**Plan**\n\n${list}` : details(`Plan (${done}/${todo.items.length} done)`, list)
}

function commands(report: TurnReport): string | undefined {
  const list = report.commands
  if (!list.length) return undefined
  const table = commandsTable(list)
  return report.status === 'running' ? table : details(`Commands (${list.length})`, table)
}

function files(report: TurnReport): string | undefined {
  const changed = report.changedFiles
  if (!changed.length) return undefined
  return details(`Files changed (${changed.length})`, changed.map((file) => `- ${codeSpan(file)}`).join('\n'))
}

function earlierTurns(history: Transcript | undefined): string | undefined {
  const earlier = history?.turns.slice(1) ?? []
  if (!earlier.length) return undefined
  return details(`Earlier turns in this thread (${earlier.length})`, earlier.map(earlierTurn).join('\n\n'))
}

/** One earlier turn, folded, its Markdown kept: when, how it ended, what was asked and answered. */
function earlierTurn(turn: TranscriptTurn): string {
  const known = turn.conclusion in STATUS ? STATUS[turn.conclusion as TurnStatus].headline : turn.conclusion
  const when = turn.at.slice(0, 16).replace('T', ' ')
  const body = [
    `**Asked:** ${plainText(turn.prompt, 300)} · [workflow run](${turn.runUrl})`,
    ...(turn.error ? [`**Why it ended:** ${plainText(turn.error, 300)}`] : []),
    // the walkthrough shown is this run's, of the PR as it is now
    recordedAnswer(withoutWalkthrough(turn.response)) ?? '_No response._'
  ].join('\n\n')
  return details(`${known} · ${when} UTC · ${turn.prompt}`, body)
}

function footer(report: TurnReport): string {
  const parts = [
    report.status === 'running' ? undefined : turnAndThreadUsage(report),
    report.threadId ? `thread ${codeSpan(shortId(report.threadId))}${report.resumed ? ' (resumed)' : ''}` : undefined,
    `[workflow run](${report.runUrl})`
  ]
  return `<sub>${parts.filter(Boolean).join(' · ')}</sub>`
}

/**
 * A thread id short enough to read: codex's ids are UUIDv7, whose first digits are a timestamp
 * shared by threads started near each other, so the random end tells them apart.
 */
function shortId(threadId: string): string {
  return threadId.length > 12 ? `…${threadId.slice(-8)}` : threadId
}
