import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { PullRequestOrigin } from '../support/checkout.js'
import { webhookExample } from '../support/github/events.js'
import { TEST_GITHUB_TOKEN, usePrHarness } from '../support/prHarness.js'
import { reviewAnswer, sampleFinding } from '../support/reviewScript.js'
import type { ActionRun, ActionRunOptions } from '../support/runAction.js'
import { requestText, type ModelScript } from '../support/scriptedModel.js'
import { tempDir } from '../support/tempDirs.js'

/*
 * Review mode on checkouts made the way actions/checkout makes them (the merge ref, fetch-depth 0, 1
 * and 2) and on the events GitHub really sends: the agent is never asked to review a diff it cannot
 * read, only the PR's own changes are new work, a head is reviewed once, and what cannot run skips green.
 */

const PR = 31
const harness = usePrHarness(PR)

const numbered = (count: number, change: (line: number) => string | undefined = () => undefined): string =>
  Array.from({ length: count }, (_, index) => change(index + 1) ?? `line ${index + 1}`).join('\n') + '\n'

/** A PR changing calc.ts on `feature`, while main moved on by three commits since the branch left it. */
function sampleOrigin(): PullRequestOrigin {
  const origin = new PullRequestOrigin(PR, { 'calc.ts': numbered(30), 'README.md': '# sample\n' })
  origin.commit('feature', { 'calc.ts': numbered(30, (line) => (line === 5 ? 'return a - b' : undefined)) })
  origin.commit('feature', {
    'calc.ts': numbered(30, (line) => (line === 5 ? 'return a - b' : line === 6 ? 'x' : undefined))
  })
  for (const doc of ['a', 'b', 'c']) origin.commit('main', { [`docs/${doc}.md`]: `${doc}\n` }, `docs ${doc}`)
  return origin
}

