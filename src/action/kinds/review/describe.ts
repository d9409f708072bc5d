import { fromMarkdown } from 'mdast-util-from-markdown'
import { visit } from 'unist-util-visit'
import { GITHUB_BODY_LIMIT } from '../../core/constants.js'
import type { Walkthrough } from '../../core/findings.js'
import {
  findWalkthroughBlock,
  walkthroughBlock,
  WALKTHROUGH_PLACEHOLDER,
  type MarkerProof
} from '../../core/markers.js'
import type { PullBodyApi } from '../../github/pullBody.js'
import { walkthroughMarkdown } from '../../surfaces/walkthrough.js'

/**
 * `describe: placeholder`: the walkthrough in the PR's description, only where its author asked for
 * it with the placeholder line, and from then on only inside the action's own proven block. Every
 * other character of the description stays as it is, and a description edited while the review ran
 * is left alone (the next review writes it).
 */

/** The description as the review starts, to write from and compare with; undefined when it cannot be read. */
export async function readDescription(
  api: PullBodyApi,
  pr: number,
  warn: (message: string) => void
): Promise<string | undefined> {
  try {
    return await api.pullRequestBody(pr)
  } catch (error) {
    warn(`describe: could not read the pull request's description: ${(error as Error).message}`)
    return undefined
  }
}

/** The walkthrough's block in the description: in place of the placeholder line, or of its own earlier block. */
export async function placeWalkthrough(
  body: string,
  content: string,
  proof: MarkerProof
): Promise<{ body?: string; problem?: string }> {
  const lines = body.split('\n')
  const found = await findWalkthroughBlock(lines, proof)
  if (found && !found.proven)
    return {
      problem:
        "the walkthrough block in the pull request's description was edited, or not written by this action: it is " +
        `left as it is (put the line ${WALKTHROUGH_PLACEHOLDER} in its place to have it written again)`
    }
  const placeholder = placeholderLine(body, lines)
  const [start, end] = found ? [found.start, found.end] : [placeholder, placeholder]
  if (start === -1) return {}
  const block = await walkthroughBlock(content, proof)
  if (!block) return { problem: 'there is no thread-secret or API key to sign the walkthrough block with' }
  // the line ends the author's text has (\r\n from GitHub's editor) are kept, the block's too
  const eol = lines[start]!.endsWith('\r') ? '\r' : ''
  lines.splice(start, end - start + 1, ...block.map((line) => line + eol))
  return { body: lines.join('\n') }
}

/**
 * The placeholder's line: an HTML comment alone on its line, as Markdown reads the description, so
 * the line shown as text in a code block or inside a paragraph is left alone.
 */
function placeholderLine(body: string, lines: readonly string[]): number {
  let found = -1
  visit(fromMarkdown(body), 'html', (node) => {
    const line = (node.position?.start.line ?? 0) - 1
    if (
      found === -1 &&
      node.value.trim() === WALKTHROUGH_PLACEHOLDER &&
      lines[line]?.trim() === WALKTHROUGH_PLACEHOLDER
    )
      found = line
  })
  return found
}

export async function describePullRequest(parts: {
  api: PullBodyApi
  pr: number
  /** The description as read when the review started. */
  before: string
  walkthrough: Walkthrough
  proof: MarkerProof
  /** Masks secrets in what is written. */
  redact: (text: string) => string
  warn: (message: string) => void
}): Promise<void> {
  const { api, pr, before, warn } = parts
  const content = parts.redact(
    `${walkthroughMarkdown(parts.walkthrough, { headingLevel: 3 })}\n\n<sub>Written by codex-thread-action and rewritten on every push: edit outside this block.</sub>`
  )
  const placed = await placeWalkthrough(before, content, parts.proof)
  if (placed.problem) return warn(`describe: ${placed.problem}`)
  if (placed.body === undefined || placed.body === before) return
  if ([...placed.body].length > GITHUB_BODY_LIMIT)
    return warn("describe: the description with the walkthrough would pass GitHub's limit: it is left as it is")
  try {
    // read again just before writing: an edit made while the review ran is never overwritten
    if ((await api.pullRequestBody(pr)) !== before)
      return warn(
        'describe: the pull request description changed while the review ran: it is left as it is, and the next review writes the walkthrough'
      )
    await api.updatePullRequestBody(pr, placed.body)
  } catch (error) {
    warn(
      `describe: could not write the walkthrough into the description (the token needs pull-requests: write): ${(error as Error).message}`
    )
  }
}
