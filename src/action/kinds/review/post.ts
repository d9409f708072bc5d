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
  findingId,
  type Finding,
  type ReviewOutcome,
  type ReviewResponse
} from '../../core/findings.js'
import { SEVERITY_ICONS } from '../../surfaces/findings.js'
import type { ReviewPlan } from './plan.js'
import { findingMarker, PROOF_ROOM, proveMarkers, type MarkerProof } from '../../core/markers.js'
import type { PostedFinding } from './posted.js'
import { lineRange } from '../../../shared/text.js'

export interface PostReviewOptions {
  api: GitHubApi
  pr: number
  plan: ReviewPlan
  response: ReviewResponse
  diff: DiffMap
  posted: Map<string, PostedFinding>
  /** Proves the finding markers of the review's body and comments as the action's own. */
  proof: MarkerProof
  /** Makes the agent's text safe to show: no HTML comment, no mention, no remote image. */
  safe: (markdown: string) => string
  warn: (message: string) => void
}

/**
 * Posts one review with event COMMENT: new findings on the diff lines as inline comments (with a
 * suggestion when given), the rest in the body, none posted twice; then resolves the threads of
 * the findings the agent reported fixed.
 */
export async function postReview(options: PostReviewOptions): Promise<ReviewOutcome> {
  const { api, pr, plan, response, diff, posted, proof, safe, warn } = options
  const findings = response.findings
  const fresh = findings.filter((finding) => !posted.has(findingId(finding)))
  const repeated = findings.filter((finding) => posted.has(findingId(finding)))
  const inline = fresh.filter((finding) => onDiff(diff, finding.path, finding.line, finding.start_line))
  const inBody = fresh.filter((finding) => !inline.includes(finding))
  const scope = scopeOf(plan)
  const resolvable = new Map(plan.open.map((finding) => [finding.id, finding]))
  const resolvedIds = [...new Set(response.resolved)].filter((id) => resolvable.has(id))

  const draft = async (onLines: Finding[], offLines: Finding[]): Promise<ReviewDraft> => ({
    commitId: plan.headSha,
    body: await proveMarkers(
      reviewBody({ summary: safe(response.summary), scope, onLines, offLines, repeated, resolvedIds, plan, safe }),
      proof
    ),
    comments: await Promise.all(
      onLines.map(async (finding) => ({
        path: finding.path,
        line: finding.line,
        ...(finding.start_line !== null && finding.start_line < finding.line
          ? { start_line: finding.start_line, start_side: 'RIGHT' as const }
          : {}),
        side: 'RIGHT' as const,
        body: await proveMarkers(inlineBody(finding, safe), proof)
      }))
    )
  })
  let review
  try {
    review = await api.createReview(pr, await draft(inline, inBody))
  } catch (error) {
    // the diff moved under us (a push during the turn): nothing is lost, every finding goes in the body
    if (httpStatusOf(error) !== 422 || !inline.length) throw error
    warn(`GitHub refused the review's inline comments (${(error as Error).message}): posting every finding in its body`)
    review = await api.createReview(pr, await draft([], fresh))
    inBody.push(...inline.splice(0))
  }

  const resolved = await Promise.all(
    resolvedIds.map(async (id) => ({
      id,
      title: resolvable.get(id)!.title,
      threadResolved: await resolveThread(api, pr, posted.get(id), plan.headSha, warn)
    }))
  )
  return { url: review.url, summary: response.summary, findings, inline, inBody, repeated, resolved, scope }
}

async function resolveThread(
  api: GitHubApi,
  pr: number,
  finding: PostedFinding | undefined,
  headSha: string | undefined,
  warn: (message: string) => void
): Promise<boolean> {
  if (!finding?.commentId || !finding.reviewThreadId || finding.isResolved) return false
  try {
    await api.replyToReviewComment(pr, finding.commentId, `✅ Fixed${headSha ? ` in ${headSha}` : ''}.`)
    await api.resolveReviewThread(finding.reviewThreadId)
    return true
  } catch (error) {
    warn(
      `Could not resolve the review thread of a fixed finding (the token needs pull-requests: write): ${(error as Error).message}`
    )
    return false
  }
}