const git = (dir: string, ...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim()

/** The first `git diff` command this turn's prompt asks for, run in the checkout: the files it shows. */
function filesTheAgentReads(prompt: string, workspace: string): string[] {
  // the request holds the thread's earlier turns too: this turn's prompt is the last
  const turn = prompt.slice(prompt.lastIndexOf('You are reviewing a pull request'))
  const command = /`git diff ([^`]+)`/.exec(turn)![1]!
  return git(workspace, 'diff', '--name-only', ...command.split(' '))
    .split('\n')
    .filter(Boolean)
}

const store = () => ({ mode: 'review', prompt: '', 'thread-store': 'directory', 'thread-store-path': tempDir('store') })
const quiet = reviewAnswer({})
// a run that calls it anyway fails its review's schema, and the test's count of model requests
const never: ModelScript = () => ({ message: 'the model should not be called' })
const errorsOf = (run: ActionRun, kind: 'error' | 'warning' | 'notice') =>
  run.log.split('\n').filter((line) => line.startsWith(`::${kind}::`))
const actionReviews = () => harness.github.reviews.filter((review) => review.body.includes('Codex review'))

function review(
  script: ModelScript,
  inputs: Record<string, string>,
  workspace: string,
  payload: Record<string, unknown>,
  options: Partial<ActionRunOptions> = {}
): Promise<ActionRun> {
  return harness.run(script, inputs, { workspace, payload, ...options })
}

describe('review mode on real checkouts', () => {
  it('a shallow merge-ref checkout: fetches what it needs; re-runs, pushes, update branch, old runs and rebases', async () => {
    const origin = sampleOrigin()
    origin.publish(harness.github)
    const inputs = store()

    // fetch-depth 1 on the merge ref: neither base nor head is there, the action fetches them
    let workspace = origin.checkout({ depth: 1 })
    const first = await review(reviewAnswer({ findings: [sampleFinding()] }), inputs, workspace, origin.payload())
    expect(first.exitCode, first.log).toBe(0)
    expect(first.log).toContain('Fetching')
    let prompt = requestText(harness.model.requests[0])
    expect(prompt).toContain(`git diff ${origin.base}...${origin.head}`)
    expect(filesTheAgentReads(prompt, workspace)).toEqual(['calc.ts'])
    expect(actionReviews()).toHaveLength(1)
    // the token went to git on its command line only
    const config = readFileSync(path.join(workspace, '.git', 'config'), 'utf8')
    expect(config).not.toContain('extraheader')
    expect(config).not.toContain(Buffer.from(`x-access-token:${TEST_GITHUB_TOKEN}`).toString('base64'))

    // a re-run of the same job: the head is reviewed already
    const rerun = await review(never, inputs, workspace, origin.payload(), { env: { GITHUB_RUN_ATTEMPT: '2' } })
    expect(rerun.exitCode, rerun.log).toBe(0)
    expect(rerun.outputs.conclusion).toBe('skipped')
    expect(rerun.log).toMatch(/Skipped: commit [0-9a-f]{12} was already reviewed .*`@codex review`/)
    expect(harness.model.requests).toHaveLength(0)
    expect(actionReviews()).toHaveLength(1)

    // a push: what changed since
    const reviewed = origin.head
    origin.commit('feature', {
      'calc.ts': numbered(30, (line) => (line === 5 ? 'return a + b' : line === 6 ? 'x' : undefined))
    })
    origin.publish(harness.github)
    workspace = origin.checkout({ depth: 1 })
    const pushed = await review(quiet, inputs, workspace, origin.payload())
    expect(pushed.exitCode, pushed.log).toBe(0)
    prompt = requestText(harness.model.requests[0])
    expect(prompt).toContain(`git diff ${reviewed}..${origin.head}`)
    expect(filesTheAgentReads(prompt, workspace)).toEqual(['calc.ts'])

    // "Update branch" brings main's new file in, and the PR changes a line of its own: only that is new
    origin.commit('main', { 'lib/base.ts': 'export const fromBase = 1\n' }, 'base work')
    const beforeUpdate = origin.head
    origin.updateBranch()
    origin.commit('feature', {
      'calc.ts': numbered(30, (line) =>
        line === 5 ? 'return a + b' : line === 9 ? 'own' : line === 6 ? 'x' : undefined
      )
    })
    origin.publish(harness.github)
    const updatedWorkspace = origin.checkout({ depth: 1 })
    const updated = await review(quiet, inputs, updatedWorkspace, origin.payload())
    expect(updated.exitCode, updated.log).toBe(0)
    prompt = requestText(harness.model.requests[0])
    expect(prompt).toContain(
      `reviewed before, at commit ${beforeUpdate}. Since then the base branch was merged into it.`
    )
    expect(filesTheAgentReads(prompt, updatedWorkspace)).toEqual(['calc.ts'])
    expect(git(updatedWorkspace, 'diff', '--name-only', `${beforeUpdate}..${origin.head}`)).toContain('lib/base.ts')
    const updatedHead = origin.head

    // a rebase onto a newer main, force-pushed; then the older run is re-run: it skips, and moves nothing back
    origin.commit('main', { 'lib/more.ts': 'export const more = 1\n' }, 'more base work')
    origin.rebase()
    origin.publish(harness.github)
    const stale = await review(
      never,
      inputs,
      updatedWorkspace,
      origin.payload({ head: updatedHead, base: origin.sha('main~1') }),
      {
        env: { GITHUB_RUN_ATTEMPT: '2' }
      }
    )
    expect(stale.exitCode, stale.log).toBe(0)
    expect(stale.outputs.conclusion).toBe('skipped')
    expect(stale.log).toContain(`this run is for commit ${updatedHead.slice(0, 12)}, which is no longer the head`)
    expect(harness.model.requests).toHaveLength(0)

    workspace = origin.checkout({ depth: 1 })
    const rebased = await review(quiet, inputs, workspace, origin.payload())
    expect(rebased.exitCode, rebased.log).toBe(0)
    prompt = requestText(harness.model.requests[0])
    expect(prompt).toContain(`reviewed before, at commit ${updatedHead}. Since then the branch was rewritten`)
    // a pure rebase brings no change of the PR's own
    expect(filesTheAgentReads(prompt, workspace)).toEqual([])
    expect(actionReviews()).toHaveLength(4)
  })

  it('fetch-depth 2 on the head deepens to the merge base; fetch-depth 0 needs no fetch', async () => {
    const origin = sampleOrigin()
    origin.publish(harness.github)
    const shallow = origin.checkout({ ref: 'head', depth: 2 })
    const deepened = await review(quiet, store(), shallow, origin.payload())
    expect(deepened.exitCode, deepened.log).toBe(0)
    expect(deepened.log).toContain('--deepen=50')
    expect(filesTheAgentReads(requestText(harness.model.requests[0]), shallow)).toEqual(['calc.ts'])

    const reviewed = origin.head
    origin.commit('feature', { 'calc.ts': numbered(30, (line) => (line === 7 ? 'seven' : undefined)) })
    origin.publish(harness.github)
    const full = origin.checkout({ depth: 0 })
    const pushed = await review(quiet, store(), full, origin.payload())
    expect(pushed.exitCode, pushed.log).toBe(0)
    expect(pushed.log).not.toContain('Fetching')
    expect(requestText(harness.model.requests[0])).toContain(`git diff ${reviewed}..${origin.head}`)
  })

  it('refuses in one line, with no model call and nothing posted: a checkout not the PR, commits it cannot fetch', async () => {
    const origin = sampleOrigin()
    origin.publish(harness.github)
    const dispatch = { ...webhookExample('workflow_dispatch'), inputs: { pr: String(PR) } }

    // workflow_dispatch with a PR reviews the PR's head: the default branch checked out is refused
    const onMain = await review(never, store(), origin.checkout({ ref: 'main', depth: 1 }), dispatch, {
      eventName: 'workflow_dispatch'
    })
    expect(onMain.exitCode).toBe(1)
    expect(errorsOf(onMain, 'error')).toEqual([
      expect.stringContaining(`not pull request #${PR}'s head ${origin.head.slice(0, 12)} nor its merge ref`)
    ])
    // a shallow checkout whose remote cannot give the commits (gone, or no credentials)
    const cut = origin.checkout({ depth: 1 })
    git(cut, 'remote', 'set-url', 'origin', `file://${tempDir('gone')}/nothing`)
    const unreadable = await review(never, store(), cut, origin.payload())
    expect(unreadable.exitCode).toBe(1)
    const [error] = errorsOf(unreadable, 'error')
    expect(error).toMatch(/^::error::Cannot read pull request #31's diff: .* `fetch-depth: 0`$/)
    expect(errorsOf(unreadable, 'error')).toHaveLength(1)
    expect(unreadable.outputs.conclusion).toBe('failure')
    expect(harness.model.requests).toHaveLength(0)
    expect(actionReviews()).toHaveLength(0)

    const onHead = origin.checkout({ ref: 'head', depth: 0 })
    const dispatched = await review(quiet, store(), onHead, dispatch, { eventName: 'workflow_dispatch' })
    expect(dispatched.exitCode, dispatched.log).toBe(0)
    expect(requestText(harness.model.requests[0])).toContain(`git diff ${origin.base}...${origin.head}`)

    expect(actionReviews()).toHaveLength(1)
  })

  it('a review that could not be posted is retried by the next run; a closed PR is not reviewed', async () => {
    const origin = sampleOrigin()
    origin.publish(harness.github)
    const inputs = store()
    const workspace = origin.checkout({ depth: 0 })
    harness.github.fail({ method: 'POST', path: /\/pulls\/\d+\/reviews$/, status: 403, times: 1 })
    const failed = await review(quiet, inputs, workspace, origin.payload())
    expect(failed.exitCode, failed.log).toBe(0)
    expect(failed.log).toContain('::warning::Could not post the review')
    expect(actionReviews()).toHaveLength(0)

    const retried = await review(quiet, inputs, workspace, origin.payload())
    expect(retried.exitCode, retried.log).toBe(0)
    expect(harness.model.requests).toHaveLength(1)
    expect(actionReviews()).toHaveLength(1)

    origin.commit('feature', { 'calc.ts': numbered(30, (line) => (line === 8 ? 'late' : undefined)) })
    origin.publish(harness.github, { state: 'closed', merged: true })
    const closed = await review(never, inputs, origin.checkout({ depth: 0 }), origin.payload())
    expect(closed.exitCode, closed.log).toBe(0)
    expect(closed.outputs.conclusion).toBe('skipped')
    expect(closed.log).toContain(`Skipped: pull request #${PR} is merged: there is nothing to review`)
    expect(harness.model.requests).toHaveLength(0)
    expect(actionReviews()).toHaveLength(1)
  })

  it("skips green what cannot run: a fork's or Dependabot's PR without the key; a fork's read-only token warns once", async () => {
    const origin = sampleOrigin()
    origin.publish(harness.github)
    const workspace = origin.checkout({ depth: 0 })
    const fork = origin.payload() as { pull_request: { head: { repo: Record<string, unknown> } } }
    fork.pull_request.head.repo = { ...fork.pull_request.head.repo, full_name: 'mallory/demo' }
    const dependabot = { ...origin.payload(), sender: { login: 'dependabot[bot]', type: 'Bot' } }

    // GitHub withholds the secret: the key input is empty, and there is no keyless endpoint
    const withheld = { ...store(), 'openai-api-key': '', 'base-url': '' }
    for (const payload of [fork, dependabot]) {
      const run = await review(never, withheld, workspace, payload)
      expect(run.exitCode, run.log).toBe(0)
      expect(run.outputs.conclusion).toBe('skipped')
      expect(errorsOf(run, 'notice')).toEqual([expect.stringContaining('examples/fork-review.yml')])
      expect([...errorsOf(run, 'error'), ...errorsOf(run, 'warning')]).toEqual([])
    }
    expect(errorsOf(await review(never, withheld, workspace, fork), 'notice')[0]).toContain(
      'a pull_request run for a PR from a fork'
    )

    // the key given (a keyless endpoint, or secrets sent to forks): the review runs, its token cannot post
    const readOnly = await review(reviewAnswer({ findings: [sampleFinding()] }), store(), workspace, fork)
    expect(readOnly.exitCode, readOnly.log).toBe(0)
    expect(errorsOf(readOnly, 'warning')).toEqual([
      expect.stringMatching(
        /github-token is read-only: GitHub gives a pull_request run for a PR from a fork .*`permissions:`/
      )
    ])
    expect(readOnly.outputs.conclusion).toBe('success')
    expect(readOnly.outputs['findings-count']).toBe('1')
    expect(readOnly.summary).toContain('### Review findings')
    const writes = harness.github.requests.filter((request) => request.method !== 'GET' && request.path !== '/graphql')
    expect(writes).toEqual([])
  })
})
