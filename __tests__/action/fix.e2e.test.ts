import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { findingId } from '../../src/action/core/findings.js'
import { createMarkerProof } from '../../src/action/thread/markerProof.js'
import { provenFixClaim } from '../../src/action/kinds/fix/trailer.js'
import { startActionsServices } from '../support/actionsServices.js'
import { issueCommentEvent, reviewCommentEvent } from '../support/github/events.js'
import { OWNER, REPO, type StoredReviewComment } from '../support/githubServer.js'
import { TEST_API_KEY, usePrHarness } from '../support/prHarness.js'
import { PrRepo } from '../support/prRepo.js'
import { answersToolCall, requestText, type ModelScript } from '../support/scriptedModel.js'
import { reviewAnswer, sampleFinding } from '../support/reviewScript.js'
import { tempDir } from '../support/tempDirs.js'

const PR = 30
const harness = usePrHarness(PR)

const numbered = (count: number, change: (line: number) => string | undefined = () => undefined): string =>
  Array.from({ length: count }, (_, index) => change(index + 1) ?? `line ${index + 1}`).join('\n') + '\n'

const subtracts = sampleFinding({ suggestion: 'return a + b' })
const SUBTRACTS_ID = findingId(subtracts)

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd,
    encoding: 'utf8'
  }).trim()

/**
 * A PR whose calc.ts subtracts on line 5, its branch `feature` on a bare remote the test server
 * commits to, the checkout at the PR's head, and its first review posted with the finding.
 */
async function reviewedPr() {
  const repo = new PrRepo({ 'calc.ts': numbered(30), '.github/workflows/ci.yml': 'on: push\n', '.gitignore': 'out/\n' })
  repo.commit({ 'calc.ts': numbered(30, (line) => (line === 5 ? 'return a - b' : undefined)) })
  const bare = tempDir('remote')
  git(bare, 'clone', '-q', '--bare', repo.dir, '.')
  const store = { prompt: '', 'thread-store': 'directory', 'thread-store-path': tempDir('store') }
  const publish = (): void => {
    repo.publish(harness.github, PR)
    const head = harness.github.pulls.get(PR)!.head as { repo: { full_name: string } }
    head.repo = { ...head.repo, full_name: `${OWNER}/${REPO}` }
  }
  publish()
  harness.github.git = { bare, contents: 'write', protectedBranches: [] }
  const review = await harness.run(
    reviewAnswer({ findings: [subtracts] }),
    { mode: 'review', ...store },
    {
      workspace: repo.dir,
      payload: repo.payload(PR)
    }
  )
  expect(review.exitCode, review.log).toBe(0)
  const thread = harness.github.reviewComments.find((entry) => entry.in_reply_to_id === undefined)!
  const remoteHead = (): string => git(bare, 'rev-parse', 'refs/heads/feature')
  return {
    repo,
    bare,
    store,
    thread,
    remoteHead,
    /** The checkout at the remote branch's head, as the next workflow run checks it out. */
    checkoutRemote(): void {
      git(repo.dir, 'fetch', '-q', bare, 'feature')
      git(repo.dir, 'reset', '-q', '--hard', 'FETCH_HEAD')
      git(repo.dir, 'clean', '-qfd')
      publish()
    }
  }
}

/** A reply by `login` in the finding's thread, and the run of its pull_request_review_comment event. */
function replyInThread(
  pr: Awaited<ReturnType<typeof reviewedPr>>,
  script: ModelScript,
  inputs: Record<string, string>,
  body = '@codex fix',
  login = 'alice'
) {
  const written: StoredReviewComment = harness.github.addReviewComment(PR, { body, in_reply_to: pr.thread.id, login })
  const payload = reviewCommentEvent({
    number: PR,
    comment: written,
    base: { sha: pr.repo.base },
    head: { sha: pr.repo.head }
  })
  return harness.run(
    script,
    { ...pr.store, ...inputs },
    {
      eventName: 'pull_request_review_comment',
      payload,
      workspace: pr.repo.dir
    }
  )
}

