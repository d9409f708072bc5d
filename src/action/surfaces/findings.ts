import type { Severity } from '../core/constants.js'
import { countBySeverity, severityRank, type Finding, type ReviewOutcome } from '../core/findings.js'
import type { TurnReport } from '../core/report.js'
import { AGENT_HEADING_LEVEL } from './format.js'
import { agentMarkdown, codeBlock, codeSpan, tableCell } from './markdown.js'
import { clip, lineRange } from '../../shared/text.js'

export const SEVERITY_ICONS: Record<Severity, string> = { critical: '🔴', major: '🟠', minor: '🟡', nit: '⚪' }

/** A review's result in the comment and the summary: its summary, the review's link and the findings counted. */
export function reviewAnswer(report: TurnReport): string | undefined {
  const review = report.review
  if (!review) return undefined
  const counts = countBySeverity(review.findings) || 'no findings'
  const posted = review.inline.length + review.inBody.length + review.inFollowUp.length
  return [
    agentMarkdown(review.summary, { headingLevel: AGENT_HEADING_LEVEL }),
    `**Review** of ${review.scope}: ${counts} · ` +
      (review.url ? `[open the review](${review.url})` : '_not posted: see the warning in the workflow run_'),
    `New: ${posted} (${review.inline.length} on the diff lines, ${review.inBody.length} in the review body` +
      `${review.inFollowUp.length ? `, ${review.inFollowUp.length} in follow-up reviews` : ''})` +
      `${review.url && review.unposted.length ? ` · not posted: ${review.unposted.length} (the next review posts them)` : ''}` +
      ` · already posted: ${review.repeated.length} · resolved: ${review.resolved.length}` +
      ` · dismissed: ${review.dismissed.length}` +
      (review.quiet.length ? ` · listed only: ${review.quiet.length}` : '') +
      (review.ignored.length ? ` · ignored: ${review.ignored.length}` : '')
  ].join('\n\n')
}

/** Where a comment's turn was answered. */
export function answerLink(report: TurnReport): string | undefined {
  return report.answerUrl ? `**Answered** [in the thread](${report.answerUrl}).` : undefined
}

/** The summary's table of this run's findings. */
export function findingsTable(report: TurnReport): string | undefined {
  const review = report.review
  if (!review?.findings.length) return undefined
  const sorted = [...review.findings].sort((a, b) => severityRank(a.severity) - severityRank(b.severity))
  const rows = sorted.map((finding) => {
    const where = `${finding.path}:${lineRange(finding.line, finding.start_line)}`
    return `| ${SEVERITY_ICONS[finding.severity]} ${finding.severity} | ${tableCell(codeSpan(where))} | ${tableCell(codeSpan(finding.title))} | ${postedAs(review, finding)} |`
  })
  return [
    '### Review findings',
    '',
    '| severity | where | finding | posted |',
    '| --- | --- | --- | --- |',
    ...rows
  ].join('\n')
}

/** Where a finding went: every finding is in the table, whatever the noise dial did with it. */
function postedAs(review: ReviewOutcome, finding: Finding): string {
  if (review.ignored.includes(finding)) return 'ignored (ignore-paths)'
  if (review.dismissed.includes(finding)) return 'dismissed by the team'
  if (review.repeated.includes(finding)) return 'already posted'
  if (review.unposted.includes(finding)) return 'not posted (the next review posts it)'
  if (review.inFollowUp.includes(finding)) return 'follow-up review'
  if (review.inline.includes(finding)) return 'inline'
  if (review.inBody.includes(finding)) return 'review body'
  if (review.quiet.includes(finding)) return 'listed (min-severity / max-comments)'
  return 'not posted'
}

/**
 * The suggestions too long for a review comment, which the review could only mention: in full,
 * unless the job summary's own limit cuts each to `limit`.
 */
export function cutSuggestions(report: TurnReport, limit = Infinity): string | undefined {
  const cut = report.review?.cutSuggestions ?? []
  if (!cut.length) return undefined
  return [
    '### Suggestions too long for a comment',
    ...cut.flatMap((finding) => [
      '',
      `${codeSpan(`${finding.path}:${lineRange(finding.line, finding.start_line)}`)} ${codeSpan(finding.title)}:`,
      '',
      codeBlock(clip(finding.suggestion ?? '', limit))
    ])
  ].join('\n')
}
