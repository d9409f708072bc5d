import { createHash } from 'node:crypto'
import { z } from 'zod'
import { strictSchemaFromZod } from '../../sdk/index.js'
import { SEVERITIES, type Severity } from './constants.js'
import { outputSchemaOf, type OutputSchema } from './outputSchema.js'

/**
 * The review's final response: the one schema review mode asks the model for, published in the
 * README. `line` and `start_line` are line numbers in the PR's head version of `path`.
 */
const ReviewSchema = z.object({
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
export const reviewOutputSchema: OutputSchema = outputSchemaOf(strictSchemaFromZod(ReviewSchema).strict, ReviewSchema)

/** Worst first: the index is the rank. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity)
}

/**
 * A finding's identity across reviews: its path, severity and title, not its line, which moves as
 * the code around it changes. Short, so the model can quote it back under `resolved`. The second
 * and later finding of a response with the same path, severity and title is told apart by its
 * `occurrence`; the first keeps the id it always had, so earlier reviews' ids still match.
 */
export function findingId(finding: Pick<Finding, 'path' | 'severity' | 'title'>, occurrence = 1): string {
  const title = finding.title.trim().toLowerCase().replace(/\s+/g, ' ')
  const key = `${finding.path}\n${finding.severity}\n${title}${occurrence > 1 ? `\n#${occurrence}` : ''}`
  return createHash('sha256').update(key).digest('hex').slice(0, 12)
}

/**
 * The ids of a response's findings, in its order, each unique: findings that share path, severity
 * and title are numbered by line, top to bottom, so the numbering does not depend on the order the
 * model listed them in.
 */
export function findingIds(findings: ReadonlyArray<Pick<Finding, 'path' | 'severity' | 'title' | 'line'>>): string[] {
  const ids: string[] = []
  const seen = new Map<string, number>()
  const byLine = findings.map((finding, index) => ({ finding, index })).sort((a, b) => a.finding.line - b.finding.line)
  for (const { finding, index } of byLine) {
    const occurrence = (seen.get(findingId(finding)) ?? 0) + 1
    seen.set(findingId(finding), occurrence)
    ids[index] = findingId(finding, occurrence)
  }
  return ids
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

/** What this run's review did, for the comment, the summary and the outputs. */
export interface ReviewOutcome {
  url?: string
  /** The agent's overall assessment, as it wrote it. */
  summary: string
  /** Every finding of this run's response. */
  findings: Finding[]
  /** The findings posted by this run: on the diff lines, in the review body, in follow-up reviews. */
  inline: Finding[]
  inBody: Finding[]
  /** Findings that did not fit into the review's body, posted in follow-up reviews after it. */
  inFollowUp: Finding[]
  /** New findings this run could not post: not marked posted, so a later review posts them. */
  unposted: Finding[]
  /** Findings posted without their suggestion, which did not fit into a comment. */
  cutSuggestions: Finding[]
  /** Findings of the response already posted by an earlier review: not posted again. */
  repeated: Finding[]
  /** New findings below min-severity or beyond max-comments: listed one line each in the review body. */
  quiet: Finding[]
  /** Findings on ignored paths (ignore-paths and the default ignores): not posted. */
  ignored: Finding[]
  /** Findings the team dismissed on this PR: never posted again. */
  dismissed: Finding[]
  /** Earlier findings the agent reported fixed, with whether their thread could be resolved. */
  resolved: Array<{ id: string; title: string; threadResolved: boolean }>
  /** The range reviewed, in words. */
  scope: string
}

/** What a review leaves for the next one, in the PR thread's record. */
export const ReviewStateSchema = z.object({
  /** The head commit the last review looked at: the next one reviews what changed since. */
  headSha: z.string(),
  at: z.string(),
  /** Some of its findings could not be posted: the next run reviews this head again, and posts them. */
  retry: z.boolean().optional(),
  /** Findings posted and not resolved since, for the next review to check again. */
  open: z.array(
    z.object({ id: z.string(), path: z.string(), line: z.number(), severity: z.string(), title: z.string() })
  )
})

export type ReviewState = z.infer<typeof ReviewStateSchema>

/** A finding the team dismissed on this PR: by resolving its thread, a 👎, or the dismiss command. */
export const DismissalSchema = z.object({
  id: z.string(),
  title: z.string(),
  path: z.string(),
  /** Who dismissed it, and how. */
  by: z.string(),
  how: z.enum(['resolved', 'thumbs-down', 'command']),
  reason: z.string().optional(),
  at: z.string()
})

export type Dismissal = z.infer<typeof DismissalSchema>

/** Whether automatic reviews of the PR are paused (the pause and resume commands), who said so, and when. */
export const ReviewPauseSchema = z.object({ paused: z.boolean(), by: z.string(), at: z.string() })

export type ReviewPause = z.infer<typeof ReviewPauseSchema>
