import type { FixMode } from '../../core/constants.js'
import type { OpenFinding, ReviewState } from '../../core/findings.js'
import type { KindPublished, TurnKind } from '../../core/kind.js'
import type { MarkerProof } from '../../core/markers.js'
import type { TurnReport } from '../../core/report.js'
import {
  commitOnBranch,
  CommitRefusedError,
  readPullHead,
  type CommitRefusal,
  type CreatedCommit
} from '../../github/commitOnBranch.js'
import type { Octokit } from '../../github/octokit.js'
import { exactBlock } from '../../surfaces/markdown.js'
import { clip, oneLine } from '../../../shared/text.js'
import { codeSpan } from '../../surfaces/markdown.js'
import { conversationKind, postReply, type ConversationKindOptions } from '../conversation/kind.js'
import { threadFinding } from '../review/posted.js'
import { checkoutOf, collectChanges, type WorkingChanges } from './changes.js'
import { fixFacts, fixInstructions, fixOutputSchema, type FixResponse } from './prompt.js'
import { suggestionFor } from './suggest.js'
import { withFixTrailer } from './trailer.js'

export interface FixKindOptions extends ConversationKindOptions {
  /** The fix input. */
  mode: FixMode
  /** What the request asks besides `fix`; none: fix the thread's finding. */
  words?: string
  triggerPhrase: string
  /** Tells the action's finding markers from copies, and signs the fix commit's trailer. */
  proof: MarkerProof
  lastReview: ReviewState | undefined
  octokit: Octokit
  repository: { owner: string; repo: string }
  workingDirectory: string
  /** Adds Markdown to the job summary. */
  summarize: (markdown: string) => void
  /** Hides the run's secrets in text shown as it is (the change's fenced blocks). */
  redact: (text: string) => string
  /** Keeps a patch too long for the reply and the job summary whole (its secrets hidden), and says where. */
  keepPatch: (patch: string) => Promise<string>
}

/** How much of a patch a reply shows (a comment holds 65,536 characters); the job summary has more. */
const REPLY_PATCH_LIMIT = 40_000
/** How much of a patch the job summary shows: half of what GitHub takes for a step's summary (1 MiB), leaving room for the turn's. */
const SUMMARY_PATCH_LIMIT = 512 * 1024

/**
 * Where the change goes: committed to `branch`, or answered as a suggestion, with why not committed
 * (fix: commit). `atHead`: the checkout is the PR's head, whose lines a thread's suggestion replaces.
 */
type Delivery = { commit: { repository: string; branch: string } } | { suggest: string | undefined; atHead: boolean }

/**
 * The fix command: a turn that changes the checkout under the workspace-write sandbox, then the
 * agent's change, exactly, committed to the PR's head branch or answered as a suggestion. Only a
 * person's command starts it (the gate lets through writers, and never the action's own comments).
 */
export async function fixKind(options: FixKindOptions): Promise<TurnKind> {
  const { request, api, pr, triggerPhrase } = options
  if (options.mode === 'off')
    return refusal(
      options,
      `The fix command is off in this workflow. To turn it on, give the action \`fix: suggest\` (the change is answered ` +
        `as a suggestion) or \`fix: commit\` (it is committed to this pull request's branch; the job needs \`permissions: contents: write\`).`
    )
  let target: OpenFinding | undefined
  let targetBody: string | undefined
  if (request.kind === 'review') {
    const found = await threadFinding(api, pr, request, options.proof, options.warn)
    target =
      found &&
      (options.lastReview?.open.find((finding) => finding.id === found.id) ?? {
        id: found.id,
        path: request.path ?? '',
        line: request.line ?? 0,
        severity: 'unknown',
        title: ''
      })
    targetBody = found?.body
  }
  if (!target && !options.words)
    return refusal(
      options,
      request.kind === 'review'
        ? `This review thread is not one of my findings: say what to change, \`${triggerPhrase} fix <what>\`.`
        : `Say what to change, \`${triggerPhrase} fix <what>\`, or write \`${triggerPhrase} fix\` in a finding's review thread.`
    )
  const checkout = await checkoutOf(options.workingDirectory)
  if (checkout.dirty.length)
    return refusal(
      options,
      `The checkout has changes that are not the agent's (${checkout.dirty.length} file(s), e.g. ${codeSpan(checkout.dirty[0]!, 100)}): ` +
        'a fix commits exactly what the agent changes, so it starts from a clean checkout of the pull request head.'
    )
  const delivery = await deliveryOf(options, checkout.head)
  const base = conversationKind(options)
  const open = options.lastReview?.open ?? []
  return {
    ...base,
    request: target ? `${triggerPhrase} fix ${target.id}` : `${triggerPhrase} fix ${options.words}`,
    instructions: fixInstructions({
      request,
      target,
      words: options.words,
      standingInstructions: options.standingInstructions
    }),
    facts: fixFacts({ request, target, targetBody, open }),
    outputSchema: fixOutputSchema,
    sandbox: 'workspace-write',
    async publish(report: TurnReport): Promise<KindPublished> {
      const outcome = await deliver(options, { report, start: checkout.head, root: checkout.root, delivery, target })
      try {
        return { answerUrl: await postReply(api, pr, request, outcome.body), ...outcome.published }
      } catch (error) {
        options.warn(`Could not reply to the fix command: ${(error as Error).message}`)
        return outcome.published
      }
    }
  }
}

