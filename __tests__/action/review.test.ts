import { describe, expect, it } from 'vitest'
import { readCommentRequest } from '../../src/action/kinds/conversation/request.js'
import { diffMapOf, onDiff, parsePatch } from '../../src/action/kinds/review/diff.js'
import { countBySeverity, findingId, reviewOutputSchema } from '../../src/action/core/findings.js'
import { findingMarker, proveMarkers, provenFindingIds } from '../../src/action/core/markers.js'
import { createMarkerProof } from '../../src/action/thread/markerProof.js'
import { strictSchemaProblems } from '../../src/sdk/index.js'

const patch = [
  '@@ -1,4 +1,5 @@',
  ' one',
  '-two',
  '+TWO',
  '+two and a half',
  ' three',
  ' four',
  '@@ -20,3 +21,3 @@ function tail()',
  ' twenty',
  '-old',
  '+new',
  ' end',
  '\\ No newline at end of file'
].join('\n')

describe('the diff a review comment must land on', () => {
  it('takes the right side of each hunk: added and context lines, not removed ones', () => {
    expect(parsePatch(patch).hunks.map((hunk) => [...hunk.lines])).toEqual([
      [1, 2, 3, 4, 5],
      [21, 22, 23]
    ])
  })

  it('accepts a line or a range within one hunk, and refuses anything else', () => {
    const diff = diffMapOf([{ path: 'a.ts', patch }, { path: 'binary.png' }])
    expect(onDiff(diff, 'a.ts', 3, null)).toBe(true)
    expect(onDiff(diff, 'a.ts', 5, 2)).toBe(true)
    expect(onDiff(diff, 'a.ts', 6, null)).toBe(false)
    expect(onDiff(diff, 'a.ts', 22, 3)).toBe(false)
    expect(onDiff(diff, 'a.ts', 2, 3)).toBe(false)
    expect(onDiff(diff, 'b.ts', 1, null)).toBe(false)
    expect(onDiff(diff, 'binary.png', 1, null)).toBe(false)
  })
})

describe('findings', () => {
  it('keep their id when the line moves, and not when the title, path or severity changes', () => {
    const base = { path: 'a.ts', severity: 'major' as const, title: 'Off by one' }
    expect(findingId(base)).toMatch(/^[0-9a-f]{12}$/)
    expect(findingId({ ...base, title: '  off  BY one ' })).toBe(findingId(base))
    expect(findingId({ ...base, path: 'b.ts' })).not.toBe(findingId(base))
    expect(findingId({ ...base, severity: 'nit' })).not.toBe(findingId(base))
  })

  it('are counted worst first', () => {
    expect(countBySeverity([{ severity: 'nit' }, { severity: 'critical' }, { severity: 'nit' }])).toBe(
      '1 critical, 2 nit'
    )
  })

  it('follow a schema the Responses API strict mode accepts, and validate against it', () => {
    expect(strictSchemaProblems(reviewOutputSchema.schema)).toEqual([])
    expect(reviewOutputSchema.validate({ summary: 's', findings: [], resolved: [] })).toEqual([])
    expect(
      reviewOutputSchema.validate({
        summary: 's',
        findings: [{ path: 'a', line: 0, start_line: null, severity: 'high', title: 't', body: 'b', suggestion: null }],
        resolved: []
      })
    ).toHaveLength(2)
  })

  it("are recognised by the proven marker on a body's last line only, so a quoted marker never counts", async () => {
    const proof = createMarkerProof('pr-1', 'thread-secret')
    const body = await proveMarkers(`text\n${findingMarker(['abc123def456', '0123456789ab'])}\n`, proof)
    const marker = body.split('\n').at(-1)!
    expect(await provenFindingIds(body, proof)).toEqual(['abc123def456', '0123456789ab'])
    expect(await provenFindingIds(`${marker}\nthe agent quoted it above`, proof)).toEqual([])
    expect(await provenFindingIds(`text ${marker}`, proof)).toEqual([])
  })
})

describe('a comment that asks the agent', () => {
  const event = (body: string, action = 'created') => ({
    action,
    issue: { number: 3, pull_request: {} },
    comment: { id: 7, body, user: { login: 'alice' } }
  })

  it('needs the trigger phrase as a word of its own, in any case, and drops it from the request', () => {
    expect(readCommentRequest('issue_comment', event('@Codex, why?\nThanks'), '@codex')).toEqual({
      request: { kind: 'issue', commentId: 7, author: 'alice', text: 'why?\nThanks' }
    })
    expect(readCommentRequest('issue_comment', event('ask @codexbot'), '@codex')).toEqual({
      skip: 'the comment does not mention @codex in its own words'
    })
    expect(readCommentRequest('issue_comment', event('mail me@codex.dev'), '@codex')).toEqual({
      skip: 'the comment does not mention @codex in its own words'
    })
  })

  it('is only a new comment, on a pull request', () => {
    expect(readCommentRequest('issue_comment', event('@codex hi', 'deleted'), '@codex')).toEqual({
      skip: 'the comment was deleted, and only a new comment starts a turn'
    })
    expect(readCommentRequest('issue_comment', { ...event('@codex hi'), issue: { number: 3 } }, '@codex')).toEqual({
      skip: 'the comment is on an issue, not on a pull request'
    })
    expect(readCommentRequest('pull_request', event('@codex hi'), '@codex')).toBeUndefined()
  })

  it('under a review comment, replies go to the thread it belongs to, with its place in the diff', () => {
    const gate = readCommentRequest(
      'pull_request_review_comment',
      {
        action: 'created',
        comment: {
          id: 9,
          in_reply_to_id: 4,
          body: '@codex why?',
          user: { login: 'bob' },
          path: 'a.ts',
          line: 12,
          start_line: 10,
          diff_hunk: '@@ -1 +1 @@'
        }
      },
      '@codex'
    )
    expect(gate).toEqual({
      request: {
        kind: 'review',
        commentId: 9,
        threadCommentId: 4,
        author: 'bob',
        text: 'why?',
        path: 'a.ts',
        line: 12,
        startLine: 10,
        diffHunk: '@@ -1 +1 @@'
      }
    })
  })
})
