import { GITHUB_BODY_LIMIT } from '../../core/constants.js'
import type { GitHubApi } from '../../github/api.js'
import { httpStatusOf } from '../../github/octokit.js'
import type { ReviewDraft } from '../../github/reviews.js'
import { codeBlock, codeSpan, exactBlock } from '../../surfaces/markdown.js'
import type { ReviewState } from '../../core/findings.js'
import type { DiffMap } from './diff.js'
import { onDiff } from './diff.js'
import {
  countBySeverity,
  findingIds,
  type Finding,
  type ReviewOutcome,
  type ReviewResponse
} from '../../core/findings.js'
import { SEVERITY_ICONS } from '../../surfaces/findings.js'
import type { Severity } from '../../core/constants.js'
import { severityRank } from '../../core/findings.js'
import type { ReviewPlan } from './plan.js'
import { findingMarker, PROOF_ROOM, proveMarkers, type MarkerProof } from '../../core/markers.js'
import type { PostedFinding } from './posted.js'
import { clip, lineRange } from '../../../shared/text.js'

export interface PostReviewOptions {
  api: GitHubApi
  pr: number
  plan: ReviewPlan
  response: ReviewResponse
  diff: DiffMap
  posted: Map<string, PostedFinding>
  /** Proves the finding markers of the review's body and comments as the action's own. */
  proof: MarkerProof
  /** The noise dial: what is left out, and what is posted inline. */
  dial: { ignores: (path: string) => boolean; minSeverity: Severity; maxComments: number }
  /** Makes the agent's text safe to show: no HTML comment, no mention, no remote image. */
  safe: (markdown: string) => string
  warn: (message: string) => void
}

/**
 * Posts one review with event COMMENT: new findings on the diff lines as inline comments (with a
 * suggestion when given), the rest in the body, none posted twice; findings the body has no room
 * for follow in more reviews. Then resolves the threads of the findings the agent reported fixed.
 */
export async function postReview(options: PostReviewOptions): Promise<ReviewOutcome> {
  const { api, pr, plan, response, diff, posted, proof, safe, warn } = options
  const findings = response.findings
  const ids = new Map(findingIds(findings).map((id, index) => [findings[index]!, id]))
  const idOf = (finding: Finding): string => ids.get(finding)!
  const { ignores, minSeverity, maxComments } = options.dial
  const ignored = findings.filter((finding) => ignores(finding.path))
  const dismissedIds = new Set(plan.dismissed.map((entry) => entry.id))
  const dismissed = findings.filter((finding) => !ignores(finding.path) && dismissedIds.has(idOf(finding)))
  const reviewed = findings.filter((finding) => !ignored.includes(finding) && !dismissed.includes(finding))
  const fresh = reviewed.filter((finding) => !posted.has(idOf(finding)))
  const repeated = reviewed.filter((finding) => posted.has(idOf(finding)))
  const loud = fresh.filter((finding) => severityRank(finding.severity) <= severityRank(minSeverity))
  const worstFirst = loud
    .filter((finding) => onDiff(diff, finding.path, finding.line, finding.start_line))
    .sort((a, b) => severityRank(a.severity) - severityRank(b.severity))
  const inline = worstFirst.slice(0, maxComments)
  const quiet = [...worstFirst.slice(maxComments), ...fresh.filter((finding) => !loud.includes(finding))]
  const offDiff = loud.filter((finding) => !worstFirst.includes(finding))
  const dialNote = `below ${minSeverity} (min-severity) or past ${maxComments} inline comments (max-comments)`
  const scope = scopeOf(plan)
  const resolvable = new Map(plan.open.map((finding) => [finding.id, finding]))
  const resolvedIds = [...new Set(response.resolved)].filter((id) => resolvable.has(id))
  const cutSuggestions = new Set<Finding>()
  const fitted = (finding: Finding, layout: Layout, fence: (suggestion: string) => string): string => {
    const { text, suggestionCut } = fitFinding(finding, safe, layout, fence)
    if (suggestionCut) cutSuggestions.add(finding)
    return text
  }

  const block = (finding: Finding): FindingBlock =>
    quiet.includes(finding)
      ? {
          finding,
          id: idOf(finding),
          quiet: true,
          text: `- ${heading(finding, safe)} at ${codeSpan(whereOf(finding))}`
        }
      : { finding, id: idOf(finding), quiet: false, text: fitted(finding, ...listed) }
  const draft = async (
    onLines: Finding[],
    offLines: Finding[]
  ): Promise<{ draft: ReviewDraft; left: FindingBlock[] }> => {
    const body = reviewBody({
      summary: response.summary,
      scope,
      onLines,
      blocks: [...offLines.map(block), ...quiet.map(block)],
      dialNote,
      repeated,
      dismissed,
      resolvedIds,
      plan,
      safe
    })
    return {
      left: body.left,
      draft: {
        commitId: plan.headSha,
        body: await proveMarkers(body.text, proof),
        comments: await Promise.all(
          onLines.map(async (finding) => ({
            path: finding.path,
            line: finding.line,
            ...(finding.start_line !== null && finding.start_line < finding.line
              ? { start_line: finding.start_line, start_side: 'RIGHT' as const }
              : {}),
            side: 'RIGHT' as const,
            body: await proveMarkers(
              `${fitted(finding, inlineLayout, (suggestion) => exactBlock(suggestion, 'suggestion'))}\n${findingMarker([idOf(finding)])}`,
              proof
            )
          }))
        )
      }
    }
  }
  let review
  let first = await draft(inline, offDiff)
  try {
    review = await api.createReview(pr, first.draft)
  } catch (error) {
    // the diff moved under us (a push during the turn): nothing is lost, every finding goes in the body
    if (httpStatusOf(error) !== 422 || !inline.length) throw error
    warn(`GitHub refused the review's inline comments (${(error as Error).message}): posting every finding in its body`)
    first = await draft([], [...inline, ...offDiff])
    review = await api.createReview(pr, first.draft)
    offDiff.unshift(...inline.splice(0))
  }
  const inBody = offDiff.filter((finding) => !first.left.some((left) => left.finding === finding))
  const { inFollowUp, unposted } = await postFollowUps(options, scope, dialNote, first.left)

  const threadsResolved = await resolveThreads(api, resolvedIds, posted, plan.headSha, warn)
  const resolved = resolvedIds.map((id) => ({
    id,
    title: resolvable.get(id)!.title,
    threadResolved: threadsResolved.has(id)
  }))
  return {
    url: review.url,
    summary: response.summary,
    findings,
    inline,
    inBody,
    inFollowUp,
    unposted,
    cutSuggestions: findings.filter((finding) => cutSuggestions.has(finding)),
    repeated,
    quiet,
    ignored,
    dismissed,
    resolved,
    scope
  }
}

