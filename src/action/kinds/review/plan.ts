import { boundedOpen, countBySeverity, type Dismissal, type ReviewState } from '../../core/findings.js'
import type { Severity } from '../../core/constants.js'
import { untrusted } from '../../core/prompt.js'
import type { PostedFinding } from './posted.js'
import type { Increment } from './range.js'

/** What this review covers, and what it must check again. */
export interface ReviewPlan {
  headSha?: string
  /** The commit the last review looked at, when this one covers only what changed since. */
  since?: string
  /** The tree the PR's own new changes are diffed from, when the base came in since (see Increment). */
  from?: string
  how?: 'pushed' | 'base merged' | 'rewritten'
  /** Why the whole PR is reviewed again although it was reviewed before. */
  fullReason?: string
  /** Earlier findings not resolved since, each with the id the agent reports under `resolved`. */
  open: ReviewState['open']
  /** git pathspecs that leave the ignored files out of the diffs the agent reads. */
  excludes: string[]
  /** Findings the team dismissed on this PR: decided, never posted again. */
  dismissed: Dismissal[]
}

/**
 * The range to review: what the PR's own commits changed since the last reviewed commit when
 * `prepareRange` could compute it, else the whole PR (with the reason).
 */
export function planReview(
  last: ReviewState | undefined,
  headSha: string | undefined,
  posted: Map<string, PostedFinding>,
  increment: Increment | undefined,
  scope: Pick<ReviewPlan, 'excludes' | 'dismissed'>
): ReviewPlan {
  const dismissed = new Set(scope.dismissed.map((entry) => entry.id))
  // a finding whose thread someone resolved on GitHub, or that the team dismissed, is no longer open
  const open = (last?.open ?? []).filter((finding) => !posted.get(finding.id)?.isResolved && !dismissed.has(finding.id))
  if (!last || !headSha || !increment) return { headSha, open, ...scope }
  if ('fullReason' in increment) return { headSha, open, ...scope, fullReason: increment.fullReason }
  return { headSha, open, ...scope, since: increment.since, from: increment.from, how: increment.how }
}

/** The incremental range's diff command, and what it leaves out. */
function sinceScope(plan: ReviewPlan, head: string, excludes: string): string[] {
  const how =
    plan.how === 'rewritten'
      ? ' Since then the branch was rewritten (rebased or force-pushed).'
      : plan.how === 'base merged'
        ? ' Since then the base branch was merged into it.'
        : ''
  const reviewed = `This pull request was reviewed before, at commit ${plan.since}.${how}`
  if (!plan.from)
    return [reviewed, `Review what changed since then: run \`git diff ${plan.since}..${head}${excludes}\`.`]
  return [
    reviewed,
    `Review only what the PR's own commits changed since then: run \`git diff ${plan.from} ${head}${excludes}\`, which`,
    `compares the head with the last reviewed commit merged with the current base (tree ${plan.from}), so the`,
    'changes that came from the base are left out.'
  ]
}

/** The action's own review instructions; the team's prompt follows as their standing instructions. */
export function reviewInstructions(
  plan: ReviewPlan,
  baseSha: string | undefined,
  teamInstructions: string,
  /** More fields of the answer's schema, described as the ones above are. */
  moreFields: string[] = []
): string {
  const head = plan.headSha ?? 'HEAD'
  const excludes = plan.excludes.length ? ` -- ${plan.excludes.join(' ')}` : ''
  const scope = plan.since
    ? [
        ...sinceScope(plan, head, excludes),
        `Read the rest of the PR (\`git diff ${baseSha ?? 'BASE'}...${head}${excludes}\`) only for context,`,
        'and report findings only on lines that changed since the last review.'
      ]
    : [
        ...(plan.fullReason ? [`Note: ${plan.fullReason}.`] : []),
        `Review the pull request's change: run \`git diff ${baseSha ?? 'BASE'}...${head}${excludes}\` and read the changed files as needed.`
      ]
  const lines = [
    'You are reviewing a pull request. Do not change any file.',
    ...scope,
    'Look for bugs, security problems, data loss, broken error handling, races, and code that does not do what',
    'the change intends. Skip style preferences a formatter or linter would catch. Report each real problem once.',
    '',
    'Answer with JSON in the required schema:',
    '- summary: a short overall assessment in Markdown.',
    '- findings: one entry per problem. path is relative to the repository root; line (and start_line for a',
    '  range, else null) are line numbers in the head version of the file, on lines the diff shows. severity is',
    '  critical, major, minor or nit. title is one line; body explains the problem and the fix. suggestion is the',
    '  exact replacement text for lines start_line..line (or line alone), or null when no direct replacement fits.',
    '- resolved: ids of earlier findings (listed in the context below) that the code now fixes; leave out the rest.',
    ...moreFields,
    ...(plan.excludes.length
      ? ['', 'The files the diff commands above leave out are not reviewed: report no findings on them.']
      : []),
    ...(plan.dismissed.length
      ? [
          '',
          'The team has decided on the dismissed findings listed in the context below: do not report them again,',
          'nor the same concern in other words.'
        ]
      : [])
  ]
  if (teamInstructions.trim()) lines.push('', "The team's own review instructions:", teamInstructions.trim())
  return lines.join('\n')
}

/**
 * Earlier open findings the prompt lists, the most severe (~30 tokens each): a long-lived PR's review
 * prompt stops growing there. The rest are counted; they stay open, and come into the list as listed
 * ones are resolved.
 */
export const PROMPT_MAX_OPEN = 30

/** The earlier open findings as facts for the data block: paths and titles came from the agent's reading of PR code. */
export function openFindingFacts(plan: ReviewPlan): string[] {
  if (!plan.open.length) return ['Earlier findings still open: none']
  const { kept, beyond } = boundedOpen(plan.open, PROMPT_MAX_OPEN)
  const rest = plan.open.filter((finding) => !kept.includes(finding))
  return [
    `Earlier findings still open (id, severity, path:line, title)${beyond ? `, the ${kept.length} most severe of ${plan.open.length}` : ''}:`,
    ...kept.map((finding) =>
      untrusted(
        `- ${finding.id} ${finding.severity} at line ${finding.line}${finding.fixClaimedIn ? ` (fix commit ${finding.fixClaimedIn} claims to fix it: check it, and list it under resolved when it is fixed)` : ''}`,
        `${finding.path}: ${finding.title}`
      )
    ),
    ...(beyond
      ? [
          `… and ${beyond} more open (${countBySeverity(rest.map((finding) => ({ severity: finding.severity as Severity })))}), not listed here.`
        ]
      : [])
  ]
}

/** The dismissed findings as facts for the data block: titles came from the agent, reasons from commenters. */
export function dismissedFindingFacts(plan: ReviewPlan): string[] {
  if (!plan.dismissed.length) return []
  return [
    'Findings the team dismissed on this PR, decided: not to be reported again (id, path, title, reason):',
    ...plan.dismissed.map((entry) =>
      untrusted(
        `- ${entry.id} dismissed by @${entry.by} (${entry.how})`,
        `${entry.path}: ${entry.title}${entry.reason ? ` (reason: ${entry.reason})` : ''}`
      )
    )
  ]
}
