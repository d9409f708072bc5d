import { countBySeverity, severityRank } from '../review/findings.js'
import { SEVERITY_ICONS } from '../review/post.js'
import type { TurnReport } from '../turn/report.js'
import { inlineCode } from './format.js'

/** The comment's lines about the review or the answer: links, and the findings counted. */
export function reviewCommentLines(report: TurnReport): string[] {
  const lines: string[] = []
  if (report.answerUrl) lines.push(`**Answered** [in the thread](${report.answerUrl}).`)
  const review = report.review
  if (!review) return lines
  const counts = countBySeverity(review.findings) || 'no findings'
  const posted = review.inline.length + review.inBody.length
  lines.push(
    `**Review** of ${review.scope}: ${counts}` +
      (review.url ? ` · [open the review](${review.url})` : ' · _not posted: see the warning in the run_'),
    `New: ${posted} (${review.inline.length} on the diff lines, ${review.inBody.length} in the review body)` +
      ` · already posted: ${review.repeated.length} · resolved: ${review.resolved.length}`
  )
  return lines
}

/** The summary's table of this run's findings. */
export function findingsTable(report: TurnReport): string[] {
  const review = report.review
  if (!review) return []
  const lines = ['### Review findings', '']
  if (review.url) lines.push(`[The review on the pull request](${review.url})`, '')
  if (!review.findings.length) return [...lines, '_No findings._', '']
  const sorted = [...review.findings].sort((a, b) => severityRank(a.severity) - severityRank(b.severity))
  lines.push('| severity | where | finding |', '| --- | --- | --- |')
  for (const finding of sorted) {
    const where = `${finding.path}:${finding.start_line !== null ? `${finding.start_line}-` : ''}${finding.line}`
    lines.push(
      `| ${SEVERITY_ICONS[finding.severity]} ${finding.severity} | ${inlineCode(where)} | ${inlineCode(finding.title)} |`
    )
  }
  return [...lines, '']
}
