import { createHash } from 'node:crypto'
import { z } from 'zod'
import { strictSchemaFromZod } from '../../sdk/index.js'
import { describeIssues } from '../../shared/checks.js'
import { SEVERITIES, type Severity } from './constants.js'
import type { OutputSchema } from '../settings/settings.js'

/**
 * The review's final response: the one schema review mode asks the model for, published in the
 * README. `line` and `start_line` are line numbers in the PR's head version of `path`.
 */
export const ReviewSchema = z.object({
  summary: z.string(),
  findings: z.array(
    z.object({
      path: z.string(),
      line: z.number().int().min(1),
      start_line: z.number().int().min(1).nullable(),
      severity: z.enum(SEVERITIES),
      title: z.string(),
      body: z.string(),
      suggestion: z.string().nullable()
    })
  ),
  resolved: z.array(z.string())
})

export type ReviewResponse = z.infer<typeof ReviewSchema>
export type Finding = ReviewResponse['findings'][number]

/** The findings schema as the turn's output schema: strict-mode JSON for codex, zod for the check. */
export const reviewOutputSchema: OutputSchema = {
  schema: strictSchemaFromZod(ReviewSchema).strict,
  validate(value) {
    const parsed = ReviewSchema.safeParse(value)
    return parsed.success ? [] : describeIssues(parsed.error.issues)
  }
}

/** Worst first: the index is the rank. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity)
}

/**
 * A finding's identity across reviews: its path, severity and title, not its line, which moves as
 * the code around it changes. Short, so the model can quote it back under `resolved`.
 */
export function findingId(finding: Pick<Finding, 'path' | 'severity' | 'title'>): string {
  const title = finding.title.trim().toLowerCase().replace(/\s+/g, ' ')
  return createHash('sha256').update(`${finding.path}\n${finding.severity}\n${title}`).digest('hex').slice(0, 12)
}

/** Findings counted by severity, worst first; severities without findings are left out. */
export function countBySeverity(findings: ReadonlyArray<Pick<Finding, 'severity'>>): string {
  return SEVERITIES.map(
    (severity) => [severity, findings.filter((finding) => finding.severity === severity).length] as const
  )
    .filter(([, count]) => count > 0)
    .map(([severity, count]) => `${count} ${severity}`)
    .join(', ')
}
