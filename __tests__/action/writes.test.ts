import Bottleneck from 'bottleneck/light.js'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { findingIds, type Finding, type ReviewState } from '../../src/action/core/findings.js'
import { readRecordMarker } from '../../src/action/core/markers.js'
import { connectGitHub, type GitHubApi } from '../../src/action/github/api.js'
import { createOctokit } from '../../src/action/github/octokit.js'
import { THREADS_PER_MUTATION } from '../../src/action/github/reviews.js'
import { StickyComment } from '../../src/action/github/stickyComment.js'
import { detectDismissals } from '../../src/action/kinds/review/dismissed.js'
import { diffMapOf } from '../../src/action/kinds/review/diff.js'
import { openFindingFacts, PROMPT_MAX_OPEN, type ReviewPlan } from '../../src/action/kinds/review/plan.js'
import { nextReviewState, postReview } from '../../src/action/kinds/review/post.js'
import { openFindings, readPostedFindings } from '../../src/action/kinds/review/posted.js'
import { createMarkerProof } from '../../src/action/thread/markerProof.js'
import {
  emptyTranscript,
  mergeTranscripts,
  RECORD_MAX_OPEN,
  TRANSCRIPT_MAX_MARKER,
  TranscriptCodec,
  type Transcript
} from '../../src/action/thread/transcript.js'
import { OWNER, REPO, type GitHubServer } from '../support/githubServer.js'
import { sampleWalkthrough } from '../support/reviewScript.js'
import { LONG_PR_HEAD as HEAD, longPrServer, longRecord, manyFindings as findings } from '../support/longPr.js'

const KEY = 'pr-1'
const SECRET = 'thread-secret'
const proof = createMarkerProof(KEY, SECRET)
describe('the thread record on the sticky comment', () => {
  it('stays within its budget whatever the number of open findings, keeping the most severe and counting the rest', async () => {
    const codec = await TranscriptCodec.create(KEY, SECRET)
    for (const open of [10, 100, 390, 1000]) {
      const record = longRecord(KEY, open)
      const marker = codec.encode(record)!
      expect(marker.length).toBeLessThanOrEqual(TRANSCRIPT_MAX_MARKER)
      const copy = codec.decode(`<!-- x -->\n${marker}`).record!
      expect(copy.review!.open).toHaveLength(Math.min(open, RECORD_MAX_OPEN))
      expect(copy.review!.beyond).toBe(open > RECORD_MAX_OPEN ? open - RECORD_MAX_OPEN : undefined)
      const critical = record.review!.open.filter((finding) => finding.severity === 'critical')
      expect(copy.review!.open.slice(0, critical.length)).toEqual(critical.slice(0, RECORD_MAX_OPEN))
      // the stored thread's whole copy wins over the comment's bounded one of the same review, in either order
      expect(mergeTranscripts(KEY, copy, record).review!.open).toHaveLength(open)
      expect(mergeTranscripts(KEY, record, copy).review!.open).toHaveLength(open)
    }
  })

  it('fits even when its dismissals and titles alone would overflow it', async () => {
    const codec = await TranscriptCodec.create(KEY, SECRET)
    const record = longRecord(KEY, 60)
    record.review!.open = record.review!.open.map((finding) => ({ ...finding, title: 't'.repeat(5000) }))
    record.dismissed = Array.from({ length: 400 }, (_, index) => ({
      id: `d${index}`,
      title: 'x'.repeat(200),
      path: 'src/a.ts',
      by: 'alice',
      how: 'command' as const,
      reason: 'y'.repeat(300),
      at: '2026-01-01T00:00:00.000Z'
    }))
    const marker = codec.encode(record)!
    expect(marker.length).toBeLessThanOrEqual(TRANSCRIPT_MAX_MARKER)
    const copy = codec.decode(`<!-- x -->\n${marker}`).record!
    // the newest dismissals are the ones kept
    expect(copy.dismissed!.at(-1)!.id).toBe('d399')
    expect(copy.review!.open.length + copy.review!.beyond!).toBe(60)
  })
})

