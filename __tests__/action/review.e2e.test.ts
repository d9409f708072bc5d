import { describe, expect, it } from 'vitest'
import { findingId, type Finding, type ReviewResponse } from '../../src/action/core/findings.js'
import { usePrHarness } from '../support/prHarness.js'
import { PrRepo } from '../support/prRepo.js'
import { requestText, type ModelScript } from '../support/scriptedModel.js'
import { reviewAnswer, sampleFinding } from '../support/reviewScript.js'
import { tempDir } from '../support/tempDirs.js'

const PR = 21
const harness = usePrHarness(PR)

const numbered = (count: number, change: (line: number) => string | undefined = () => undefined): string =>
  Array.from({ length: count }, (_, index) => change(index + 1) ?? `line ${index + 1}`).join('\n') + '\n'

/** A PR that changes lines 5 and 6 of src/calc.ts (of 30) and adds src/new.ts. */
function samplePr(): PrRepo {
  const repo = new PrRepo({ 'calc.ts': numbered(30), 'README.md': '# sample\n' })
  repo.commit({
    'calc.ts': numbered(30, (line) => (line === 5 ? 'return a - b' : line === 6 ? 'const unused = 1' : undefined)),
    'new.ts': 'export const x = 1\nexport const y = 2\n'
  })
  return repo
}

const finding = (overrides: Partial<Finding>): Finding => sampleFinding({ suggestion: 'return a + b', ...overrides })

const subtracts = finding({})
const outsideDiff = finding({ line: 25, severity: 'minor', title: 'Stale comment', suggestion: null })
const newRange = finding({
  path: 'new.ts',
  line: 2,
  start_line: 1,
  severity: 'nit',
  title: 'Two exports could be one',
  suggestion: 'export const x = 1, y = 2'
})

const answer = reviewAnswer

/** The last line of a body with the given finding ids and a proof (checked in markerProof and identity tests). */
const provenMarker = (ids: string): RegExp =>
  new RegExp(`^<!-- codex-thread-action:finding=${ids} proof=[\\w-]{22} -->$`)

/** One review run of the action on the PR as `repo` has it now. */
const runReview = (repo: PrRepo, script: ModelScript, inputs: Record<string, string>) =>
  harness.run(script, inputs, { workspace: repo.dir, payload: repo.payload(PR) })

function reviewInputs(store: string, extra: Record<string, string> = {}): Record<string, string> {
  return { mode: 'review', prompt: '', 'thread-store': 'directory', 'thread-store-path': store, ...extra }
}

