import type { ReviewState } from '../../src/action/core/findings.js'
import { commentMarker } from '../../src/action/core/markers.js'
import { connectGitHub, type GitHubApi } from '../../src/action/github/api.js'
import { StickyComment } from '../../src/action/github/stickyComment.js'
import { diffMapOf } from '../../src/action/kinds/review/diff.js'
import { openFindingFacts, type ReviewPlan } from '../../src/action/kinds/review/plan.js'
import { nextReviewState, postReview } from '../../src/action/kinds/review/post.js'
import { readPostedFindings } from '../../src/action/kinds/review/posted.js'
import { createMarkerProof } from '../../src/action/thread/markerProof.js'
import { TranscriptCodec } from '../../src/action/thread/transcript.js'
import { OWNER, REPO, type GitHubServer } from '../../__tests__/support/githubServer.js'
import { LONG_PR_HEAD as HEAD, longPrServer, longRecord, manyFindings } from '../../__tests__/support/longPr.js'
import { ms, type Row, type SectionResult } from './report.js'

/*
 * Issue 33's two GitHub costs of a long-lived PR, measured on the modules the action runs, against the GitHub
 * test server with the action's own octokit (throttling and all): the sticky comment and its record against the
 * PR's open findings, and the time the action's GitHub calls take against fixed findings and review threads.
 * The same file runs against an older src/ for the "before" column; it measures and asserts nothing.
 */

const KEY = 'pr-1'
const SECRET = 'bench-secret'
const proof = createMarkerProof(KEY, SECRET)
const quiet = (): void => undefined
/** A typical answer of the comment besides its record: a review's summary and findings table. */
const ANSWER = 'a'.repeat(12_000)

/** The action's GitHub client on `server`: as the action makes it unless `unpaced` (for setting the scene). */
function connect(server: GitHubServer, unpaced = false): GitHubApi {
  const context = { apiUrl: server.url, repository: { owner: OWNER, repo: REPO } }
  return connectGitHub('token', context, quiet, unpaced ? { mutationSpacingMs: 0 } : {})!.api
}

const plan = (open: ReviewState['open'] = []): ReviewPlan => ({ headSha: HEAD, open, excludes: [], dismissed: [] })
const dial = { ignores: () => false, minSeverity: 'nit' as const, maxComments: 10_000 }

/** An earlier review of `count` findings, all on the diff lines: `count` review threads. */
async function earlierReview(server: GitHubServer, count: number): Promise<ReviewState> {
  const api = connect(server, true)
  const first = plan()
  const outcome = await postReview({
    api,
    pr: 1,
    plan: first,
    response: { summary: 'First look.', findings: manyFindings(count), resolved: [] },
    diff: diffMapOf(await api.pullRequestFiles(1)),
    posted: new Map(),
    proof,
    dial,
    safe: (text) => text,
    warn: quiet
  })
  return nextReviewState(first, outcome, '2026-01-01T00:00:00.000Z')!
}

export interface SizePoint {
  open: number
  recordChars: number
  commentChars: number
  written: boolean
  promptChars: number
}

/** The sticky comment and its record against open findings: written through the test server, which refuses past 65,536. */
export async function sizeSeries(points = [10, 100, 390, 1000]): Promise<SizePoint[]> {
  const codec = await TranscriptCodec.create(KEY, SECRET)
  const series: SizePoint[] = []
  for (const open of points) {
    const server = await longPrServer(10)
    try {
      const record = longRecord(KEY, open)
      const marker = codec.encode(record)!
      const sticky = new StickyComment(connect(server, true), 1, KEY, proof, quiet)
      const url = await sticky.publish([commentMarker(KEY), ANSWER, marker].join('\n'))
      const facts = openFindingFacts(plan(record.review!.open)).join('\n')
      series.push({
        open,
        recordChars: marker.length,
        commentChars: server.comments[0]?.body.length ?? 0,
        written: url !== undefined,
        promptChars: facts.length
      })
    } finally {
      await server.close()
    }
  }
  return series
}

