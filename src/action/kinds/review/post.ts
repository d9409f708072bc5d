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
import type { Severity } from '../../core/constants.js'
import { severityRank } from '../../core/findings.js'
import type { ReviewPlan } from './plan.js'
import { findingMarker } from '../../core/markers.js'
import type { PostedFinding } from './posted.js'
import { lineRange } from '../../../shared/text.js'

export interface PostReviewOptions {
  api: GitHubApi
  pr: number
  plan: ReviewPlan
  response: ReviewResponse
  diff: DiffMap
  posted: Map<string, PostedFinding>
  /** The noise dial: what is left out, and what is posted inline. */
  dial: { ignores: (path: string) => boolean; minSeverity: Severity; maxComments: number }
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
  const { api, pr, plan, response, diff, posted, safe, warn } = options
  const { ignores, minSeverity, maxComments } = options.dial
  const findings = response.findings
  const ignored = findings.filter((finding) => ignores(finding.path))
  const dismissedIds = new Set(plan.dismissed.map((entry) => entry.id))
  const dismissed = findings.filter((finding) => !ignores(finding.path) && dismissedIds.has(findingId(finding)))
  const reviewed = findings.filter((finding) => !ignored.includes(finding) && !dismissed.includes(finding))
  const fresh = reviewed.filter((finding) => !posted.has(findingId(finding)))
  const repeated = reviewed.filter((finding) => posted.has(findingId(finding)))
  const loud = fresh.filter((finding) => severityRank(finding.severity) <= severityRank(minSeverity))
  const worstFirst = loud
    .filter((finding) => onDiff(diff, finding.path, finding.line, finding.start_line))
    .sort((a, b) => severityRank(a.severity) - severityRank(b.severity))
  const inline = worstFirst.slice(0, maxComments)
  const quiet = [...worstFirst.slice(maxComments), ...fresh.filter((finding) => !loud.includes(finding))]
  const inBody = loud.filter((finding) => !worstFirst.includes(finding))
  const dialNote = `below ${minSeverity} (min-severity) or past ${maxComments} inline comments (max-comments)`
  const scope = scopeOf(plan)
  const resolvable = new Map(plan.open.map((finding) => [finding.id, finding]))
  const resolvedIds = [...new Set(response.resolved)].filter((id) => resolvable.has(id))

  const draft = (onLines: Finding[], offLines: Finding[]): ReviewDraft => ({
    commitId: plan.headSha,
    body: reviewBody({
      summary: safe(response.summary),
      scope,
      onLines,
      offLines,
      quiet,
      dialNote,
      repeated,
      dismissed,
      resolvedIds,
      plan,
      safe
    }),
    comments: onLines.map((finding) => ({
      path: finding.path,
      line: finding.line,
      ...(finding.start_line !== null && finding.start_line < finding.line
        ? { start_line: finding.start_line, start_side: 'RIGHT' as const }
        : {}),
      side: 'RIGHT' as const,
      body: inlineBody(finding, safe)
    }))
  })
  let review
  try {
    review = await api.createReview(pr, draft(inline, inBody))
  } catch (error) {
    // the diff moved under us (a push during the turn): nothing is lost, every finding goes in the body
    if (httpStatusOf(error) !== 422 || !inline.length) throw error
    warn(`GitHub refused the review's inline comments (${(error as Error).message}): posting every finding in its body`)
    review = await api.createReview(pr, draft([], [...inline, ...inBody]))
    inBody.unshift(...inline.splice(0))
  }

  const resolved = await Promise.all(
    resolvedIds.map(async (id) => ({
      id,
      title: resolvable.get(id)!.title,
      threadResolved: await resolveThread(api, pr, posted.get(id), plan.headSha, warn)
    }))
  )
  return {
    url: review.url,
    summary: response.summary,
    findings,
    inline,
    inBody,
    repeated,
    quiet,
    ignored,
    dismissed,
    resolved,
    scope
  }
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
  quiet: Finding[]
  dialNote: string
  repeated: Finding[]
  dismissed: Finding[]
  resolvedIds: string[]
  plan: ReviewPlan
  safe: (text: string) => string
}): string {
  const { onLines, offLines, quiet, repeated, dismissed, resolvedIds, plan, safe } = parts
  const lines = [`### 🤖 Codex review of ${parts.scope}`, '', parts.summary]
  const fresh = [...onLines, ...offLines, ...quiet]
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
  if (quiet.length) {
    lines.push('', '<details>', `<summary>${quiet.length} more finding(s), ${parts.dialNote}</summary>`, '')
    for (const finding of quiet)
      lines.push(
        `- ${heading(finding, safe)} at ${codeSpan(`${finding.path}:${lineRange(finding.line, finding.start_line)}`)}`
      )
    lines.push('', '</details>')
  }
  if (repeated.length)
    lines.push('', `_${repeated.length} finding(s) already posted in an earlier review are not repeated._`)
  if (dismissed.length)
    lines.push('', `_${dismissed.length} finding(s) the team dismissed on this pull request are not posted again._`)
  if (resolvedIds.length) {
    const titles = resolvedIds.map((id) => plan.open.find((finding) => finding.id === id)?.title ?? id)
    lines.push('', `**Fixed since the last review:** ${titles.map((title) => safe(title)).join('; ')}`)
  }
  const listed = [...offLines, ...quiet]
  return fitBody(
    lines,
    [findingMarker(listed.map(findingId))].filter(() => listed.length > 0)
  )
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line ? `  ${line}` : line))
    .join('\n')
}

/** The body within GitHub's limit, the marker kept as its last line. */
function fitBody(lines: string[], marker: string[]): string {
  const tail = marker.length ? `\n${marker.join('\n')}` : ''
  const text = lines.join('\n')
  const room = GITHUB_BODY_LIMIT - tail.length - 100
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

/** The review state the next run starts from: the open findings after this one. */
export function nextReviewState(
  plan: ReviewPlan,
  outcome: ReviewOutcome | undefined,
  at: string
): ReviewState | undefined {
  if (!plan.headSha) return undefined
  const resolved = new Set(outcome?.resolved.map((entry) => entry.id) ?? [])
  const open = new Map(plan.open.filter((finding) => !resolved.has(finding.id)).map((finding) => [finding.id, finding]))
  const left = new Set([...(outcome?.ignored ?? []), ...(outcome?.dismissed ?? [])])
  for (const finding of (outcome?.findings ?? []).filter((entry) => !left.has(entry)))
    open.set(findingId(finding), {
      id: findingId(finding),
      path: finding.path,
      line: finding.line,
      severity: finding.severity,
      title: finding.title
    })
  return { headSha: plan.headSha, at, open: [...open.values()] }
}