/**
 * The findings the review's body had no room for, in as few more reviews as hold them. A finding
 * is marked posted only in the body that shows it; those a failed follow-up would have held are
 * left unmarked, for a later review to post.
 */
async function postFollowUps(
  options: PostReviewOptions,
  scope: string,
  dialNote: string,
  left: FindingBlock[]
): Promise<{ inFollowUp: Finding[]; unposted: Finding[] }> {
  const inFollowUp: Finding[] = []
  let rest = left
  while (rest.length) {
    const head = [`### 🤖 Codex review of ${scope}, continued`]
    if (rest.some((block) => !block.quiet)) head.push('', '**Outside the diff**, continued:')
    const body = packBody(head, [], rest, dialNote)
    try {
      await options.api.createReview(options.pr, {
        commitId: options.plan.headSha,
        body: await proveMarkers(body.text, options.proof),
        comments: []
      })
    } catch (error) {
      options.warn(
        `Could not post ${rest.length} finding(s) that did not fit into the review; the next review posts them: ${(error as Error).message}`
      )
      return { inFollowUp, unposted: rest.map((entry) => entry.finding) }
    }
    inFollowUp.push(...rest.slice(0, rest.length - body.left.length).map((entry) => entry.finding))
    rest = rest.slice(rest.length - body.left.length)
  }
  return { inFollowUp, unposted: [] }
}

/** Replies "fixed" in the threads of the findings fixed and resolves them, all at once; the ids whose thread is now resolved. */
async function resolveThreads(
  api: GitHubApi,
  ids: string[],
  posted: Map<string, PostedFinding>,
  headSha: string | undefined,
  warn: (message: string) => void
): Promise<Set<string>> {
  const threads = ids.flatMap((id) => {
    const finding = posted.get(id)
    return finding?.commentId && finding.reviewThreadId && !finding.isResolved
      ? [{ id, threadId: finding.reviewThreadId }]
      : []
  })
  if (!threads.length) return new Set()
  const reply = `✅ Fixed${headSha ? ` in ${headSha}` : ''}.`
  const resolved = await api.resolveReviewThreads(
    threads.map((thread) => ({ id: thread.threadId, reply })),
    warn
  )
  return new Set(threads.filter((thread) => resolved.has(thread.threadId)).map((thread) => thread.id))
}

