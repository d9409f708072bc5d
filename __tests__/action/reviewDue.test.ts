import { describe, expect, it } from 'vitest'
import type { ReviewState } from '../../src/action/core/findings.js'
import { reviewNotDue } from '../../src/action/kinds/review/due.js'
import { restrictedPullRequest, withheldKeyReason } from '../../src/action/settings/forkPolicy.js'
import { readSettings } from '../../src/action/settings/settings.js'
import { pullRequestEvent } from '../support/github/events.js'
import { tempDir } from '../support/tempDirs.js'

const head = 'b'.repeat(40)
const open = { number: 7, headSha: head, state: 'open' as const }
const reviewed: ReviewState = { headSha: head, at: '2026-12-01T00:00:00Z', open: [] }
const due = (parts: Partial<Parameters<typeof reviewNotDue>[0]>) =>
  reviewNotDue({ event: open, current: open, lastReview: undefined, asked: false, triggerPhrase: '@codex', ...parts })

describe('reviewNotDue', () => {
  it('lets a new head, or a person asking again, through', () => {
    expect(due({})).toBeUndefined()
    expect(due({ lastReview: { ...reviewed, headSha: 'c'.repeat(40) } })).toBeUndefined()
    expect(due({ lastReview: reviewed, asked: true })).toBeUndefined()
  })

  it('skips a head already reviewed, a stale head and a closed or merged PR, saying why in one line', () => {
    expect(due({ lastReview: reviewed })).toBe(
      'commit bbbbbbbbbbbb was already reviewed (at 2026-12-01T00:00:00Z); comment `@codex review` or `@codex full review` to review it again'
    )
    expect(due({ current: { ...open, headSha: 'c'.repeat(40) }, asked: true })).toMatch(
      /^this run is for commit bbbbbbbbbbbb, which is no longer the head of pull request #7 \(now cccccccccccc\)/
    )
    expect(due({ current: { ...open, state: 'merged' }, asked: true })).toBe(
      'pull request #7 is merged: there is nothing to review'
    )
  })
})

describe('runs GitHub gives no secrets', () => {
  const context = (eventName: string, payload: Record<string, unknown>) => ({
    eventName,
    payload,
    repository: { owner: 'octo', repo: 'demo' }
  })
  const fork = () => {
    const payload = pullRequestEvent({ number: 7 }) as { pull_request: { head: { repo: Record<string, unknown> } } }
    payload.pull_request.head.repo = { ...payload.pull_request.head.repo, full_name: 'mallory/demo' }
    return payload
  }

  it("names a fork's and Dependabot's pull_request runs, and no other", () => {
    expect(restrictedPullRequest(context('pull_request', fork()))).toBe('a pull_request run for a PR from a fork')
    expect(restrictedPullRequest(context('pull_request_target', fork()))).toBeUndefined()
    const dependabot = { ...pullRequestEvent({ number: 7 }), sender: { login: 'dependabot[bot]' } }
    expect(restrictedPullRequest(context('pull_request', dependabot))).toBe('a pull_request run started by Dependabot')
    expect(restrictedPullRequest(context('pull_request', pullRequestEvent({ number: 7 })))).toBeUndefined()
  })

  it('an empty key is then a reason to skip, not an input error; elsewhere still the error', () => {
    const read = (name: string) => (name === 'prompt' ? 'Review' : '')
    const env = { GITHUB_WORKSPACE: tempDir('workspace') }
    const reason = withheldKeyReason('a pull_request run for a PR from a fork')
    expect(readSettings(read, env, reason).keyWithheld).toBe(reason)
    expect(reason).toContain('examples/fork-review.yml')
    expect(() => readSettings(read, env)).toThrow('Input "openai-api-key": is required')
  })
})