/** The command answered by the action itself, with no model call. */
function refusal(options: FixKindOptions, answer: string): TurnKind {
  return { ...conversationKind(options), request: `${options.triggerPhrase} fix`, answerWithoutModel: answer }
}

/** The PR's head branch, when a commit may go there; else why the fix is answered as a suggestion. */
async function deliveryOf(options: FixKindOptions, checkoutHead: string): Promise<Delivery> {
  const { owner, repo } = options.repository
  const commits = options.mode === 'commit'
  let head
  try {
    head = await readPullHead(options.octokit, owner, repo, options.pr)
  } catch (error) {
    const why = `the pull request's head branch could not be read (${(error as Error).message})`
    return { suggest: commits ? why : undefined, atHead: false }
  }
  const atHead = head.headSha === checkoutHead
  const suggest = (why: string): Delivery => ({ suggest: commits ? why : undefined, atHead })
  if (head.fork)
    return suggest(
      `its branch lives in ${head.headRepository || 'a deleted fork'}, which this workflow's token cannot write to`
    )
  if (head.headRef === head.defaultBranch || head.headRef === head.baseRef)
    return suggest(`its head branch \`${head.headRef}\` is the base or default branch, which a fix never commits to`)
  if (!atHead)
    return suggest(
      `the checkout (${checkoutHead.slice(0, 12)}) is not the pull request's head (${head.headSha.slice(0, 12)}): check out refs/pull/<number>/head`
    )
  return commits
    ? { commit: { repository: head.headRepository, branch: head.headRef } }
    : { suggest: undefined, atHead }
}

interface Delivered {
  body: string
  published: KindPublished
}

/** After the turn: the agent's change collected, then committed or answered; never lost. */
async function deliver(
  options: FixKindOptions,
  turn: {
    report: TurnReport
    start: string
    root: string
    delivery: Delivery
    target: OpenFinding | undefined
  }
): Promise<Delivered> {
  const { report, delivery, target } = turn
  const { safe } = options
  const mention = `@${options.request.author}`
  const response = report.status === 'success' ? (report.structuredOutput as FixResponse | undefined) : undefined
  const said = response?.summary.trim() ? safe(response.summary) : ''
  let changes: WorkingChanges
  try {
    changes = await collectChanges(turn.root, turn.start)
  } catch (error) {
    return { body: `${mention} The agent's change could not be read: ${safe((error as Error).message)}`, published: {} }
  }
  // the change is shown to the character (a `git apply`, a suggestion's commit take it as it is): a
  // fence no line of it closes holds it, and only secrets are hidden, not HTML defused
  const block = (text: string, info: string): string => options.redact(exactBlock(text, info))
  if (changes.patch)
    options.summarize(`### The fix's change\n\n${block(clip(changes.patch, SUMMARY_PATCH_LIMIT), 'diff')}\n`)
  // a patch the reply cuts is kept whole elsewhere: the job summary up to its own limit, an artifact past it
  const whole =
    changes.patch.length <= REPLY_PATCH_LIMIT
      ? ''
      : changes.patch.length <= SUMMARY_PATCH_LIMIT
        ? 'the job summary has all of it.'
        : await options.keepPatch(options.redact(changes.patch)).then(
            (name) => `all of it is the workflow run's artifact \`${name}\`.`,
            (error: Error) => {
              options.warn(`Could not keep the fix's whole patch as an artifact: ${error.message}`)
              return `the job summary has its first ${SUMMARY_PATCH_LIMIT} characters (keeping all of it as an artifact failed).`
            }
          )
  const patch = (): string =>
    `${block(clip(changes.patch, REPLY_PATCH_LIMIT), 'diff')}${whole && `\n\nThe patch is cut short here; ${whole}`}`
  if (report.status !== 'success') {
    const failed = `${mention} The fix turn ended (${report.status.replace('_', ' ')}): the [workflow run](${report.runUrl}) has the details.`
    return { body: changes.patch ? `${failed} What it changed before that:\n\n${patch()}` : failed, published: {} }
  }
  if (!changes.changes.length && !changes.refused.length)
    return { body: [`${mention} The agent changed no file.`, said].filter(Boolean).join('\n\n'), published: {} }
  const claimed = (response?.fixed ?? []).filter((id) => options.lastReview?.open.some((entry) => entry.id === id))
  if ('suggest' in delivery) {
    // the reason may name the fork and its branch, which its owner chose
    const why = delivery.suggest
      ? `${safe(`Not committed: ${delivery.suggest}.`)} `
      : delivery.atHead
        ? ''
        : `The checkout (${turn.start.slice(0, 12)}) is not this pull request's head, so the change is no suggestion on its lines. `
    // a thread's suggestion replaces the head's lines: one made from other lines would change the wrong code
    const suggestion =
      delivery.atHead &&
      options.request.kind === 'review' &&
      options.request.path &&
      options.request.line &&
      !changes.refused.length
        ? await suggestionFor(turn.root, turn.start, changes.changes, {
            path: options.request.path,
            line: options.request.line,
            start: options.request.startLine ?? options.request.line
          })
        : undefined
    const change =
      suggestion === undefined
        ? `${why}The change, as a patch (\`git apply\` takes it):\n\n${patch()}`
        : `${why}The change, as a suggestion you can commit from here:\n\n${block(suggestion, 'suggestion')}`
    return { body: [mention, said, change].filter(Boolean).join('\n\n'), published: {} }
  }
  if (changes.refused.length) {
    // the paths are the agent's: the list is Markdown made safe like its other text
    const reasons = safe(changes.refused.map((entry) => `- \`${clip(entry.path, 200)}\`: ${entry.why}`).join('\n'))
    const refused = `Not committed: a fix commits none of these changes.\n\n${reasons}`
    return {
      body: [mention, said, refused, 'The change, as a patch:', patch()].filter(Boolean).join('\n\n'),
      published: {}
    }
  }
  const message = await withFixTrailer(
    commitMessage(options, target, claimed, response?.summary ?? ''),
    claimed,
    options.proof
  )
  const [headline = '', ...rest] = message.split('\n')
  let commit: CreatedCommit
  try {
    commit = await commitOnBranch(options.octokit, {
      ...delivery.commit,
      expectedHeadOid: turn.start,
      headline,
      body: rest.join('\n').trim(),
      changes: changes.changes
    })
  } catch (error) {
    if (!(error instanceof CommitRefusedError)) throw error
    options.warn(`GitHub refused the fix commit: ${error.message}`)
    return {
      body: [mention, said, refusalText(error.refusal, safe), 'The change, as a patch:', patch()]
        .filter(Boolean)
        .join('\n\n'),
      published: {}
    }
  }
  const files = changes.changes.length
  return {
    body: [
      `${mention} Committed [${commit.oid.slice(0, 7)}](${commit.url}) to ${codeSpan(delivery.commit.branch)} (${files} ${files === 1 ? 'file' : 'files'}).`,
      said
    ]
      .filter(Boolean)
      .join('\n\n'),
    published: { ...claimedFixed(options.lastReview, claimed, commit.oid) }
  }
}