function heading(finding: Finding, safe: (text: string) => string): string {
  return `${SEVERITY_ICONS[finding.severity]} **${finding.severity}** · ${safe(clip(finding.title.replace(/\s+/g, ' '), TITLE_LIMIT))}`
}

/** How much of a title a heading shows: the summary's table and structured-output have all of it. */
const TITLE_LIMIT = 300

/**
 * A finding as its comment or its entry in a review body lays it out: its heading, its body (made
 * safe already), then its suggestion or the note in its place.
 */
type Layout = (heading: string, finding: Finding, body: string, suggestion: string | undefined) => string

const inlineLayout: Layout = (title, _finding, body, suggestion) =>
  [title, '', body, ...(suggestion === undefined ? [] : ['', suggestion])].join('\n')

const listLayout: Layout = (title, finding, body, suggestion) =>
  [
    `- ${title} at ${codeSpan(whereOf(finding))}`,
    '',
    indent(body),
    ...(suggestion === undefined ? [] : ['', indent(suggestion)])
  ].join('\n')

function whereOf(finding: Finding): string {
  return `${finding.path}:${lineRange(finding.line, finding.start_line)}`
}

const listed = [listLayout, (suggestion: string) => codeBlock(suggestion)] as const

/**
 * Room for one finding: a comment's limit less its marker and a review heading, so that any one
 * finding fits into a review of its own.
 */
const FINDING_ROOM = GITHUB_BODY_LIMIT - 4_000

/**
 * A finding's text within FINDING_ROOM. A suggestion that does not fit is left out whole, never cut
 * (a cut suggestion is a wrong change anyone can commit), with a note in plain text; a body that
 * still does not fit is cut as the agent wrote it, before it is made safe, so its fences close.
 */
function fitFinding(
  finding: Finding,
  safe: (text: string) => string,
  layout: Layout,
  fence: (suggestion: string) => string
): { text: string; suggestionCut: boolean } {
  const title = heading(finding, safe)
  const whole = layout(
    title,
    finding,
    safe(finding.body),
    finding.suggestion === null ? undefined : fence(finding.suggestion)
  )
  if (whole.length <= FINDING_ROOM) return { text: whole, suggestionCut: false }
  const note =
    finding.suggestion === null
      ? undefined
      : `_The suggested change (${finding.suggestion.split('\n').length} lines) is too long for a comment: the run's \`structured-output\` and job summary have it._`
  for (let limit = finding.body.length; ; limit = Math.floor(limit * 0.8)) {
    const body =
      limit < finding.body.length
        ? `${safe(finding.body.slice(0, limit))}\n\n… _cut to fit GitHub's limit_`
        : safe(finding.body)
    const text = layout(title, finding, body, note)
    if (text.length <= FINDING_ROOM || limit === 0) return { text, suggestionCut: finding.suggestion !== null }
  }
}

interface FindingBlock {
  finding: Finding
  id: string
  /** Below the noise dial: listed by its heading only, folded away. */
  quiet: boolean
  text: string
}

/**
 * A review body of `head`, as many findings as fit after it in order (the quiet ones folded under
 * `dialNote`), then `tail`, with the marker of exactly the findings it shows as its last line;
 * `left` are the findings it had no room for.
 */
function packBody(
  head: string[],
  tail: string[],
  blocks: FindingBlock[],
  dialNote: string
): { text: string; left: FindingBlock[] } {
  // the wrapper's room is kept for every quiet finding's count: the shown count has no more digits
  const fold = (count: number, items: string[]): string[] =>
    count
      ? ['', '<details>', `<summary>${count} more finding(s), ${dialNote}</summary>`, '', ...items, '', '</details>']
      : []
  const room =
    GITHUB_BODY_LIMIT -
    findingMarker(blocks.map((block) => block.id)).length -
    PROOF_ROOM -
    fold(blocks.filter((block) => block.quiet).length, []).join('\n').length -
    1
  let length = [...head, ...tail].join('\n').length + 2
  const shown: FindingBlock[] = []
  for (const block of blocks) {
    if (length + block.text.length + 2 > room) break
    length += block.text.length + 2
    shown.push(block)
  }
  const quiet = shown.filter((block) => block.quiet)
  const lines = [
    ...head,
    ...shown.filter((block) => !block.quiet).flatMap((block) => ['', block.text]),
    ...fold(
      quiet.length,
      quiet.map((block) => block.text)
    ),
    ...tail
  ]
  if (shown.length) lines.push(findingMarker(shown.map((block) => block.id)))
  return { text: lines.join('\n'), left: blocks.slice(shown.length) }
}

