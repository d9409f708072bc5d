import { z } from 'zod'
import { strictSchemaFromZod } from '../../../sdk/index.js'
import type { OpenFinding } from '../../core/findings.js'
import { outputSchemaOf, type OutputSchema } from '../../core/outputSchema.js'
import { untrusted, withoutBlockTags } from '../../core/prompt.js'
import { commentedCodeFacts } from '../conversation/kind.js'
import type { CommentRequest } from '../conversation/request.js'

/** The fix turn's final response: what the reply says, and which listed findings the change fixes. */
const FixSchema = z.object({ summary: z.string(), fixed: z.array(z.string()) })

export type FixResponse = z.infer<typeof FixSchema>

export const fixOutputSchema: OutputSchema = outputSchemaOf(() => strictSchemaFromZod(FixSchema).strict, FixSchema)

/** What the agent is told to do: fix the thread's finding, or what the request asks. */
export function fixInstructions(parts: {
  request: CommentRequest
  target: OpenFinding | undefined
  words: string | undefined
  standingInstructions: string
}): string {
  const { request, target } = parts
  return [
    target
      ? `@${request.author} asked you to fix the review finding given in the context below, on this pull request.`
      : `@${request.author} asked you to change this pull request: their request follows.`,
    'Make the change in the working tree of the checkout, as small a change as does it. Do not commit, do not',
    'switch or create branches, and leave no scratch files or build output behind: every file you leave changed',
    'is proposed as the fix. Files under .github/workflows/ cannot be part of a fix: if one must change, say so',
    'and change nothing there. Run the quick checks that cover the change when you can.',
    '',
    'Answer with JSON in the required schema:',
    '- summary: what you changed and why, in Markdown, a few lines: it is the reply to the request.',
    '- fixed: the ids of the findings listed in the context below that your change fixes; none otherwise.',
    ...(parts.standingInstructions.trim() ? ['', 'Standing instructions:', parts.standingInstructions.trim()] : []),
    ...(parts.words ? ['', `Request from @${request.author}:`, withoutBlockTags(parts.words)] : [])
  ].join('\n')
}

/** The finding to fix and the PR's open findings, for the data block: their titles came from the agent's reading of PR code. */
export function fixFacts(parts: {
  request: CommentRequest
  target: OpenFinding | undefined
  targetBody: string | undefined
  open: readonly OpenFinding[]
}): string[] {
  const { request, target } = parts
  const listed = (finding: OpenFinding) =>
    untrusted(`- ${finding.id} ${finding.severity} at line ${finding.line}`, `${finding.path}: ${finding.title}`)
  return [
    ...(target
      ? [
          `The finding to fix: id ${target.id}, ${target.severity}`,
          untrusted('Its file and title', `${target.path}: ${target.title}`),
          ...(parts.targetBody ? [untrusted('The finding as posted', parts.targetBody)] : [])
        ]
      : []),
    ...commentedCodeFacts(request),
    ...(parts.open.length ? ['Open review findings (id, severity, path:line, title):', ...parts.open.map(listed)] : [])
  ]
}