function heading(finding: Finding, safe: (text: string) => string): string {
  return `${SEVERITY_ICONS[finding.severity]} **${finding.severity}** · ${safe(finding.title.replace(/\s+/g, ' '))}`
}

function inlineBody(finding: Finding, safe: (text: string) => string): string {
  const parts = [heading(finding, safe), '', safe(finding.body)]
  if (finding.suggestion !== null) parts.push('', exactBlock(finding.suggestion, 'suggestion'))
  return fitBody([parts.join('\n')], [findingMarker([findingId(finding)])])
}

function reviewBody(parts: {
  summary: string
  scope: string
  onLines: Finding[]
  offLines: Finding[]
  repeated: Finding[]
  resolvedIds: string[]
  plan: ReviewPlan
  safe: (text: string) => string
}): string {
  const { onLines, offLines, repeated, resolvedIds, plan, safe } = parts
  const lines = [`### 🤖 Codex review of ${parts.scope}`, '', parts.summary]
  const fresh = [...onLines, ...offLines]
  lines.push(
    '',
    fresh.length
      ? `**New findings:** ${countBySeverity(fresh)}${onLines.length ? ` (${onLines.length} on the diff lines)` : ''}`
      : '**No new findings.**'
  )
  if (offLines.length) {
    lines.push('', `**Outside the diff** (${countBySeverity(offLines)}):`, '')
    for (const finding of offLines) {
      const where = `${finding.path}:${lineRange(finding.line, finding.start_line)}`
      lines.push(`- ${heading(finding, safe)} at ${codeSpan(where)}`, '', indent(safe(finding.body)))
      if (finding.suggestion !== null) lines.push('', indent(codeBlock(finding.suggestion)))
    }
  }
  if (repeated.length)
    lines.push('', `_${repeated.length} finding(s) already posted in an earlier review are not repeated._`)
  if (resolvedIds.length) {
    const titles = resolvedIds.map((id) => plan.open.find((finding) => finding.id === id)?.title ?? id)
    lines.push('', `**Fixed since the last review:** ${titles.map((title) => safe(title)).join('; ')}`)
  }
  return fitBody(
    lines,
    [findingMarker(offLines.map(findingId))].filter(() => offLines.length > 0)
  )
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line ? `  ${line}` : line))
    .join('\n')
}

/** The body within GitHub's limit, the marker kept as its last line, with room for its proof. */
function fitBody(lines: string[], marker: string[]): string {
  const tail = marker.length ? `\n${marker.join('\n')}` : ''
  const text = lines.join('\n')
  const room = GITHUB_BODY_LIMIT - tail.length - PROOF_ROOM - 100
  return (text.length > room ? `${text.slice(0, room)}\n\n… _cut to fit GitHub's limit_` : text) + tail
}

/** The outcome of a review that could not be posted: its findings are still shown and output. */
export function unposted(response: ReviewResponse, plan: ReviewPlan): ReviewOutcome {
  return {
    summary: response.summary,
    findings: response.findings,
    inline: [],
    inBody: [],
    repeated: [],
    resolved: [],
    scope: scopeOf(plan)
  }
}

function scopeOf(plan: ReviewPlan): string {
  return plan.since
    ? `changes since ${plan.since.slice(0, 7)}`
    : `the whole pull request${plan.fullReason ? ` (${plan.fullReason})` : ''}`
}

/** The review state the next run starts from: the open findings after this one. */
export function nextReviewState(
  plan: ReviewPlan,
  outcome: ReviewOutcome | undefined,
  at: string
): ReviewState | undefined {
  if (!plan.headSha) return undefined
  const resolved = new Set(outcome?.resolved.map((entry) => entry.id) ?? [])
  const open = new Map(plan.open.filter((finding) => !resolved.has(finding.id)).map((finding) => [finding.id, finding]))
  for (const finding of outcome?.findings ?? [])
    open.set(findingId(finding), {
      id: findingId(finding),
      path: finding.path,
      line: finding.line,
      severity: finding.severity,
      title: finding.title
    })
  return { headSha: plan.headSha, at, open: [...open.values()] }
}