/** How much of the agent's summary a review shows: the comment and the job summary have all of it. */
const SUMMARY_LIMIT = 20_000

function reviewBody(parts: {
  summary: string
  scope: string
  onLines: Finding[]
  /** The findings the body lists: those outside the diff first, then the quiet ones. */
  blocks: FindingBlock[]
  dialNote: string
  repeated: Finding[]
  dismissed: Finding[]
  resolvedIds: string[]
  plan: ReviewPlan
  safe: (text: string) => string
}): { text: string; left: FindingBlock[] } {
  const { onLines, blocks, dialNote, repeated, dismissed, resolvedIds, plan, safe } = parts
  const summary =
    parts.summary.length > SUMMARY_LIMIT
      ? `${safe(parts.summary.slice(0, SUMMARY_LIMIT))}\n\n… _cut to fit GitHub's limit_`
      : safe(parts.summary)
  const fresh = [...onLines, ...blocks.map((block) => block.finding)]
  const offLines = blocks.filter((block) => !block.quiet).map((block) => block.finding)
  const head = [
    `### 🤖 Codex review of ${parts.scope}`,
    '',
    summary,
    '',
    fresh.length
      ? `**New findings:** ${countBySeverity(fresh)}${onLines.length ? ` (${onLines.length} on the diff lines)` : ''}`
      : '**No new findings.**'
  ]
  if (offLines.length) head.push('', `**Outside the diff** (${countBySeverity(offLines)}):`)
  const tail: string[] = []
  if (repeated.length)
    tail.push('', `_${repeated.length} finding(s) already posted in an earlier review are not repeated._`)
  if (dismissed.length)
    tail.push('', `_${dismissed.length} finding(s) the team dismissed on this pull request are not posted again._`)
  if (resolvedIds.length) {
    const titles = resolvedIds.map((id) => plan.open.find((finding) => finding.id === id)?.title ?? id)
    tail.push(
      '',
      `**Fixed since the last review:** ${titles.map((title) => safe(clip(title, TITLE_LIMIT))).join('; ')}`
    )
  }
  const body = packBody(head, tail, blocks, dialNote)
  if (!body.left.length) return body
  // the rest follow in reviews of their own: say so where they would have been
  return packBody(head, ['', '_More findings follow in reviews of their own._', ...tail], blocks, dialNote)
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line ? `  ${line}` : line))
    .join('\n')
}

/** The outcome of a review that could not be posted: its findings are still shown and output. */
export function unposted(response: ReviewResponse, plan: ReviewPlan): ReviewOutcome {
  return {
    summary: response.summary,
    findings: response.findings,
    inline: [],
    inBody: [],
    inFollowUp: [],
    unposted: response.findings,
    cutSuggestions: [],
    repeated: [],
    quiet: [],
    ignored: [],
    dismissed: [],
    resolved: [],
    scope: scopeOf(plan)
  }
}

function scopeOf(plan: ReviewPlan): string {
  return plan.since
    ? `changes since ${plan.since.slice(0, 7)}`
    : `the whole pull request${plan.fullReason ? ` (${plan.fullReason})` : ''}`
}

/** The review state the next run starts from: the open findings after this one, and its walkthrough. */
export function nextReviewState(
  plan: ReviewPlan,
  outcome: ReviewOutcome | undefined,
  at: string
): ReviewState | undefined {
  if (!plan.headSha) return undefined
  const resolved = new Set(outcome?.resolved.map((entry) => entry.id) ?? [])
  // a fix's claim is checked by this review: what is still open stays open without it
  const open = new Map(
    plan.open
      .filter((finding) => !resolved.has(finding.id))
      .map(({ fixClaimedIn: _checked, ...finding }) => [finding.id, finding])
  )
  const findings = outcome?.findings ?? []
  const ids = findingIds(findings)
  const left = new Set([...(outcome?.ignored ?? []), ...(outcome?.dismissed ?? [])])
  findings.forEach((finding, index) => {
    if (left.has(finding)) return
    // a finding not posted is not open on the PR: a later review reports it again and posts it
    if (outcome?.unposted.includes(finding)) return
    open.set(ids[index]!, {
      id: ids[index]!,
      path: finding.path,
      line: finding.line,
      severity: finding.severity,
      title: finding.title
    })
  })
  const retry = outcome?.unposted.length ? { retry: true } : {}
  const walkthrough = outcome?.walkthrough ? { walkthrough: outcome.walkthrough } : {}
  return { headSha: plan.headSha, at, open: [...open.values()], ...retry, ...walkthrough }
}
