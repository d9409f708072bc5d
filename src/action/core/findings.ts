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

/**
 * The PR at a glance, written by the same review turn (input `walkthrough`): the whole PR as it is
 * now, whatever range the findings cover. `files` groups related paths into one row.
 */
const WalkthroughSchema = z.object({
  overview: z.string(),
  files: z.array(z.object({ paths: z.array(z.string()), change: z.string() })),
  effort: z.number().int().min(1).max(5),
  effort_reason: z.string(),
  risks: z.array(z.string()),
  diagram: z.string().nullable()
})

export type Walkthrough = z.infer<typeof WalkthroughSchema>
export type ReviewResponse = z.infer<typeof ReviewSchema> & { walkthrough?: Walkthrough }
export type Finding = ReviewResponse['findings'][number]

/**
 * The review's schema with the walkthrough, the default. Codex is asked for all of it; a response
 * without the walkthrough still passes the check, since its findings must not be lost for it.
 */
export const reviewOutputSchema: OutputSchema = outputSchemaOf(
  () => strictSchemaFromZod(ReviewSchema.extend({ walkthrough: WalkthroughSchema })).strict,
  ReviewSchema.extend({ walkthrough: WalkthroughSchema.optional() })
)

/** The findings schema alone, for `walkthrough: false`: the model spends no tokens on a walkthrough. */
export const findingsOutputSchema: OutputSchema = outputSchemaOf(
  () => strictSchemaFromZod(ReviewSchema).strict,
  ReviewSchema
)

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
  /** The whole PR at a glance, its file rows checked against the PR's files; none when it is off or missing. */
  walkthrough?: Walkthrough
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
    z.object({
      id: z.string(),
      path: z.string(),
      line: z.number(),
      severity: z.string(),
      title: z.string(),
      /** The fix commit that claims to fix it (the fix command): the next review checks it first. */
      fixClaimedIn: z.string().optional()
    })
  ),
  /**
   * Open findings this copy of the record leaves out: the sticky comment's copy keeps only the most
   * severe (boundedOpen); the stored thread's copy keeps them all, and the review comments' proven
   * markers still name each posted one.
   */
  beyond: z.number().int().min(0).optional(),
  /**
   * The walkthrough of `headSha`, as the review turn checked it: every later turn's sticky comment
   * opens with it until the next review rewrites it. Kept here, not re-read from the review turn's
   * recorded response: that is clipped to TRANSCRIPT_MAX_TEXT, the walkthrough last in it, and the
   * turn itself leaves the record after TRANSCRIPT_MAX_TURNS. The comment's copy drops it first.
   */
  walkthrough: WalkthroughSchema.optional()
})

export type ReviewState = z.infer<typeof ReviewStateSchema>
export type OpenFinding = ReviewState['open'][number]

/**
 * The most severe `limit` of `open` (those a fix commit claims first), worst first (in their order within a severity), and how many are
 * left out: what the sticky comment's record and the review prompt keep of a long-lived PR's open findings.
 */
export function boundedOpen(open: readonly OpenFinding[], limit: number): { kept: OpenFinding[]; beyond: number } {
  const rank = (finding: OpenFinding): number => {
    // a finding a fix commit claims to fix comes first: the next review must check it whatever its severity
    if (finding.fixClaimedIn) return -1
    const index = SEVERITIES.indexOf(finding.severity as Severity)
    return index === -1 ? SEVERITIES.length : index
  }
  // sort is stable: within a severity, the order they were found in
  const worstFirst = [...open].sort((a, b) => rank(a) - rank(b))
  return { kept: worstFirst.slice(0, limit), beyond: Math.max(0, open.length - limit) }
}

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
