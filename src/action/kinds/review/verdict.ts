import * as core from '@actions/core'
import type { Severity } from '../../core/constants.js'
import type { TurnReport } from '../../core/report.js'
import { countBySeverity, severityRank } from '../../core/findings.js'

/**
 * Fails the step when the review found something at least as severe as `threshold`, so a required
 * check can hold the merge. Called after everything is published.
 */
export function failOnSeverity(report: TurnReport, threshold: Severity): void {
  const findings = report.review?.findings ?? []
  const blocking = findings.filter((finding) => severityRank(finding.severity) <= severityRank(threshold))
  if (!blocking.length) return
  core.setFailed(
    `The review found ${blocking.length} finding(s) of severity ${threshold} or worse (fail-on-severity): ${countBySeverity(findings)}`
  )
}
