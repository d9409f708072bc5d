import { readdirSync } from 'node:fs'
import path from 'node:path'

import { beforeEach, describe, expect, it } from 'vitest'
import { TranscriptCodec } from '../../src/action/thread/transcript.js'
import { usePrHarness } from '../support/prHarness.js'
import { issueCommentPayload, pullRequestPayload, type ActionRunOptions } from '../support/runAction.js'
import { requestText, type ModelScript } from '../support/scriptedModel.js'
import { tempDir, tempRepo } from '../support/tempDirs.js'

const harness = usePrHarness(7)
let repo: string
beforeEach(() => {
  repo = tempRepo()
})

/** The model answers the n-th request with the n-th answer. */
async function answering(...answers: string[]): Promise<void> {
  await harness.serve((_request, index) => ({ message: answers[index] ?? 'no more answers' }))
}

let runs = 0
/** One run of the action as the runner would start it: on PR 7 by default, a new run id each time. */
function turn(
  prompt: string,
  inputs: Record<string, string>,
  options: Partial<ActionRunOptions> & { pr?: number } = {}
) {
  const { pr = 7, ...rest } = options
  return harness.runServed(
    { prompt, ...inputs },
    { payload: pullRequestPayload(pr), workspace: repo, runId: String(5000 + ++runs), ...rest }
  )
}

function directoryStore(folder = tempDir('store')): { 'thread-store': string; 'thread-store-path': string } {
  return { 'thread-store': 'directory', 'thread-store-path': folder }
}

/** The records of PRs 7 and 8 are signed with a key derived from the API key the runs use. */
const codecs = new Map(
  await Promise.all(
    [7, 8].map(async (pr) => [pr, await TranscriptCodec.create(`pr-${pr}`, 'sk-test-secret-key-123')] as const)
  )
)

function commentRecord(issue: number) {
  const comment = harness.github.comments.find((entry) => entry.issue === issue)
  return comment && codecs.get(issue)?.decode(comment.body).record
}

