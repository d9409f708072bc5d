import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { findingId, type Finding, type ReviewResponse } from '../../src/action/core/findings.js'
import { issueCommentEvent, reviewCommentEvent } from '../support/github/events.js'
import { now, user } from '../support/github/http.js'
import type { StoredReviewComment } from '../support/githubServer.js'
import { usePrHarness } from '../support/prHarness.js'
import { PrRepo } from '../support/prRepo.js'
import { requestText, type ModelRequest, type ModelScript } from '../support/scriptedModel.js'
import { reviewAnswer, sampleFinding } from '../support/reviewScript.js'
import { tempDir } from '../support/tempDirs.js'

const PR = 41
const harness = usePrHarness(PR)

const numbered = (count: number, change: (line: number) => string | undefined = () => undefined): string =>
  Array.from({ length: count }, (_, index) => change(index + 1) ?? `line ${index + 1}`).join('\n') + '\n'

/**
 * A PR that changes lines 1-12 of calc.ts, a lockfile, a file the base's .gitattributes marks
 * generated, and a doc; its own .gitattributes marks calc.ts generated, which must not count.
 */
function samplePr(): PrRepo {
  const repo = new PrRepo({
    'calc.ts': numbered(30),
    'package-lock.json': '{}\n',
    'gen/api.ts': 'old\n',
    'docs/guide.md': 'old\n',
    '.gitattributes': 'gen/** linguist-generated=true\n'
  })
  repo.commit({
    'calc.ts': numbered(30, (line) => (line <= 12 ? `changed ${line}` : undefined)),
    'package-lock.json': '{"lockfileVersion": 3}\n',
    'gen/api.ts': 'new\n',
    'docs/guide.md': 'new\n',
    '.gitattributes': 'gen/** linguist-generated=true\ncalc.ts linguist-generated\n'
  })
  repo.publish(harness.github, PR)
  return repo
}

const finding = (overrides: Partial<Finding>): Finding =>
  sampleFinding({ line: 1, title: 'A problem', body: 'Explained.', ...overrides })

const answer = (response: Partial<ReviewResponse>): ModelScript => reviewAnswer(response, 'Reviewed.')

const never: ModelScript = () => ({ message: 'the model should not be called' })

const stored = (): Record<string, string> => ({
  prompt: '',
  'thread-store': 'directory',
  'thread-store-path': tempDir('store')
})

const review = (repo: PrRepo, script: ModelScript, inputs: Record<string, string>) =>
  harness.run(script, { mode: 'review', ...inputs }, { workspace: repo.dir, payload: repo.payload(PR) })

/** A new push to the PR (a head is reviewed once): a line of notes.md, which no finding is about. */
function push(repo: PrRepo): void {
  repo.commit({ 'notes.md': `after ${repo.head}\n` })
  repo.publish(harness.github, PR)
}

/** A PR comment by `login` and the run of its issue_comment event. */
function comment(repo: PrRepo, script: ModelScript, inputs: Record<string, string>, body: string, login = 'alice') {
  const asked = harness.github.addComment(PR, body, login)
  const payload = issueCommentEvent({ number: PR, id: asked.id, body, sender: login })
  return harness.run(script, inputs, { eventName: 'issue_comment', payload, workspace: repo.dir })
}

/** A reply by alice in a review thread, and the run of its pull_request_review_comment event. */
function reply(
  repo: PrRepo,
  script: ModelScript,
  inputs: Record<string, string>,
  to: StoredReviewComment,
  body: string
) {
  const written = harness.github.addReviewComment(PR, { body, in_reply_to: to.id })
  const payload = reviewCommentEvent({
    number: PR,
    comment: written,
    base: { sha: repo.base },
    head: { sha: repo.head }
  })
  return harness.run(script, inputs, { eventName: 'pull_request_review_comment', payload, workspace: repo.dir })
}

