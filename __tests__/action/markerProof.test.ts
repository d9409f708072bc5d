import { describe, expect, it } from 'vitest'
import {
  carriesProvenMarker,
  commentMarker,
  findingMarker,
  keyMarkerStanding,
  PROOF_ROOM,
  proveMarkers,
  provenFindingIds
} from '../../src/action/core/markers.js'
import type { IssueComment } from '../../src/action/github/api.js'
import { StickyComment, type CommentApi } from '../../src/action/github/stickyComment.js'
import { createMarkerProof } from '../../src/action/thread/markerProof.js'

const proof = createMarkerProof('pr-1', 'thread-secret')

describe('marker proofs', () => {
  it('prove a key marker over the rest of the body, for its thread and secret only', async () => {
    const body = await proveMarkers(`${commentMarker('pr-1')}\nthe answer`, proof)
    const [first = ''] = body.split('\n')
    expect(first).toMatch(/^<!-- codex-thread-action:key=pr-1 proof=[A-Za-z0-9_-]{22} -->$/)
    expect(first.length - commentMarker('pr-1').length).toBe(PROOF_ROOM)
    expect(await keyMarkerStanding(body, 'pr-1', proof)).toBe('proven')
    // GitHub may hand a body back with CRLF line ends
    expect(await keyMarkerStanding(body.replace(/\n/g, '\r\n'), 'pr-1', proof)).toBe('proven')
    // the marker line copied above other text, another thread's key, another secret: no proof holds
    expect(await keyMarkerStanding(`${first}\na linter's report`, 'pr-1', proof)).toBeUndefined()
    expect(await keyMarkerStanding(body, 'pr-1', createMarkerProof('pr-1', 'another secret'))).toBeUndefined()
    expect(await keyMarkerStanding(body, 'pr-1', createMarkerProof('pr-2', 'thread-secret'))).toBeUndefined()
    expect(await keyMarkerStanding(`${commentMarker('pr-1')}\nolder action`, 'pr-1', proof)).toBe('unsigned')
    expect(await keyMarkerStanding(body, 'pr-2', proof)).toBeUndefined()
  })

  it('prove a finding marker over the text above it; a copy under other text proves nothing', async () => {
    const body = await proveMarkers(`🟠 **major** · Off by one\n\nexplained\n${findingMarker(['abc123def456'])}`, proof)
    expect(await provenFindingIds(body, proof)).toEqual(['abc123def456'])
    const copied = `lint: unused import\n${body.split('\n').at(-1)!}`
    expect(await provenFindingIds(copied, proof)).toEqual([])
    expect(await provenFindingIds(`x\n${findingMarker(['abc123def456'])}`, proof)).toEqual([])
    expect(await carriesProvenMarker(body, proof)).toBe(true)
    expect(await carriesProvenMarker(copied, proof)).toBe(false)
  })

  it('leave bodies unsigned without a secret, and nothing verifies then', async () => {
    const keyless = createMarkerProof('pr-1', undefined)
    const body = await proveMarkers(`${commentMarker('pr-1')}\ntext`, keyless)
    expect(body).toBe(`${commentMarker('pr-1')}\ntext`)
    const signed = await proveMarkers(`${commentMarker('pr-1')}\ntext`, proof)
    expect(await keyMarkerStanding(signed, 'pr-1', keyless)).toBeUndefined()
  })
})

function commentsApi(viewer: string | undefined, comments: IssueComment[]): CommentApi & { viewerAsked: number } {
  const api = {
    viewerAsked: 0,
    viewer: () => {
      api.viewerAsked++
      return Promise.resolve(viewer)
    },
    listComments: () => Promise.resolve(comments),
    createComment: () => Promise.reject(new Error('not expected')),
    updateComment: () => Promise.reject(new Error('not expected'))
  }
  return api
}

describe('the sticky comment lookup', () => {
  it('takes the earliest proven comment, whoever wrote it: a later verbatim copy or a forged marker takes nothing over', async () => {
    const ours = await proveMarkers(`${commentMarker('pr-1')}\nours`, proof)
    const api = commentsApi('github-actions[bot]', [
      { id: 1, body: `${commentMarker('pr-1')}\nolder action`, url: 'u1', author: 'github-actions[bot]' },
      { id: 2, body: ours, url: 'u2', author: 'github-actions[bot]' },
      { id: 3, body: `${ours.split('\n')[0]!}\nhijack`, url: 'u3', author: 'github-actions[bot]' },
      { id: 4, body: ours, url: 'u4', author: 'github-actions[bot]' },
      { id: 5, body: `${commentMarker('pr-1')}\nunsigned, later`, url: 'u5', author: 'github-actions[bot]' }
    ])
    expect((await new StickyComment(api, 1, 'pr-1', proof, () => {}).find())?.id).toBe(2)
    // a proven comment needs no identity
    expect(api.viewerAsked).toBe(0)
  })

  it("takes an older action's unsigned comment only by the token's own login, and none when that is unknown", async () => {
    const comments = [
      { id: 1, body: `${commentMarker('pr-1')}\nolder, by us`, url: 'u1', author: 'my-app[bot]' },
      { id: 2, body: `${commentMarker('pr-1')}\nanyone`, url: 'u2', author: 'github-actions[bot]' }
    ]
    expect((await new StickyComment(commentsApi('my-app[bot]', comments), 1, 'pr-1', proof, () => {}).find())?.id).toBe(
      1
    )
    expect(await new StickyComment(commentsApi(undefined, comments), 1, 'pr-1', proof, () => {}).find()).toBeUndefined()
  })
})