describe('review mode, end to end against the REST test server', () => {
  it('posts one COMMENT review: findings on diff lines inline with suggestions, the rest in the body', async () => {
    const repo = samplePr()
    repo.publish(harness.github, PR)
    const run = await runReview(
      repo,
      answer({ findings: [subtracts, outsideDiff, newRange] }),
      reviewInputs(tempDir('store'), { prompt: 'Mind the arithmetic.' })
    )
    expect(run.exitCode).toBe(0)

    const { reviews, reviewComments } = harness.github
    expect(reviews).toHaveLength(1)
    const review = reviews[0]!
    expect(review.state).toBe('COMMENTED')
    expect(review.commit_id).toBe(repo.head)
    expect(review.body).toContain('Looks mostly fine.')
    expect(review.body).toContain('Stale comment')
    expect(review.body).toContain('`calc.ts:25`')
    expect(review.body.trimEnd().split('\n').at(-1)).toMatch(provenMarker(findingId(outsideDiff)))

    expect(reviewComments.map((comment) => [comment.path, comment.start_line, comment.line])).toEqual([
      ['calc.ts', null, 5],
      ['new.ts', 1, 2]
    ])
    const first = reviewComments[0]!
    expect(first.body).toContain('**major** · Subtracts instead of adding')
    expect(first.body).toContain('```suggestion\nreturn a + b\n```')
    expect(first.body.trimEnd().split('\n').at(-1)).toMatch(provenMarker(findingId(subtracts)))

    expect(run.outputs['review-url']).toBe(review.html_url)
    expect(run.outputs['findings-count']).toBe('3')
    expect((JSON.parse(run.outputs['structured-output']!) as ReviewResponse).findings).toHaveLength(3)
    const sticky = harness.github.comments.find((comment) => comment.body.includes('codex-thread-action:key=pr-21'))!
    expect(sticky.body).toContain(`[open the review](${review.html_url})`)
    expect(sticky.body).toContain('1 major, 1 minor, 1 nit')
    expect(run.summary).toContain('### Review findings')
    expect(run.summary).toMatch(/\| 🟠 major \| `calc\.ts:5` \| `Subtracts instead of adding` \|/)

    // the prompt is the action's own, with the team's instructions and the range to review
    const prompt = requestText(harness.model.requests[0])
    expect(prompt).toContain('You are reviewing a pull request')
    expect(prompt).toContain('Mind the arithmetic.')
    expect(prompt).toContain(`git diff ${repo.base}...${repo.head}`)
    expect(harness.model.requests[0]!.body.text?.format?.type).toBe('json_schema')
  })

  it('puts a finding GitHub would refuse (a range across hunks) in the body and still posts the rest', async () => {
    const repo = samplePr()
    repo.commit({ 'calc.ts': numbered(30, (line) => (line === 5 ? 'return a - b' : line === 28 ? 'x' : undefined)) })
    repo.publish(harness.github, PR)
    const acrossHunks = finding({ line: 28, start_line: 5, title: 'Spans two hunks' })
    const run = await runReview(repo, answer({ findings: [acrossHunks, newRange] }), reviewInputs(tempDir('store')))
    expect(run.exitCode).toBe(0)
    expect(harness.github.reviews).toHaveLength(1)
    expect(harness.github.reviewComments.map((comment) => comment.path)).toEqual(['new.ts'])
    expect(harness.github.reviews[0]!.body).toContain('Spans two hunks')
    expect(harness.github.reviews[0]!.body).toContain('`calc.ts:5-28`')
  })

  it('when GitHub still refuses the inline comments (the diff moved), posts every finding in the body', async () => {
    const repo = samplePr()
    repo.publish(harness.github, PR)
    harness.github.fail({ method: 'POST', path: /\/pulls\/\d+\/reviews$/, status: 422, times: 1 })
    const run = await runReview(repo, answer({ findings: [subtracts, newRange] }), reviewInputs(tempDir('store')))
    expect(run.exitCode).toBe(0)
    expect(run.log).toMatch(
      /::warning::GitHub refused the review's inline comments .*posting every finding in its body/
    )
    expect(harness.github.reviews).toHaveLength(1)
    expect(harness.github.reviewComments).toHaveLength(0)
    const body = harness.github.reviews[0]!.body
    expect(body).toContain('Subtracts instead of adding')
    expect(body).toContain('Two exports could be one')
    expect(body.trimEnd().split('\n').at(-1)).toMatch(provenMarker(`${findingId(subtracts)},${findingId(newRange)}`))
  })

  it('reviews a head once, and after a new commit reviews the range since, resolves a fixed finding, repeats none', async () => {
    const repo = samplePr()
    repo.publish(harness.github, PR)
    const store = tempDir('store')
    const first = await runReview(repo, answer({ findings: [subtracts, newRange] }), reviewInputs(store))
    expect(first.exitCode).toBe(0)
    const reviewed = repo.head

    // the same head again (a re-run): no model call, nothing posted
    const second = await runReview(repo, answer({ findings: [subtracts, newRange] }), reviewInputs(store))
    expect(second.exitCode).toBe(0)
    expect(second.outputs.conclusion).toBe('skipped')
    expect(harness.model.requests).toHaveLength(0)
    expect(harness.github.reviews).toHaveLength(1)

    // a fix lands: the next review covers what changed since, and the agent reports the finding fixed
    repo.commit({ 'calc.ts': numbered(30, (line) => (line === 5 ? 'return a + b' : undefined)) })
    repo.publish(harness.github, PR)
    const third = await runReview(
      repo,
      answer({ findings: [newRange], resolved: [findingId(subtracts)] }),
      reviewInputs(store)
    )
    expect(third.exitCode).toBe(0)
    const prompt = requestText(harness.model.requests[0])
    expect(prompt).toContain(`git diff ${reviewed}..${repo.head}`)
    expect(prompt).toContain(findingId(subtracts))
    expect(prompt).toContain(findingId(newRange))
    expect(harness.github.reviewComments.filter((comment) => comment.in_reply_to_id === undefined)).toHaveLength(2)
    // GitHub files each reply under a review of its own: the action's are known by their heading
    expect(harness.github.reviews.filter((review) => review.body.includes('Codex review')).at(-1)!.body).toContain(
      '1 finding(s) already posted in an earlier review are not repeated'
    )

    const thread = harness.github.reviewThreads(PR).find((entry) => entry.path === 'calc.ts')!
    expect(thread.isResolved).toBe(true)
    const reply = harness.github.reviewComments.find((comment) => comment.in_reply_to_id !== undefined)!
    expect(reply.body).toBe(`✅ Fixed in ${repo.head}.`)
    expect(harness.github.reviewThreads(PR).find((entry) => entry.path === 'new.ts')!.isResolved).toBe(false)
    const sticky = harness.github.comments.find((comment) => comment.body.includes('codex-thread-action:key=pr-21'))!
    expect(sticky.body).toContain('resolved: 1')
  })

  it('after a force-push reviews what differs from the last reviewed commit, and says the branch was rewritten', async () => {
    const repo = samplePr()
    repo.publish(harness.github, PR)
    const store = tempDir('store')
    await runReview(repo, answer({ findings: [subtracts] }), reviewInputs(store))
    const dropped = repo.head
    repo.forcePush({ 'calc.ts': numbered(30, (line) => (line === 7 ? 'rewritten' : undefined)) })
    repo.publish(harness.github, PR)
    const run = await runReview(repo, answer({}), reviewInputs(store))
    expect(run.exitCode).toBe(0)
    const prompt = requestText(harness.model.requests[0])
    expect(prompt).toContain('Since then the branch was rewritten (rebased or force-pushed).')
    expect(prompt).toContain(`git diff ${dropped}..${repo.head}`)
  })

  it('without the permission to resolve a thread, warns and still publishes the review', async () => {
    const repo = samplePr()
    repo.publish(harness.github, PR)
    const store = tempDir('store')
    await runReview(repo, answer({ findings: [subtracts] }), reviewInputs(store))
    repo.commit({ 'calc.ts': numbered(30, (line) => (line === 5 ? 'return a + b' : undefined)) })
    repo.publish(harness.github, PR)
    harness.github.resolveForbidden = true
    const run = await runReview(repo, answer({ resolved: [findingId(subtracts)] }), reviewInputs(store))
    expect(run.exitCode).toBe(0)
    expect(run.log).toMatch(/::warning::Could not resolve the review thread of a fixed finding \(the token needs/)
    // GitHub files each reply under a review of its own: count the action's reviews by their heading
    expect(harness.github.reviews.filter((review) => review.body.includes('Codex review'))).toHaveLength(2)
    expect(harness.github.reviewThreads(PR)[0]!.isResolved).toBe(false)
  })

  it('fail-on-severity fails the step after publishing, counting the findings by severity', async () => {
    const repo = samplePr()
    repo.publish(harness.github, PR)
    const run = await runReview(
      repo,
      answer({ findings: [subtracts, newRange] }),
      reviewInputs(tempDir('store'), { 'fail-on-severity': 'major' })
    )
    expect(run.exitCode).toBe(1)
    expect(run.log).toContain(
      '::error::The review found 1 finding(s) of severity major or worse (fail-on-severity): 1 major, 1 nit'
    )
    expect(harness.github.reviews).toHaveLength(1)
    expect(run.outputs.conclusion).toBe('success')

    const lenient = await runReview(
      repo,
      answer({ findings: [newRange] }),
      reviewInputs(tempDir('store'), { 'fail-on-severity': 'minor' })
    )
    expect(lenient.exitCode).toBe(0)
  })

  it('refuses output-schema with mode review, naming the input', async () => {
    const run = await harness.run(answer({}), {
      mode: 'review',
      'output-schema': '{"type":"object","properties":{},"required":[],"additionalProperties":false}'
    })
    expect(run.exitCode).toBe(1)
    expect(run.log).toContain('::error::Input "output-schema": cannot be given with mode: review')
    expect(harness.github.reviews).toHaveLength(0)
  })
})