const sticky = () => harness.github.comments.find((entry) => entry.body.includes('codex-thread-action:key=pr-41'))!
const actionReviews = () => harness.github.reviews.filter((entry) => entry.body.includes('Codex review'))
const inlineTitles = () =>
  harness.github.reviewComments
    .filter((entry) => entry.in_reply_to_id === undefined)
    .map((entry) => /· (.*)\n/.exec(entry.body)?.[1])
/** This turn's prompt: the last user message (a resumed thread's request carries the earlier turns too). */
function turnPrompt(request: ModelRequest | undefined): string {
  const message = [...(request?.body.input ?? [])]
    .reverse()
    .find((item) => item.type === 'message' && item.role === 'user')
  return requestText(request && { ...request, body: { ...request.body, input: message ? [message] : [] } })
}
/** The first `git diff` command the review prompt gives the agent. */
const diffCommand = (prompt: string): string => /`(git diff [^`]+)`/.exec(prompt.replace(/\\"/g, '"'))![1]!

describe('the noise dial', () => {
  it('posts at most max-comments inline at min-severity or worse, most severe first; lists the rest, loses none', async () => {
    const repo = samplePr()
    const severities = ['nit', 'minor', 'critical', 'nit', 'major', 'minor', 'major', 'nit'] as const
    const findings = severities.map((severity, index) =>
      finding({ line: index + 1, severity, title: `Finding ${index + 1} (${severity})` })
    )
    const run = await review(repo, answer({ findings }), { ...stored(), 'min-severity': 'minor', 'max-comments': '3' })
    expect(run.exitCode).toBe(0)
    expect(inlineTitles()).toEqual(['Finding 3 (critical)', 'Finding 5 (major)', 'Finding 7 (major)'])
    const body = actionReviews()[0]!.body
    expect(body).toContain('<summary>5 more finding(s), below minor (min-severity) or past 3 inline comments')
    for (const index of [2, 6, 1, 4, 8]) expect(body).toContain(`Finding ${index} (`)
    expect(body).toContain('**New findings:** 1 critical, 2 major, 2 minor, 3 nit (3 on the diff lines)')
    // every finding stays in structured-output and the summary
    expect((JSON.parse(run.outputs['structured-output']!) as ReviewResponse).findings).toHaveLength(8)
    expect(run.summary.match(/\| listed \(min-severity \/ max-comments\) \|/g)).toHaveLength(5)
    expect(run.summary.match(/\| inline \|/g)).toHaveLength(3)
    expect(sticky().body).toContain('listed only: 5')

    // the listed findings count as posted: the next review does not post them again
    const again = await review(repo, answer({ findings }), {
      ...stored(),
      'min-severity': 'minor',
      'max-comments': '3'
    })
    expect(again.exitCode).toBe(0)
    expect(harness.github.reviewComments).toHaveLength(3)
  })

  it('without the dial, every finding on the diff lines is posted inline', async () => {
    const repo = samplePr()
    const findings = Array.from({ length: 12 }, (_, index) =>
      finding({ line: index + 1, severity: index % 2 ? 'nit' : 'minor', title: `F${index}` })
    )
    const run = await review(repo, answer({ findings }), stored())
    expect(run.exitCode).toBe(0)
    expect(harness.github.reviewComments).toHaveLength(12)
  })

  it("leaves ignored files out of the agent's diff and posts no finding on them; the PR's .gitattributes does not count", async () => {
    const repo = samplePr()
    const findings = [
      finding({ title: 'On the code' }),
      finding({ path: 'package-lock.json', title: 'On the lockfile' }),
      finding({ path: 'gen/api.ts', title: 'On generated code' }),
      finding({ path: 'docs/guide.md', title: 'On the docs' })
    ]
    const run = await review(repo, answer({ findings }), { ...stored(), 'ignore-paths': 'docs/**' })
    expect(run.exitCode).toBe(0)
    expect(inlineTitles()).toEqual(['On the code'])
    expect(actionReviews()[0]!.body).not.toMatch(/On the (lockfile|docs)|On generated/)
    expect(run.summary.match(/\| ignored \(ignore-paths\) \|/g)).toHaveLength(3)
    expect(sticky().body).toContain('ignored: 3')

    // the command the agent is given really leaves them out
    const command = diffCommand(turnPrompt(harness.model.requests[0]))
    expect(command).toContain("':(top,exclude,glob)docs/**'")
    const changed = execFileSync('bash', ['-c', command.replace('git diff', 'git diff --name-only')], {
      cwd: repo.dir,
      encoding: 'utf8'
    })
    expect(changed.split('\n').filter(Boolean).sort()).toEqual(['.gitattributes', 'calc.ts'])
  })

  it('with !defaults, reviews lockfiles and generated files again', async () => {
    const repo = samplePr()
    const findings = [
      finding({ path: 'package-lock.json', title: 'On the lockfile' }),
      finding({ path: 'gen/api.ts', title: 'On generated code' })
    ]
    const run = await review(repo, answer({ findings }), { ...stored(), 'ignore-paths': '!defaults' })
    expect(run.exitCode).toBe(0)
    expect(inlineTitles()).toEqual(['On the lockfile', 'On generated code'])
    expect(turnPrompt(harness.model.requests[0])).not.toContain('exclude')
  })

  it.each([
    ['min-severity', 'loud', 'Input "min-severity": "loud" is not one of critical, major, minor, nit'],
    ['max-comments', '2.5', 'Input "max-comments": "2.5" is not a whole number of comments from 0 to 9999'],
    [
      'ignore-paths',
      '../secrets/**',
      'Input "ignore-paths": "../secrets/**" is not a glob relative to the repository root'
    ]
  ])('refuses a bad %s in one line, before any model call', async (name, value, message) => {
    const repo = samplePr()
    const run = await review(repo, never, { ...stored(), [name]: value })
    expect(run.exitCode).toBe(1)
    expect(run.log).toContain(`::error::${message}`)
    expect(harness.model.requests).toHaveLength(0)
  })
})

describe('commands in a comment', () => {
  it('review: reviews now whatever mode says, with 👀 and a reply linking the review; full review: the whole PR again', async () => {
    const repo = samplePr()
    const store = stored()
    const first = finding({ title: 'First' })
    const run = await comment(repo, answer({ findings: [first] }), store, '@codex review')
    expect(run.exitCode).toBe(0)
    const posted = actionReviews()[0]!
    expect(inlineTitles()).toEqual(['First'])
    const asked = harness.github.comments.find((entry) => entry.body === '@codex review')!
    expect(harness.github.reactions).toEqual([
      expect.objectContaining({ subject: 'issue_comment', subject_id: asked.id, content: 'eyes' })
    ])
    const replied = harness.github.comments.find((entry) => entry.body.includes('[Review posted]'))!
    expect(replied.body).toContain(posted.html_url)
    expect(turnPrompt(harness.model.requests[0])).toContain('You are reviewing a pull request')

    // a new commit: review covers what changed since, full review the whole PR; posted findings are not posted twice
    const reviewed = repo.head
    repo.commit({ 'calc.ts': numbered(30, (line) => (line <= 13 ? `changed ${line}` : undefined)) })
    repo.publish(harness.github, PR)
    const incremental = await comment(repo, answer({ findings: [first] }), store, '@codex Review')
    expect(incremental.exitCode).toBe(0)
    expect(diffCommand(turnPrompt(harness.model.requests[0]))).toContain(`git diff ${reviewed}..${repo.head}`)
    const full = await comment(repo, answer({ findings: [first] }), store, '@codex full review please')
    expect(full.exitCode).toBe(0)
    expect(diffCommand(turnPrompt(harness.model.requests[0]))).toContain(`git diff ${repo.base}...${repo.head}`)
    expect(turnPrompt(harness.model.requests[0])).toContain(findingId(first))
    expect(inlineTitles()).toEqual(['First'])
    expect(actionReviews()).toHaveLength(3)
  })

  it('pause stops automatic reviews with no model call until resume; the review command still runs', async () => {
    const repo = samplePr()
    const store = stored()
    const paused = await comment(repo, never, store, '@codex pause')
    expect(paused.exitCode).toBe(0)
    expect(harness.model.requests).toHaveLength(0)
    expect(
      harness.github.comments.some((entry) => entry.body.includes('Automatic reviews of this pull request are paused'))
    ).toBe(true)

    const skipped = await review(repo, never, store)
    expect(skipped.exitCode).toBe(0)
    expect(harness.model.requests).toHaveLength(0)
    expect(skipped.outputs.conclusion).toBe('skipped')
    expect(skipped.log).toMatch(
      /Skipped: automatic reviews of this pull request were paused by @alice at .*; comment `@codex resume` to start them again/
    )
    expect(actionReviews()).toHaveLength(0)

    const resumed = await comment(repo, never, store, '@codex RESUME')
    expect(resumed.exitCode).toBe(0)
    expect(harness.model.requests).toHaveLength(0)
    expect(harness.github.comments.some((entry) => entry.body.includes('running again'))).toBe(true)
    const reviewed = await review(repo, answer({}), store)
    expect(reviewed.exitCode).toBe(0)
    expect(harness.model.requests).toHaveLength(1)
    expect(actionReviews()).toHaveLength(1)
  })

  it('help answers with the commands and the inputs, with no model call', async () => {
    const repo = samplePr()
    const run = await comment(repo, never, stored(), '@codex help')
    expect(run.exitCode).toBe(0)
    expect(harness.model.requests).toHaveLength(0)
    const answered = harness.github.comments.find((entry) => entry.body.includes('Commands (write them'))!
    for (const word of [
      'review',
      'full review',
      'pause',
      'resume',
      'dismiss [reason]',
      'min-severity',
      'max-comments',
      'ignore-paths'
    ])
      expect(answered.body).toContain(word)
  })

  it('on a spent thread-token-budget, a command still runs (it calls no model) and a question is skipped', async () => {
    const repo = samplePr()
    const store = { ...stored(), 'thread-token-budget': '1' }
    expect((await review(repo, answer({}), store)).outputs.conclusion).toBe('success')

    const paused = await comment(repo, never, store, '@codex pause')
    expect(paused.outputs.conclusion).toBe('success')
    expect(
      harness.github.comments.some((entry) => entry.body.includes('Automatic reviews of this pull request are paused'))
    ).toBe(true)
    const asked = await comment(repo, never, store, '@codex why does this change the sum?')
    expect(asked.outputs.conclusion).toBe('skipped')
    expect(asked.log).toContain('thread-token-budget is spent')
    // the model server's requests are this run's
    expect(harness.model.requests).toHaveLength(0)
  })

  it('the actor gate applies to commands: pause by someone without write access changes nothing', async () => {
    const repo = samplePr()
    const store = stored()
    harness.github.permissions.set('mallory', 'read')
    const refused = await comment(repo, never, store, '@codex pause', 'mallory')
    expect(refused.outputs.conclusion).toBe('skipped')
    const reviewed = await review(repo, answer({}), store)
    expect(reviewed.outputs.conclusion).toBe('success')
    expect(harness.model.requests).toHaveLength(1)
  })
})

describe('dismissed findings stay dismissed', () => {
  /** A first review posting `findings`, then what the next review's prompt and outcome say. */
  async function firstReview(findings: Finding[]) {
    const repo = samplePr()
    const store = stored()
    expect((await review(repo, answer({ findings }), store)).exitCode).toBe(0)
    const threadOf = (title: string) =>
      harness.github.reviewComments.find((entry) => entry.in_reply_to_id === undefined && entry.body.includes(title))!
    return { repo, store, threadOf }
  }

  const one = finding({ title: 'Rename this' })
  const two = finding({ line: 2, severity: 'minor', title: 'Split this' })

  it('dismiss [reason] in the finding thread: confirmed with no model call, listed in the next prompt, never posted again', async () => {
    const { repo, store, threadOf } = await firstReview([one, two])
    const run = await reply(repo, never, store, threadOf('Rename this'), '@codex dismiss we keep the name for the API')
    expect(run.exitCode).toBe(0)
    expect(harness.model.requests).toHaveLength(0)
    expect(harness.github.reviewComments.at(-1)!.body).toContain(
      'Dismissed: this finding is not posted again on this pull request (reason: we keep the name for the API)'
    )

    push(repo)
    const next = await review(repo, answer({ findings: [one] }), { ...store, 'ignore-paths': '' })
    expect(next.exitCode).toBe(0)
    const prompt = turnPrompt(harness.model.requests[0])
    expect(prompt).toContain(`${findingId(one)} dismissed by @alice (command)`)
    expect(prompt).toContain('we keep the name for the API')
    expect(prompt).toContain('The team has decided on the dismissed findings')
    expect(actionReviews().at(-1)!.body).toContain(
      '1 finding(s) the team dismissed on this pull request are not posted again'
    )
    expect(sticky().body).toContain('dismissed: 1')
    expect(next.summary).toContain('| dismissed by the team |')

    // even a full review does not post it again, and the record keeps it for every later review
    const full = await comment(repo, answer({ findings: [one] }), store, '@codex full review')
    expect(full.exitCode).toBe(0)
    expect(turnPrompt(harness.model.requests[0])).toContain(`${findingId(one)} dismissed by @alice`)
    expect(harness.github.reviewComments.filter((entry) => entry.body.includes('Rename this'))).toHaveLength(1)
  })

  it('dismiss outside a finding thread dismisses nothing, and says so', async () => {
    const { repo, store } = await firstReview([one])
    const run = await comment(repo, never, store, '@codex dismiss')
    expect(run.exitCode).toBe(0)
    expect(harness.github.comments.some((entry) => entry.body.includes('Write `dismiss` in the review thread'))).toBe(
      true
    )
  })

  it('a thread resolved by a person dismisses its finding; one the action resolved as fixed does not', async () => {
    const { repo, store, threadOf } = await firstReview([one, two])
    harness.github.resolvedThreads.set(threadOf('Rename this').id, 'alice')
    push(repo)
    const next = await review(repo, answer({ findings: [one], resolved: [findingId(two)] }), store)
    expect(next.exitCode).toBe(0)
    const prompt = turnPrompt(harness.model.requests[0])
    expect(prompt).toContain(`${findingId(one)} dismissed by @alice (resolved)`)
    expect(prompt).not.toContain(`${findingId(two)} dismissed`)
    // the action resolved the fixed one itself: the review after does not take it for dismissed
    push(repo)
    const after = await review(repo, answer({}), store)
    expect(after.exitCode).toBe(0)
    expect(turnPrompt(harness.model.requests[0])).not.toContain(`${findingId(two)} dismissed`)
    expect(sticky().body).toContain('dismissed: 0')
  })

  it('a 👎 dismisses when its author has write access, and not otherwise', async () => {
    const { repo, store, threadOf } = await firstReview([one, two])
    harness.github.permissions.set('reader', 'read')
    const thumbsDown = (commentId: number, login: string) =>
      harness.github.reactions.push({
        id: 1000 + harness.github.reactions.length,
        node_id: `REA_${harness.github.reactions.length}`,
        subject: 'pull_request_review_comment',
        subject_id: commentId,
        user: user(login),
        content: '-1',
        created_at: now()
      })
    thumbsDown(threadOf('Rename this').id, 'alice')
    thumbsDown(threadOf('Split this').id, 'reader')
    push(repo)
    const next = await review(repo, answer({ findings: [one, two] }), store)
    expect(next.exitCode).toBe(0)
    const prompt = turnPrompt(harness.model.requests[0])
    expect(prompt).toContain(`${findingId(one)} dismissed by @alice (thumbs-down)`)
    expect(prompt).not.toContain(`${findingId(two)} dismissed`)
    expect(next.summary.match(/\| dismissed by the team \|/g)).toHaveLength(1)
    expect(next.summary.match(/\| already posted \|/g)).toHaveLength(1)
  })
})
