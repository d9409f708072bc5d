import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { commentMarker } from '../../src/action/core/markers.js'
import type { IssueComment } from '../../src/action/github/api.js'
import { StickyComment, type CommentApi } from '../../src/action/github/stickyComment.js'
import { createMarkerProof } from '../../src/action/thread/markerProof.js'
import { itemAt } from '../support/lists.js'

const proof = createMarkerProof('pr-1', 'thread-secret')

/** An in-memory comment API recording each write with its time. */
function fakeApi(viewer = 'codex-bot') {
  const comments: IssueComment[] = []
  const writes: Array<{ kind: 'create' | 'update'; body: string; at: number }> = []
  let failNext = 0
  const api: CommentApi = {
    viewer: () => Promise.resolve(viewer),
    listComments: () => Promise.resolve(comments),
    createComment(_issue, body) {
      if (failNext-- > 0) return Promise.reject(Object.assign(new Error('boom'), { status: 500 }))
      const comment = {
        id: comments.length + 1,
        body,
        url: `https://example.test/c/${comments.length + 1}`,
        author: viewer
      }
      comments.push(comment)
      writes.push({ kind: 'create', body, at: Date.now() })
      return Promise.resolve(comment)
    },
    updateComment(id, body) {
      const comment = comments.find((entry) => entry.id === id)
      if (!comment) return Promise.reject(Object.assign(new Error('Not Found'), { status: 404 }))
      comment.body = body
      writes.push({ kind: 'update', body, at: Date.now() })
      return Promise.resolve(comment)
    }
  }
  return { api, comments, writes, failOnce: () => (failNext = 1) }
}

// the throttle's gaps are measured on vitest's clock: exact, and no real waiting
beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})
const sleep = (ms: number) => vi.advanceTimersByTimeAsync(ms)

describe('StickyComment', () => {
  it('coalesces progress: at most one edit per interval, always the latest body, rendered only when sent', async () => {
    const { api, writes } = fakeApi()
    const sticky = new StickyComment(api, 1, 'pr-1', proof, () => {}, 200, 0)
    let renders = 0
    for (let step = 1; step <= 20; step++) {
      sticky.progress(() => {
        renders++
        return `step ${step}`
      })
      await sleep(20)
    }
    await sleep(250)
    const url = await sticky.publish('final')
    expect(url).toBe('https://example.test/c/1')
    expect(writes[0]).toMatchObject({ kind: 'create', body: 'step 1' })
    expect(writes.at(-1)).toMatchObject({ kind: 'update', body: 'final' })
    const progress = writes.slice(0, -1)
    // 20 progress calls over ~400 ms at one edit per 200 ms: a handful of writes, never 20
    expect(progress.length).toBeGreaterThanOrEqual(2)
    expect(progress.length).toBeLessThanOrEqual(4)
    const gaps = progress.slice(1).map((write, index) => write.at - itemAt(progress, index).at)
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(190)
    expect(progress.at(-1)!.body).toMatch(/^step (19|20)$/)
    expect(renders).toBe(progress.length)
  })

  it('holds the first progress edit back, so a short turn makes one write, and a long one shows progress', async () => {
    const short = fakeApi()
    const quick = new StickyComment(short.api, 1, 'pr-1', proof, () => {}, 50, 300)
    quick.progress(() => 'working')
    await sleep(100)
    expect(await quick.publish('final')).toBe('https://example.test/c/1')
    await sleep(300)
    expect(short.writes.map(({ kind, body }) => ({ kind, body }))).toEqual([{ kind: 'create', body: 'final' }])

    const long = fakeApi()
    const slow = new StickyComment(long.api, 1, 'pr-1', proof, () => {}, 50, 300)
    const started = Date.now()
    slow.progress(() => 'working')
    await sleep(400)
    await slow.publish('final')
    expect(long.writes.map(({ kind, body }) => ({ kind, body }))).toEqual([
      { kind: 'create', body: 'working' },
      { kind: 'update', body: 'final' }
    ])
    expect(itemAt(long.writes, 0).at - started).toBeGreaterThanOrEqual(290)
  })

  it("finds an older action's unsigned comment by its own login only, and starts a new one when that was deleted", async () => {
    const fake = fakeApi()
    fake.comments.push({ id: 50, body: `${commentMarker('pr-1')}\nforged`, url: 'u50', author: 'mallory' })
    fake.comments.push({ id: 51, body: `${commentMarker('pr-2')}\nother thread`, url: 'u51', author: 'codex-bot' })
    fake.comments.push({ id: 52, body: `${commentMarker('pr-1')}\nours`, url: 'u52', author: 'codex-bot' })
    const sticky = new StickyComment(fake.api, 1, 'pr-1', proof, () => {}, 0, 0)
    expect((await sticky.find())?.id).toBe(52)
    fake.comments.splice(2, 1)
    expect(await sticky.publish('after deletion')).toBe('https://example.test/c/3')
    expect(fake.writes.map((write) => write.kind)).toEqual(['create'])
  })

  it('reports a failed write as a warning and no URL, and recovers on the final write', async () => {
    const fake = fakeApi()
    const warnings: string[] = []
    const sticky = new StickyComment(fake.api, 1, 'pr-1', proof, (message) => warnings.push(message), 0, 0)
    fake.failOnce()
    sticky.progress(() => 'progress')
    await sleep(20)
    expect(warnings).toEqual(['Could not update the PR comment: boom'])
    expect(await sticky.publish('final')).toBe('https://example.test/c/1')
    expect(fake.comments[0]?.body).toBe('final')
  })
})