describe("the walkthrough in the comment's record", () => {
  const glance = (files: number) =>
    sampleWalkthrough({
      files: Array.from({ length: files }, (_, index) => ({ paths: [`src/f${index}.ts`], change: `Change ${index}.` }))
    })

  it('is kept while the record fits, and dropped first, before any turn or open finding, when it does not', async () => {
    const codec = await TranscriptCodec.create(KEY, SECRET)
    const decoded = (record: Transcript) => codec.decode(`<!-- x -->\n${codec.encode(record)!}`).record!
    const small = { ...emptyTranscript(KEY), review: { ...longRecord(KEY, 10).review!, walkthrough: glance(3) } }
    expect(decoded(small).review!.walkthrough).toEqual(glance(3))

    for (const open of [10, 1000]) {
      const without = longRecord(KEY, open)
      const record = { ...without, review: { ...without.review!, walkthrough: glance(2000) } }
      const copy = decoded(record)
      expect(copy.review!.walkthrough).toBeUndefined()
      // exactly what the comment keeps of the same record without a walkthrough: turns and findings alike
      expect(copy).toEqual(decoded(without))
      expect(copy.review!.open).toHaveLength(Math.min(open, RECORD_MAX_OPEN))
      // the stored thread's whole copy brings it back, in either order
      expect(mergeTranscripts(KEY, copy, record).review!.walkthrough).toEqual(glance(2000))
      expect(mergeTranscripts(KEY, record, copy).review!.walkthrough).toEqual(glance(2000))
    }
  })
})

describe('the review prompt', () => {
  it('lists the most severe open findings and counts the rest', () => {
    const open = longRecord(KEY, 100).review!.open
    const facts = openFindingFacts({ open, excludes: [], dismissed: [] })
    const listed = facts.filter((line) => line.includes(' at line '))
    expect(listed).toHaveLength(PROMPT_MAX_OPEN)
    expect(listed.slice(0, 25).every((line) => line.includes(' critical at line '))).toBe(true)
    expect(facts[0]).toContain(`the ${PROMPT_MAX_OPEN} most severe of 100`)
    expect(facts.at(-1)).toContain(`${100 - PROMPT_MAX_OPEN} more open`)
    expect(openFindingFacts({ open: open.slice(0, 5), excludes: [], dismissed: [] })).toHaveLength(6)
  })
})