/** The commit's message: each finding it fixes by its title, or the request's words; the trailer follows. */
function commitMessage(
  options: FixKindOptions,
  target: OpenFinding | undefined,
  claimed: readonly string[],
  summary: string
): string {
  const titles = (options.lastReview?.open ?? []).filter(
    (finding) => claimed.includes(finding.id) || finding.id === target?.id
  )
  const headline =
    titles.length === 1
      ? `Fix: ${oneLine(titles[0]!.title)}`
      : titles.length > 1
        ? `Fix ${titles.length} review findings`
        : `Fix: ${oneLine(options.words ?? 'review finding')}`
  const body = [
    ...titles.map((finding) => `- ${oneLine(finding.title)} (${finding.path})`),
    ...(titles.length ? [''] : []),
    clip(summary.trim(), 2000),
    '',
    `Asked by @${options.request.author} with \`${options.triggerPhrase} fix\`.`
  ]
  return `${clip(headline, 72)}\n\n${body.join('\n').trim()}`
}

/** The last review's state with the findings this commit claims to fix marked, for the next review to check first. */
function claimedFixed(last: ReviewState | undefined, claimed: readonly string[], oid: string): KindPublished {
  if (!last || !claimed.length) return {}
  return {
    reviewState: {
      ...last,
      open: last.open.map((finding) => (claimed.includes(finding.id) ? { ...finding, fixClaimedIn: oid } : finding))
    }
  }
}

function refusalText(refusal: CommitRefusal, safe: (markdown: string) => string): string {
  switch (refusal.cause) {
    case 'moved':
      return `Not committed: the branch moved while the agent worked (it is at ${refusal.headOid?.slice(0, 12) ?? 'another commit'} now, the fix was made on the commit before). Nothing was forced; ask again to fix the new head.`
    case 'workflow':
      return 'Not committed: GitHub refuses changes under `.github/workflows/` from this token (it needs the workflows permission).'
    case 'forbidden':
      return 'Not committed: the token may not write to this branch. Give the job `permissions: contents: write` (or a token that has it).'
    case 'refused':
      return `Not committed: GitHub refused the commit (branch protection or a ruleset, say): ${safe(refusal.message)}`
  }
}
