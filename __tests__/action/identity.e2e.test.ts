import { describe, expect, it } from 'vitest'
import { findingId, type Finding, type ReviewResponse } from '../../src/action/core/findings.js'
import { provenFindingIds } from '../../src/action/core/markers.js'
import { createMarkerProof } from '../../src/action/thread/markerProof.js'
import { issueCommentEvent, reviewCommentEvent } from '../support/github/events.js'
import type { StoredComment, StoredReviewComment } from '../support/githubServer.js'
import { TEST_API_KEY, usePrHarness } from '../support/prHarness.js'
import { PrRepo } from '../support/prRepo.js'
import type { ModelScript } from '../support/scriptedModel.js'
import { tempDir } from '../support/tempDirs.js'

/*
 * Who the action is, and what proves a marker its own, end to end through dist/index.js: with an
 * app token (writes as my-app[bot], GET /user refused), with GITHUB_TOKEN beside another workflow
 * writing as the same github-actions[bot], with a token whose identity cannot be learned, and on
 * GitHub Enterprise Server's layout (/api/v3, /api/graphql).
 */

const PR = 44
const harness = usePrHarness(PR)
const APP_BOT = 'my-app[bot]'
const ACTIONS_BOT = 'github-actions[bot]'

const numbered = (count: number, change: (line: number) => string | undefined = () => undefined): string =>
  Array.from({ length: count }, (_, index) => change(index + 1) ?? `line ${index + 1}`).join('\n') + '\n'

/** A PR that changes lines 5 and 6 of calc.ts. */
function samplePr(): PrRepo {
  const repo = new PrRepo({ 'calc.ts': numbered(30) })
  repo.commit({
    'calc.ts': numbered(30, (line) => (line === 5 ? 'return a - b' : line === 6 ? 'const unused = 1' : undefined))
  })
  repo.publish(harness.github, PR)
  return repo
}

/** The fix of line 5: the next review reports `subtracts` fixed. */
function fixLine5(repo: PrRepo): void {
  repo.commit({
    'calc.ts': numbered(30, (line) => (line === 5 ? 'return a + b' : line === 6 ? 'const unused = 1' : undefined))
  })
  repo.publish(harness.github, PR)
}

const subtracts: Finding = {
  path: 'calc.ts',
  line: 5,
  start_line: null,
  severity: 'major',
  title: 'Subtracts instead of adding',
  // a mention of the trigger phrase in the action's own comment: it must not start a turn
  body: 'The sum uses `-`; ask @codex again once fixed.',
  suggestion: 'return a + b'
}
const unused: Finding = {
  ...subtracts,
  line: 6,
  severity: 'minor',
  title: 'Unused constant',
  body: 'Drop it.',
  suggestion: null
}

const answer = (response: Partial<ReviewResponse>): ModelScript => {
  const full: ReviewResponse = { summary: 'Reviewed.', findings: [], resolved: [], ...response }
  return () => ({ message: JSON.stringify(full) })
}

function review(repo: PrRepo, store: string, response: Partial<ReviewResponse>) {
  return harness.run(
    answer(response),
    { mode: 'review', prompt: '', 'thread-store': 'directory', 'thread-store-path': store },
    { workspace: repo.dir, payload: repo.payload(PR) }
  )
}

const stickies = (): StoredComment[] =>
  harness.github.comments.filter((comment) => comment.body.startsWith(`<!-- codex-thread-action:key=pr-${PR} `))
const threadOf = (rootId: number) =>
  harness.github.reviewThreads(PR).find((thread) => thread.comments[0]?.id === rootId)
const repliesTo = (rootId: number): StoredReviewComment[] =>
  harness.github.reviewComments.filter((comment) => comment.in_reply_to_id === rootId)