describe('one thread per PR, across workflow runs', () => {
  it('resumes the PR thread on the next run: same thread, the earlier turn in the model request, one comment', async () => {
    await answering('first answer alpha', 'second answer beta')
    const store = directoryStore()
    const first = await turn('first question', store)
    expect(first.exitCode, first.log).toBe(0)
    expect(first.outputs.resumed).toBe('false')
    expect(first.log).toContain('Thread pr-7: no earlier turns, starting a new thread')

    const second = await turn('second question', store)
    expect(second.exitCode, second.log).toBe(0)
    expect(second.outputs['thread-id']).toBe(first.outputs['thread-id'])
    expect(second.outputs.resumed).toBe('true')
    expect(second.log).toContain(
      `Thread pr-7: resuming ${first.outputs['thread-id']} with its session from the directory`
    )

    // codex itself replayed the first turn: the conversation, not a transcript of it
    const request = requestText(harness.model.requests[1])
    expect(request).toContain('first question')
    expect(request).toContain('first answer alpha')
    expect(request).toContain('second question')
    expect(request).not.toContain('earlier-turns')

    expect(harness.github.comments).toHaveLength(1)
    expect(harness.github.requests.filter((entry) => entry.method === 'POST')).toHaveLength(1)
    const body = harness.github.comments[0]?.body
    expect(body).toContain('second answer beta')
    expect(body).toContain('(resumed)')
    expect(body).toContain('Earlier turns in this thread (1)')
    expect(body).toMatch(/\*\*Asked:\*\* first question · .*\n\nfirst answer alpha/)
    expect(body).toContain('actions/runs/5001')
    const record = commentRecord(7)!
    expect(record.threadId).toBe(first.outputs['thread-id'])
    expect(record.turns.map((entry) => entry.response)).toEqual(['second answer beta', 'first answer alpha'])

    // the first run's bundle was pruned once the second saved its own
    expect(readdirSync(path.join(store['thread-store-path'], 'pr-7'))).toHaveLength(1)
  })

  it('continues the thread a pull_request run started from a comment on the PR', async () => {
    await answering('review done', 'answer to the comment')
    const store = directoryStore()
    const review = await turn('Review this PR', store)
    expect(review.exitCode, review.log).toBe(0)
    // a team whose workflow filters on "/codex" names it as the trigger phrase
    const followUp = await turn(
      '',
      { ...store, 'trigger-phrase': '/codex' },
      {
        eventName: 'issue_comment',
        payload: issueCommentPayload(7, '/codex why?')
      }
    )
    expect(followUp.exitCode, followUp.log).toBe(0)
    expect(followUp.outputs.resumed).toBe('true')
    expect(followUp.outputs['thread-id']).toBe(review.outputs['thread-id'])
    expect(requestText(harness.model.requests[1])).toContain('review done')
    // the sticky comment keeps the thread, and the answer is a comment of its own that notifies the asker
    const [sticky, answer] = harness.github.comments
    expect(harness.github.comments).toHaveLength(2)
    expect(sticky?.body).toContain('answer to the comment')
    expect(answer?.body).toMatch(/^@alice asked:\n\n> why\?\n\nanswer to the comment$/)
  })

  it('gives another PR its own thread and comment', async () => {
    await answering('answer on seven', 'answer on eight')
    const store = directoryStore()
    const seven = await turn('question on seven', store)
    const eight = await turn('question on eight', store, { pr: 8 })
    expect(eight.exitCode, eight.log).toBe(0)
    expect(eight.outputs.resumed).toBe('false')
    expect(eight.outputs['thread-id']).not.toBe(seven.outputs['thread-id'])
    expect(requestText(harness.model.requests[1])).not.toContain('question on seven')

    expect(harness.github.comments.map((comment) => comment.issue)).toEqual([7, 8])
    expect(harness.github.comments[1]?.body).toMatch(/^<!-- codex-thread-action:key=pr-8 proof=[\w-]{22} -->\n/)
    expect(harness.github.comments[1]?.body).not.toContain('Earlier turns')
    expect(commentRecord(8)?.turns).toHaveLength(1)
  })

  it('reseeds a new thread from the comment record when the session is gone, then resumes that one', async () => {
    await answering('first answer alpha', 'second answer beta', 'third answer gamma')
    const first = await turn('first question', directoryStore())

    // a fresh codex home and a store that never saw the thread: only the comment remembers it
    const emptyStore = directoryStore()
    const second = await turn('second question', emptyStore)
    expect(second.exitCode, second.log).toBe(0)
    expect(second.outputs.resumed).toBe('false')
    expect(second.outputs['thread-id']).not.toBe(first.outputs['thread-id'])
    expect(second.log).toContain(
      `Thread pr-7: the session of ${first.outputs['thread-id']} is not in codex-home nor in the directory`
    )
    expect(second.log).toContain('starting a new thread seeded with the transcript of 1 earlier turn(s)')
    const request = requestText(harness.model.requests[1])
    expect(request).toContain('<earlier-turns>')
    expect(request).toContain('first question')
    expect(request).toContain('first answer alpha')
    expect(request).toContain('second question')
    expect(commentRecord(7)?.threadId).toBe(second.outputs['thread-id'])
    expect(harness.github.comments).toHaveLength(1)
    expect(harness.github.comments[0]?.body).toContain('Earlier turns in this thread (1)')

    // the new thread is the one kept from now on
    const third = await turn('third question', emptyStore)
    expect(third.outputs.resumed).toBe('true')
    expect(third.outputs['thread-id']).toBe(second.outputs['thread-id'])
    expect(requestText(harness.model.requests[2])).toContain('second answer beta')
    expect(commentRecord(7)?.turns).toHaveLength(3)
  })

  it('starts the thread over with resume: false', async () => {
    await answering('first answer alpha', 'fresh answer')
    const store = directoryStore()
    const first = await turn('first question', store)
    const fresh = await turn('fresh question', { ...store, resume: 'false' })
    expect(fresh.exitCode, fresh.log).toBe(0)
    expect(fresh.outputs.resumed).toBe('false')
    expect(fresh.outputs['thread-id']).not.toBe(first.outputs['thread-id'])
    expect(fresh.log).toContain('Thread pr-7: resume is false, starting a new thread')
    expect(requestText(harness.model.requests[1])).not.toContain('first question')
    expect(harness.github.comments[0]?.body).not.toContain('Earlier turns')
    expect(commentRecord(7)?.turns.map((entry) => entry.prompt)).toEqual(['fresh question'])
  })

  it('keeps a keyed thread on events without a PR, and a fresh thread for each keyless run', async () => {
    await answering('nightly one', 'nightly two', 'keyless')
    const storePath = tempDir('store')
    const push = { eventName: 'push', payload: { ref: 'refs/heads/main', sender: { login: 'alice', type: 'User' } } }
    const first = await turn('nightly check', { ...directoryStore(storePath), 'thread-key': 'nightly' }, push)
    const second = await turn('nightly again', { ...directoryStore(storePath), 'thread-key': 'nightly' }, push)
    expect(second.exitCode, second.log).toBe(0)
    expect(second.outputs.resumed).toBe('true')
    expect(second.outputs['thread-id']).toBe(first.outputs['thread-id'])
    expect(requestText(harness.model.requests[1])).toContain('nightly one')

    const keyless = await turn('one-off', directoryStore(storePath), push)
    expect(keyless.outputs.resumed).toBe('false')
    expect(keyless.outputs['thread-id']).not.toBe(first.outputs['thread-id'])
    expect(readdirSync(storePath)).toEqual(['nightly'])
    expect(harness.github.comments).toHaveLength(0)
  })

  it('keeps both turns when two runs of the thread end at about the same time', async () => {
    const script: ModelScript = (request) => {
      const text = requestText(request)
      // slow enough for one of its progress edits to land after the fast run's final write
      if (text.includes('slow question')) return { message: 'slow answer', delayMs: 6500 }
      return { message: text.includes('fast question') ? 'fast answer' : 'first answer alpha' }
    }
    await harness.serve(script)
    const store = directoryStore()
    await turn('first question', store)
    const [slow, fast] = await Promise.all([turn('slow question', store), turn('fast question', store)])
    expect(slow.exitCode, slow.log).toBe(0)
    expect(fast.exitCode, fast.log).toBe(0)
    expect(slow.outputs.resumed).toBe('true')
    expect(fast.outputs.resumed).toBe('true')

    // the slow run kept the fast one's turn although its own progress edit had overwritten it
    expect(harness.github.comments).toHaveLength(1)
    expect(commentRecord(7)?.turns.map((entry) => entry.response)).toEqual([
      'slow answer',
      'fast answer',
      'first answer alpha'
    ])
    expect(harness.github.comments[0]?.body).toContain('Earlier turns in this thread (2)')
  })

  it('runs the turn when the default artifact store cannot be reached, with a warning', async () => {
    await answering('answer without a store')
    const run = await turn('question', {})
    expect(run.exitCode, run.log).toBe(0)
    expect(run.outputs.conclusion).toBe('success')
    expect(harness.github.requests.some((entry) => entry.path === '/repos/octo/demo/actions/artifacts')).toBe(true)
    expect(run.log).toMatch(/::warning::Could not save thread pr-7 to the artifact store: .*ACTIONS_RUNTIME_TOKEN/)
    expect(commentRecord(7)?.turns).toHaveLength(1)
  })
})