describe('GitHub writes of a review', () => {
  let server: GitHubServer
  let api: GitHubApi
  const warnings: string[] = []
  beforeEach(async () => {
    server = await longPrServer(400)
    api = connectGitHub(
      'token',
      { apiUrl: server.url, repository: { owner: OWNER, repo: REPO } },
      (message) => warnings.push(message),
      { mutationSpacingMs: 0 }
    )!.api
    warnings.length = 0
  })
  afterEach(() => server.close())

  const dial = { ignores: () => false, minSeverity: 'nit' as const, maxComments: 1000 }
  const plan = (open: ReviewState['open'] = []): ReviewPlan => ({ headSha: HEAD, open, excludes: [], dismissed: [] })

  /** Posts a review of `all` (the first `inline` on the diff lines, the rest listed in its body) and returns the state it leaves. */
  async function postFirst(all: Finding[], inline = all.length): Promise<ReviewState> {
    const first = plan()
    const outcome = await postReview({
      api,
      pr: 1,
      plan: first,
      response: { summary: 'First look.', findings: all, resolved: [] },
      diff: diffMapOf(await api.pullRequestFiles(1)),
      posted: new Map(),
      proof,
      dial: { ...dial, maxComments: inline },
      safe: (text) => text,
      warn: (message) => warnings.push(message)
    })
    return nextReviewState(first, outcome, '2026-01-01T00:00:00.000Z')!
  }

  it('resolves 50 fixed findings in batched GraphQL documents, each thread replied to and resolved', async () => {
    const state = await postFirst(findings(50))
    const posted = await readPostedFindings(api, 1, proof, (message) => warnings.push(message))
    const before = server.requests.length
    const outcome = await postReview({
      api,
      pr: 1,
      plan: plan(state.open),
      response: { summary: 'All fixed.', findings: [], resolved: state.open.map((finding) => finding.id) },
      diff: diffMapOf(await api.pullRequestFiles(1)),
      posted,
      proof,
      dial,
      safe: (text) => text,
      warn: (message) => warnings.push(message)
    })
    expect(warnings).toEqual([])
    expect(outcome.resolved).toHaveLength(50)
    expect(outcome.resolved.every((entry) => entry.threadResolved)).toBe(true)
    const requests = server.requests.slice(before)
    const mutations = requests.filter(
      (request) => request.path === '/graphql' && /^\s*mutation/.test((request.body as { query: string }).query)
    )
    expect(mutations).toHaveLength(Math.ceil(50 / THREADS_PER_MUTATION))
    // no REST reply per thread any more: one review, then the documents
    expect(requests.filter((request) => request.method !== 'GET' && request.path !== '/graphql')).toHaveLength(1)
    const threads = server.reviewThreads(1)
    expect(threads.every((thread) => thread.isResolved)).toBe(true)
    expect(threads.every((thread) => thread.comments.at(-1)!.body === `✅ Fixed in ${HEAD}.`)).toBe(true)
  })

  it('reports each thread it could not resolve, and resolves the rest of the document', async () => {
    const state = await postFirst(findings(3))
    const posted = await readPostedFindings(api, 1, proof, (message) => warnings.push(message))
    // one thread is resolved by someone else meanwhile: GraphQL still resolves it; another one is gone
    const gone = posted.get(state.open[0]!.id)!
    posted.set(state.open[0]!.id, { ...gone, reviewThreadId: 'PRRT_1' })
    const resolved = await api.resolveReviewThreads(
      [...posted.values()].map((finding) => ({ id: finding.reviewThreadId!, reply: 'fixed' })),
      (message) => warnings.push(message)
    )
    expect(resolved.size).toBe(2)
    expect(warnings).toHaveLength(1)
  })

  it('keeps every open finding beyond the record bound tracked from the proven markers when the stored thread is lost', async () => {
    // 120 findings: 80 in inline comments, 40 listed in the review's body
    const all = findings(120)
    const state = await postFirst(all, 80)
    expect(state.open).toHaveLength(120)
    const codec = await TranscriptCodec.create(KEY, SECRET)
    const comment = codec.decode(`<!-- x -->\n${codec.encode({ ...emptyTranscript(KEY), review: state })!}`).record!
    expect(comment.review!.open).toHaveLength(RECORD_MAX_OPEN)
    const posted = await readPostedFindings(api, 1, proof, (message) => warnings.push(message))
    const open = openFindings(comment.review, posted)
    expect(new Set(open.map((finding) => finding.id))).toEqual(new Set(state.open.map((finding) => finding.id)))
    for (const finding of state.open)
      expect(open.find((entry) => entry.id === finding.id)).toMatchObject({
        path: finding.path,
        line: finding.line,
        severity: finding.severity,
        title: finding.title
      })

    // dismissable: a teammate resolves the thread of a finding the comment's copy left out
    const beyond = state.open.find(
      (finding) => !comment.review!.open.some((kept) => kept.id === finding.id) && posted.get(finding.id)?.commentId
    )!
    server.resolvedThreads.set(posted.get(beyond.id)!.commentId!, 'alice')
    const again = await readPostedFindings(api, 1, proof, (message) => warnings.push(message))
    const dismissals = await detectDismissals({
      api,
      open: openFindings(comment.review, again),
      posted: again,
      known: [],
      at: '2026-01-02T00:00:00.000Z',
      warn: (message) => warnings.push(message)
    })
    expect(dismissals.map((entry) => entry.id)).toEqual([beyond.id])

    // resolvable, and never posted as new: the agent reports one fixed and another one again
    const reported = all.find((finding) => findingIds(all)[all.indexOf(finding)] === open.at(-1)!.id)!
    const roots = () => server.reviewComments.filter((comment) => comment.in_reply_to_id === undefined).length
    const before = roots()
    const outcome = await postReview({
      api,
      pr: 1,
      plan: plan(open),
      response: { summary: 'Again.', findings: [reported], resolved: [open.at(-2)!.id] },
      diff: diffMapOf(await api.pullRequestFiles(1)),
      posted: again,
      proof,
      dial,
      safe: (text) => text,
      warn: (message) => warnings.push(message)
    })
    expect(outcome.repeated).toEqual([reported])
    expect(outcome.resolved.map((entry) => entry.id)).toEqual([open.at(-2)!.id])
    expect(roots()).toBe(before)
    expect(warnings).toEqual([])
  })

  it('never loses the comment or its record to a body GitHub refuses', async () => {
    const codec = await TranscriptCodec.create(KEY, SECRET)
    const record = codec.encode(longRecord(KEY, 1000))!
    const sticky = new StickyComment(api, 1, KEY, proof, (message) => warnings.push(message))
    // too long: written as its essentials at once, no 422 asked for
    const url = await sticky.publish(`<!-- codex-thread-action:key=${KEY} -->\n${'a'.repeat(70_000)}\n${record}`)
    expect(url).toBeDefined()
    expect(server.comments).toHaveLength(1)
    const body = server.comments[0]!.body
    expect(body.length).toBeLessThanOrEqual(65_536)
    expect(readRecordMarker(body)?.payload).toBe(readRecordMarker(record)?.payload)
    expect(await sticky.find()).toBeDefined()

    // refused for another reason: written again as its essentials, the record kept
    server.fail({ method: 'PATCH', path: /\/issues\/comments\/\d+$/, status: 422, times: 1 })
    await sticky.publish(`<!-- codex-thread-action:key=${KEY} -->\nshort\n${record}`)
    expect(readRecordMarker(server.comments[0]!.body)?.payload).toBe(readRecordMarker(record)?.payload)
    expect(warnings).toHaveLength(1)
  })

  it('paces mutative requests only: GraphQL queries and REST reads do not queue behind a mutation', async () => {
    // a spacing no test outlasts: whatever is sent after the first mutation was not held back by it
    const octokit = createOctokit({ token: 'token', apiUrl: server.url, warn: () => {}, mutationSpacingMs: 600_000 })
    const mutation = (body: string) =>
      octokit.rest.issues.createComment({ owner: OWNER, repo: REPO, issue_number: 1, body })
    await mutation('first')
    void mutation('second').catch(() => undefined)
    await octokit.graphql('query { viewer { login } }')
    await octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 1 })
    expect(server.comments.map((comment) => comment.body)).toEqual(['first'])
    const graphql = server.requests.filter((request) => request.path === '/graphql')
    expect(graphql).toHaveLength(1)
  })
})

describe("the action's way to GitHub", () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('lets the limiters under octokit yield without a timer, which Node would stretch to 1 ms a step', async () => {
    createOctokit({ token: 'token', apiUrl: 'http://127.0.0.1:9', warn: () => {} })
    const store = (new Bottleneck() as unknown as { _store: { yieldLoop(t?: number): Promise<void> } })._store
    // with timers stopped, only a yield that needs none ends, and within two turns of the event loop
    vi.useFakeTimers({ toFake: ['setTimeout'] })
    const twoTurns = new Promise<'stuck'>((resolve) => setImmediate(() => setImmediate(() => resolve('stuck'))))
    expect(await Promise.race([store.yieldLoop().then(() => 'yielded'), twoTurns])).toBe('yielded')
  })
})