export interface TimePoint {
  count: number
  ms: number
  requests: number
}

/**
 * A push that fixes `count` findings: the review's GitHub writes (the review, the fixed findings' threads
 * replied to and resolved) and then the sticky comment's final write, as publishTurn runs them.
 */
export async function fixedSeries(points = [1, 10, 50, 100]): Promise<TimePoint[]> {
  const series: TimePoint[] = []
  for (const count of points) {
    const server = await longPrServer(Math.max(count, 10))
    try {
      const state = await earlierReview(server, count)
      const api = connect(server)
      const posted = await readPostedFindings(api, 1, proof, quiet)
      const sticky = new StickyComment(api, 1, KEY, proof, quiet)
      await sticky.find()
      const before = server.requests.length
      const started = performance.now()
      await postReview({
        api,
        pr: 1,
        plan: plan(state.open),
        response: { summary: 'Fixed.', findings: [], resolved: state.open.map((finding) => finding.id) },
        diff: diffMapOf(await api.pullRequestFiles(1)),
        posted,
        proof,
        dial,
        safe: (text) => text,
        warn: quiet
      })
      await sticky.publish(`${commentMarker(KEY)}\nDone.`)
      series.push({ count, ms: performance.now() - started, requests: server.requests.length - before })
    } finally {
      await server.close()
    }
  }
  return series
}

/** A review's GitHub reads before codex starts on a PR with `count` review threads: the posted findings and their threads. */
export async function threadSeries(points = [5, 100, 400, 1000]): Promise<TimePoint[]> {
  const series: TimePoint[] = []
  for (const count of points) {
    const server = await longPrServer(count)
    try {
      await earlierReview(server, count)
      const api = connect(server)
      const before = server.requests.length
      const started = performance.now()
      await Promise.all([readPostedFindings(api, 1, proof, quiet), api.viewer()])
      series.push({ count, ms: performance.now() - started, requests: server.requests.length - before })
    } finally {
      await server.close()
    }
  }
  return series
}

const chars = (value: number): string => value.toLocaleString('en-US')

/** `npm run bench -- --only=writes`: issue 33's record size and GitHub write series. */
export async function writes(): Promise<SectionResult> {
  const sizes = await sizeSeries()
  const fixed = await fixedSeries()
  const threads = await threadSeries()
  const rows: Row[] = [
    ...sizes.map((point) => ({
      item: 'writes',
      measure: `record / sticky comment with ${chars(point.open)} open findings`,
      median: `${chars(point.recordChars)} / ${point.written ? chars(point.commentChars) : 'refused (422)'}`,
      note: `prompt's open-findings list ${chars(point.promptChars)} chars (~${chars(Math.round(point.promptChars / 4))} tokens)`
    })),
    ...fixed.map((point) => ({
      item: 'writes',
      measure: `review + sticky comment writes, ${point.count} fixed finding(s)`,
      median: ms(point.ms),
      note: `${point.requests} requests`
    })),
    ...threads.map((point) => ({
      item: 'writes',
      measure: `GitHub reads before codex, ${point.count} review threads`,
      median: ms(point.ms),
      note: `${point.requests} requests`
    }))
  ]
  return {
    title: "A long-lived PR's record and GitHub writes (issue 33)",
    rows,
    explanation:
      "Run on the action's modules against the GitHub test server, with the action's own octokit (retry, throttling " +
      'and the pacing of writes). Record: a PR thread of 20 turns (2,000-character prompts and answers) and N open ' +
      'findings (~60-character titles), encoded for the sticky comment, then written with a 12,000-character answer; ' +
      'the server refuses a body past 65,536 characters as GitHub does. Fixed findings: an earlier review left N ' +
      'review threads; the timed part is what publishTurn does on the push that fixes them all (the review, each ' +
      "fixed finding's thread replied to and resolved, then the sticky comment's final write). Threads: the reads a " +
      "review makes before codex starts (the PR's reviews, review comments, review threads, and the token's login). " +
      'One run per point; the times are mostly the pacing of writes, which does not depend on the machine.'
  }
}