describe('identity and proven markers, end to end', () => {
  it('with an app token: two turns make one sticky comment, no finding is posted twice, its own comments start nothing', async () => {
    harness.github.token = { kind: 'app', slug: 'my-app' }
    const repo = samplePr()
    const store = tempDir('store')
    const first = await review(repo, store, { findings: [subtracts] })
    expect(first.exitCode, first.log).toBe(0)
    // a new push (a head is reviewed once), with the same finding reported again
    repo.commit({ 'notes.md': 'more\n' })
    repo.publish(harness.github, PR)
    const second = await review(repo, store, { findings: [subtracts] })
    expect(second.exitCode, second.log).toBe(0)

    expect(stickies()).toHaveLength(1)
    expect(stickies()[0]!.user.login).toBe(APP_BOT)
    expect(harness.github.reviewComments).toHaveLength(1)
    expect(harness.github.reviews.at(-1)!.body).toContain(
      '1 finding(s) already posted in an earlier review are not repeated'
    )
    // no call the token may not make (the contract checker fails the test on any): GET /user is never asked
    expect(harness.github.requests.some((request) => request.path === '/user')).toBe(false)

    // the action's review comment names @codex only as code (its text is made safe): its own event starts nothing
    const ours = harness.github.reviewComments[0]!
    expect(ours.user.login).toBe(APP_BOT)
    const event = reviewCommentEvent({ number: PR, comment: ours, base: { sha: repo.base }, head: { sha: repo.head } })
    const fromReview = await harness.run(answer({}), {}, { eventName: 'pull_request_review_comment', payload: event })
    expect(fromReview.outputs.conclusion).toBe('skipped')
    expect(fromReview.log).toContain('Skipped: the comment does not mention @codex in its own words')
    // nor does a comment of its own that does mention it (known by the app's login, as GitHub's GraphQL viewer gives it)
    const own = harness.github.addComment(PR, '@alice asked: why? Answer: ask @codex later', APP_BOT)
    const fromAnswer = await harness.run(
      answer({}),
      {},
      {
        eventName: 'issue_comment',
        payload: issueCommentEvent({ number: PR, id: own.id, body: own.body, sender: APP_BOT })
      }
    )
    expect(fromAnswer.outputs.conclusion).toBe('skipped')
    expect(fromAnswer.log).toContain("Skipped: the comment was written by the action's own identity")
    expect(harness.model.requests).toHaveLength(0)
  })

  it('with an app token: a fixed finding whose comment id is past 2^31 gets its reply and its thread resolved', async () => {
    harness.github.token = { kind: 'app', slug: 'my-app' }
    const repo = samplePr()
    const store = tempDir('store')
    expect((await review(repo, store, { findings: [subtracts] })).exitCode).toBe(0)
    const root = harness.github.reviewComments[0]!
    expect(root.id).toBeGreaterThan(2 ** 31)

    fixLine5(repo)
    const fixed = await review(repo, store, { resolved: [findingId(subtracts)] })
    expect(fixed.exitCode, fixed.log).toBe(0)
    expect(fixed.log).not.toContain("Could not read the PR's review threads")
    const [reply] = repliesTo(root.id)
    expect(reply).toMatchObject({ body: `✅ Fixed in ${repo.head}.`, user: { login: APP_BOT } })
    expect(threadOf(root.id)).toMatchObject({ isResolved: true, resolvedBy: APP_BOT })
    // the reply went through the endpoint enabled for apps, never .../replies
    expect(harness.github.requests.some((request) => request.path.endsWith('/replies'))).toBe(false)
  })

  it("with GITHUB_TOKEN, another workflow's copies of its markers under the same login change nothing of ours", async () => {
    const repo = samplePr()
    const store = tempDir('store')
    expect((await review(repo, store, { findings: [subtracts] })).exitCode).toBe(0)
    const [sticky] = stickies()
    const ourRoot = harness.github.reviewComments[0]!
    expect(sticky!.user.login).toBe(ACTIONS_BOT)
    expect(ourRoot.user.login).toBe(ACTIONS_BOT)
    const proof = createMarkerProof(`pr-${PR}`, TEST_API_KEY)
    expect(await provenFindingIds(ourRoot.body, proof)).toEqual([findingId(subtracts)])

    // a linter workflow writes as github-actions[bot] too, pasting our markers (proofs and the record included)
    const lines = sticky!.body.split('\n')
    const keyLine = lines[0]!
    const recordLine = lines.at(-1)!
    const findingLine = ourRoot.body.split('\n').at(-1)!
    const copiedSticky = harness.github.addComment(PR, `${keyLine}\nLint report\n${recordLine}`, ACTIONS_BOT)
    const legacySticky = harness.github.addComment(
      PR,
      `<!-- codex-thread-action:key=pr-${PR} -->\nold style`,
      ACTIONS_BOT
    )
    const copiedFinding = harness.github.addReviewComment(PR, {
      body: `lint: line too long\n${findingLine}`,
      login: ACTIONS_BOT,
      path: 'calc.ts',
      line: 6
    })
    // and an unsigned marker of a finding the agent reports next, as an older action would have written it
    harness.github.addReviewComment(PR, {
      body: `lint: unused\n<!-- codex-thread-action:finding=${findingId(unused)} -->`,
      login: ACTIONS_BOT,
      path: 'calc.ts',
      line: 6
    })
    const before = { copied: copiedSticky.body, legacy: legacySticky.body }

    fixLine5(repo)
    const next = await review(repo, store, { findings: [unused], resolved: [findingId(subtracts)] })
    expect(next.exitCode, next.log).toBe(0)

    // our sticky comment is the one updated; the copies are left as they were
    expect(harness.github.comments.find((comment) => comment.id === sticky!.id)!.body).toContain('resolved: 1')
    expect(harness.github.comments.find((comment) => comment.id === copiedSticky.id)!.body).toBe(before.copied)
    expect(harness.github.comments.find((comment) => comment.id === legacySticky.id)!.body).toBe(before.legacy)
    expect(next.log).not.toContain('record in the PR comment')
    // the fixed finding is answered and resolved in our thread, never in the copy's
    expect(repliesTo(ourRoot.id)).toHaveLength(1)
    expect(threadOf(ourRoot.id)!.isResolved).toBe(true)
    expect(repliesTo(copiedFinding.id)).toHaveLength(0)
    expect(threadOf(copiedFinding.id)!.isResolved).toBe(false)
    // the unsigned marker suppresses nothing: the new finding is posted
    const posted = harness.github.reviewComments.filter((comment) => comment.body.includes('Unused constant'))
    expect(posted).toHaveLength(1)
    expect(await provenFindingIds(posted[0]!.body, proof)).toEqual([findingId(unused)])
  })

  it('a token whose identity cannot be learned: one warning naming what to give, and the run still publishes', async () => {
    const asked = harness.github.addComment(PR, '@codex what does this change?', 'alice')
    harness.github.fail({ method: 'POST', path: /^\/graphql$/, status: 403, times: 1 })
    const run = await harness.run(
      () => ({ message: 'It adds a file.' }),
      {},
      { eventName: 'issue_comment', payload: issueCommentEvent({ number: PR, id: asked.id, body: asked.body }) }
    )
    expect(run.exitCode, run.log).toBe(0)
    const warnings = run.log.split('\n').filter((line) => line.startsWith('::warning::Could not learn which login'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain("give github-token a token that may query GitHub's GraphQL API")
    expect(harness.github.comments.some((comment) => comment.body.includes('It adds a file.'))).toBe(true)
    expect(stickies()).toHaveLength(1)
  })

  it("on GitHub Enterprise Server: REST under /api/v3 and GraphQL at /api/graphql, and the artifact store's absence said once", async () => {
    const asked = harness.github.addComment(PR, '@codex hello', 'alice')
    const run = await harness.run(
      () => ({ message: 'Hello.' }),
      {},
      {
        eventName: 'issue_comment',
        payload: issueCommentEvent({ number: PR, id: asked.id, body: asked.body }),
        githubUrl: `${harness.github.url}/api/v3`,
        env: { GITHUB_SERVER_URL: 'https://ghes.example.com', GITHUB_GRAPHQL_URL: `${harness.github.url}/api/graphql` }
      }
    )
    expect(run.exitCode, run.log).toBe(0)
    const { requests } = harness.github
    expect(requests.length).toBeGreaterThan(3)
    expect(requests.filter((request) => !request.mounted)).toEqual([])
    expect(requests.some((request) => request.path === '/graphql')).toBe(true)
    const warnings = run.log.split('\n').filter((line) => line.includes('not available on GitHub Enterprise Server'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('Set thread-store to "cache" or "directory"')
    expect(stickies()).toHaveLength(1)
  })
})