/** An apply_patch command that rewrites line 5 of calc.ts (to `sum`), and adds the files in `extra`. */
function patchCommand(extra: string[] = [], sum = 'return a + b'): string {
  return [
    "apply_patch <<'EOF'",
    '*** Begin Patch',
    '*** Update File: calc.ts',
    '@@',
    ' line 4',
    '-return a - b',
    `+${sum}`,
    ...extra,
    '*** End Patch',
    'EOF'
  ].join('\n')
}

/** The agent applies `command`, then answers that it fixed the finding. */
function fixes(command = patchCommand(), before?: () => void): ModelScript {
  return (request) => {
    if (answersToolCall(request))
      return { message: JSON.stringify({ summary: 'Adds instead of subtracting.', fixed: [SUBTRACTS_ID] }) }
    before?.()
    return { command }
  }
}

const never: ModelScript = () => ({ message: 'the model should not be called' })
const lastReply = () => harness.github.reviewComments.at(-1)!.body
const commits = (bare: string, range: string) => git(bare, 'rev-list', range).split('\n').filter(Boolean)

describe('the fix command', () => {
  it('in a finding thread commits exactly the agent change on the PR head; the next review resolves the finding', async () => {
    const pr = await reviewedPr()
    const before = pr.remoteHead()
    const run = await replyInThread(pr, fixes(), { fix: 'commit', sandbox: 'read-only' })
    expect(run.exitCode, run.log).toBe(0)
    expect(run.log).toContain('(sandbox workspace-write')

    const after = pr.remoteHead()
    expect(commits(pr.bare, `${before}..${after}`)).toEqual([after])
    expect(git(pr.bare, 'rev-parse', `${after}^`)).toBe(before)
    expect(git(pr.bare, 'diff', '--name-only', before, after)).toBe('calc.ts')
    expect(git(pr.bare, 'show', `${after}:calc.ts`)).toBe(
      numbered(30, (line) => (line === 5 ? 'return a + b' : undefined)).trimEnd()
    )
    const message = git(pr.bare, 'log', '-1', '--format=%B', after)
    expect(message.split('\n')[0]).toBe('Fix: Subtracts instead of adding')
    // the trailer proves the commit is this thread's fix, and a copy with another message is not
    const proof = createMarkerProof('pr-30', TEST_API_KEY)
    expect(await provenFixClaim(message, proof)).toEqual([SUBTRACTS_ID])
    expect(await provenFixClaim(message.replace('Fix:', 'Fixed:'), proof)).toBeUndefined()
    expect((harness.github.pulls.get(PR)!.head as { sha: string }).sha).toBe(after)
    expect(lastReply()).toContain(
      `Committed [${after.slice(0, 7)}](https://github.com/${OWNER}/${REPO}/commit/${after})`
    )
    expect(lastReply()).toContain('Adds instead of subtracting.')
    expect(harness.github.reactions.at(-1)).toMatchObject({ content: 'eyes' })

    // the next run checks out the new head: the review is told of the claim and resolves the thread
    pr.checkoutRemote()
    const next = await harness.run(
      reviewAnswer({ resolved: [SUBTRACTS_ID] }),
      { mode: 'review', ...pr.store },
      { workspace: pr.repo.dir, payload: pr.repo.payload(PR) }
    )
    expect(next.exitCode, next.log).toBe(0)
    expect(requestText(harness.model.requests[0])).toContain(`fix commit ${after} claims to fix it`)
    expect(harness.github.reviewThreads(PR)[0]!.isResolved).toBe(true)
  })

  it('refuses to commit when the branch moved during the turn, and loses nothing', async () => {
    const pr = await reviewedPr()
    const other = tempDir('other')
    const pushMeanwhile = (): void => {
      if (git(pr.bare, 'rev-list', '--count', 'refs/heads/feature') !== '2') return
      git(other, 'clone', '-q', '--branch', 'feature', pr.bare, '.')
      git(other, 'commit', '-q', '--allow-empty', '-m', 'pushed meanwhile')
      git(other, 'push', '-q', 'origin', 'feature')
    }
    const run = await replyInThread(pr, fixes(patchCommand(), pushMeanwhile), { fix: 'commit' })
    expect(run.exitCode, run.log).toBe(0)
    expect(git(pr.bare, 'log', '-1', '--format=%s', 'refs/heads/feature')).toBe('pushed meanwhile')
    expect(lastReply()).toContain('Not committed: the branch moved while the agent worked')
    expect(lastReply()).toContain('+return a + b')
    expect(run.summary).toContain('+return a + b')
  })

  it("answers a fork's PR with a suggestion, saying why it is not committed", async () => {
    const pr = await reviewedPr()
    const before = pr.remoteHead()
    const head = harness.github.pulls.get(PR)!.head as { repo: Record<string, unknown> }
    head.repo = { ...head.repo, full_name: 'someone/fork' }
    const run = await replyInThread(pr, fixes(), { fix: 'commit' })
    expect(run.exitCode, run.log).toBe(0)
    expect(pr.remoteHead()).toBe(before)
    expect(lastReply()).toContain('Not committed: its branch lives in someone/fork')
    expect(lastReply()).toContain('```suggestion\nreturn a + b\n```')
    expect(run.summary).toContain('+return a + b')
  })

  it('answers a change holding an HTML comment to the character: suggestion and patch', async () => {
    const pr = await reviewedPr()
    const head = harness.github.pulls.get(PR)!.head as { repo: Record<string, unknown> }
    head.repo = { ...head.repo, full_name: 'someone/fork' }
    const sum = 'return a + b // <!-- codex-thread-action:finding=ab -->'
    const suggested = await replyInThread(pr, fixes(patchCommand([], sum)), { fix: 'commit' })
    expect(suggested.exitCode, suggested.log).toBe(0)
    expect(lastReply()).toContain(`\`\`\`suggestion\n${sum}\n\`\`\``)

    pr.checkoutRemote()
    const page = ['*** Add File: page.html', '+<!-- the page -->', '+<p>sum</p>']
    const patched = await replyInThread(pr, fixes(patchCommand(page, sum)), { fix: 'suggest' })
    expect(patched.exitCode, patched.log).toBe(0)
    const patch = /^(`{3,})diff\n([\s\S]*?)\n\1$/m.exec(lastReply())?.[2]
    expect(patch).toContain('+<!-- the page -->')
    const clone = tempDir('apply')
    git(clone, 'clone', '-q', pr.bare, '.')
    execFileSync('git', ['apply', '--check', '-'], { cwd: clone, input: `${patch}\n` })
  })

  it('keeps a patch longer than the reply and the job summary whole, as an artifact the reply names', async () => {
    const pr = await reviewedPr()
    const services = await startActionsServices(harness.github)
    try {
      const written = harness.github.addReviewComment(PR, {
        body: '@codex fix',
        in_reply_to: pr.thread.id,
        login: 'alice'
      })
      const run = await harness.run(
        fixes('seq 1 120000 > numbers.txt'),
        { ...pr.store, fix: 'suggest' },
        {
          eventName: 'pull_request_review_comment',
          payload: reviewCommentEvent({
            number: PR,
            comment: written,
            base: { sha: pr.repo.base },
            head: { sha: pr.repo.head }
          }),
          workspace: pr.repo.dir,
          runId: '7301',
          env: services.jobEnv({ runId: 7301, ref: 'refs/pull/30/merge' })
        }
      )
      expect(run.exitCode, run.log).toBe(0)
      const name = `codex-fix-${written.id}-attempt-1`
      expect(lastReply()).toContain(
        `The patch is cut short here; all of it is the workflow run's artifact \`${name}\`.`
      )
      const [artifact] = harness.github.artifacts.filter((entry) => entry.name === name)
      const zip = path.join(tempDir('artifact'), 'fix.zip')
      writeFileSync(zip, await services.artifactBlob(artifact!.id))
      const patch = execFileSync('unzip', ['-p', zip, 'fix.patch'], { encoding: 'utf8', maxBuffer: 64 << 20 })
      expect(patch).toContain('+1\n+2\n')
      expect(patch).toContain('+119999\n+120000\n')
    } finally {
      await services.close()
    }
  })

  it('gives no suggestion from a checkout that is not the PR head (a merge ref): the patch, saying why', async () => {
    const pr = await reviewedPr()
    // the merge ref as actions/checkout makes it: the head with the base's changes, another commit
    git(pr.repo.dir, 'commit', '-q', '--allow-empty', '-m', 'merge ref')
    const run = await replyInThread(pr, fixes(), { fix: 'suggest' })
    expect(run.exitCode, run.log).toBe(0)
    expect(lastReply()).not.toContain('```suggestion')
    expect(lastReply()).toContain("is not this pull request's head, so the change is no suggestion on its lines")
    expect(lastReply()).toContain('+return a + b')
  })

  it('with fix: off (the default) refuses with how to turn it on, and calls no model', async () => {
    const pr = await reviewedPr()
    const run = await replyInThread(pr, never, {})
    expect(run.exitCode, run.log).toBe(0)
    expect(harness.model.requests).toHaveLength(0)
    expect(lastReply()).toContain('The fix command is off in this workflow')
    expect(lastReply()).toContain('`fix: commit`')
  })

  it('refuses a change under .github/workflows/ and keeps the change in the reply', async () => {
    const pr = await reviewedPr()
    const before = pr.remoteHead()
    const workflow = ['*** Update File: .github/workflows/ci.yml', '@@', '-on: push', '+on: [push, pull_request]']
    const run = await replyInThread(pr, fixes(patchCommand(workflow)), { fix: 'commit' })
    expect(run.exitCode, run.log).toBe(0)
    expect(pr.remoteHead()).toBe(before)
    expect(lastReply()).toContain('`.github/workflows/ci.yml`: a workflow file, which GitHub lets neither')
    expect(lastReply()).toContain('+on: [push, pull_request]')
    expect(lastReply()).toContain('+return a + b')
  })

  it('says what GitHub refused when the token may not write contents, with the patch', async () => {
    const pr = await reviewedPr()
    harness.github.git!.contents = 'read'
    const before = pr.remoteHead()
    const run = await replyInThread(pr, fixes(), { fix: 'commit' })
    expect(run.exitCode, run.log).toBe(0)
    expect(pr.remoteHead()).toBe(before)
    expect(lastReply()).toContain('permissions: contents: write')
    expect(lastReply()).toContain('+return a + b')
    expect(run.summary).toContain('+return a + b')
  })

  it("refuses a reader's fix at the gate: no model call, no commit", async () => {
    const pr = await reviewedPr()
    harness.github.permissions.set('bob', 'read')
    const before = pr.remoteHead()
    const replies = harness.github.reviewComments.length
    const run = await replyInThread(pr, never, { fix: 'commit' }, '@codex fix', 'bob')
    expect(run.exitCode, run.log).toBe(0)
    expect(run.log).toContain('bob has read access')
    expect(harness.model.requests).toHaveLength(0)
    expect(pr.remoteHead()).toBe(before)
    // bob's own comment is the only new one
    expect(harness.github.reviewComments).toHaveLength(replies + 1)
  })

  it('fix <words> in a PR comment does what they ask, as a suggestion patch', async () => {
    const pr = await reviewedPr()
    const body = '@codex fix make the sum add'
    const asked = harness.github.addComment(PR, body, 'alice')
    const payload = issueCommentEvent({ number: PR, id: asked.id, body })
    const run = await harness.run(
      fixes(),
      { ...pr.store, fix: 'suggest' },
      {
        eventName: 'issue_comment',
        payload,
        workspace: pr.repo.dir
      }
    )
    expect(run.exitCode, run.log).toBe(0)
    expect(requestText(harness.model.requests[0])).toContain('make the sum add')
    const reply = harness.github.comments.find((entry) => entry.body.includes('The change, as a patch'))?.body ?? ''
    expect(reply).toContain('The change, as a patch')
    expect(reply).toContain('+return a + b')
  })
})
