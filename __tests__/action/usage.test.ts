import { describe, expect, it } from 'vitest'
import { TurnReport } from '../../src/action/core/report.js'
import { renderSummary } from '../../src/action/surfaces/summary.js'
import {
  emptyTranscript,
  mergeTranscripts,
  threadUsage,
  withTurn,
  type TranscriptTurn
} from '../../src/action/thread/transcript.js'

const KEY = 'pr-9'
const tokens = (input: number, output: number) => ({
  input_tokens: input,
  cached_input_tokens: 0,
  output_tokens: output
})

function turn(at: string, threadId: string, input: number, output: number): TranscriptTurn {
  const usage = tokens(input, output)
  return { at, prompt: 'p', response: 'r', conclusion: 'success', runUrl: `https://run/${at}`, threadId, usage }
}

describe("the turn's own tokens and the PR thread's", () => {
  it("takes the turn's own tokens from the SDK, not codex's running total in turn.completed", () => {
    const report = new TurnReport('https://run/1', { resumed: true, threadUsageBefore: tokens(2200, 90) })
    report.apply({ type: 'turn.completed', usage: tokens(2400, 100) })
    expect(report.usage).toBeNull()
    report.countUsage(tokens(200, 10))
    expect(report.usage).toEqual(tokens(200, 10))
    expect(report.threadUsage).toEqual({
      ...tokens(2400, 100),
      cache_write_input_tokens: 0,
      reasoning_output_tokens: 0
    })
    report.finish('success')
    expect(renderSummary(report)).toContain(
      '- **Tokens, this turn:** 200 in · 10 out\n- **Tokens, this PR:** 2.4k in · 100 out'
    )
  })

  it('sums the turns into the record, across a reseed into a new codex thread, and past the kept turns', () => {
    let record = emptyTranscript(KEY)
    for (let minute = 10; minute < 40; minute++)
      record = withTurn(record, turn(`2026-01-01T00:${minute}:00.000Z`, minute < 20 ? 'codex-a' : 'codex-b', 100, 10))
    expect(record.turns.length).toBeLessThan(30)
    expect(threadUsage(record)).toMatchObject(tokens(3000, 300))
  })

  it('counts each turn of two overlapping runs once when their records merge', () => {
    const base = withTurn(emptyTranscript(KEY), turn('2026-01-01T00:00:00.000Z', 'codex-a', 1000, 100))
    const ours = withTurn(base, turn('2026-01-01T00:05:00.000Z', 'codex-a', 300, 30))
    const theirs = withTurn(base, turn('2026-01-01T00:03:00.000Z', 'codex-a', 200, 20))
    const merged = mergeTranscripts(KEY, ours, theirs, base)
    expect(threadUsage(merged)).toMatchObject(tokens(1500, 150))
    expect(threadUsage(mergeTranscripts(KEY, theirs, ours))).toMatchObject(tokens(1500, 150))
    // merging again (the mirror already holding the merged record) counts nothing twice
    expect(threadUsage(mergeTranscripts(KEY, merged, ours, theirs))).toMatchObject(tokens(1500, 150))
  })

  it('reads an older record without usage as a thread that used nothing yet', () => {
    const older = { ...withTurn(emptyTranscript(KEY), turn('2026-01-01T00:00:00.000Z', 'a', 1, 1)), usage: undefined }
    expect(threadUsage(older)).toMatchObject(tokens(0, 0))
  })
})
