import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { usePrHarness } from '../support/prHarness.js'
import { pullRequestPayload } from '../support/runAction.js'
import {
  answersToolCall,
  isCompactionRequest,
  startScriptedModel,
  usageBySize,
  type ScriptedModel
} from '../support/scriptedModel.js'
import { tempDir, tempRepo } from '../support/tempDirs.js'

const harness = usePrHarness(7)
let repo: string
let store: Record<string, string>
beforeEach(() => {
  repo = tempRepo()
  store = { 'thread-store': 'directory', 'thread-store-path': tempDir('store') }
})
let model: ScriptedModel | undefined
afterEach(async () => {
  await model?.close()
  model = undefined
})

let runs = 0
/** One run of the action on PR 7, a new run id each time, the thread kept in one directory store. */
function turn(prompt: string, inputs: Record<string, string> = {}) {
  return harness.runServed(
    { prompt, ...store, ...inputs },
    { payload: pullRequestPayload(7), workspace: repo, runId: String(7000 + ++runs) }
  )
}

const usageOf = (json: string | undefined) => JSON.parse(json ?? '') as Record<string, number>
const KEYS = [
  'input_tokens',
  'cached_input_tokens',
  'cache_write_input_tokens',
  'output_tokens',
  'reasoning_output_tokens'
]

describe("the turn's own tokens and the PR thread's", () => {
  it("gives each turn's own usage and the thread's sum, in the outputs, the comment and the summary", async () => {
    // every response reports 100 input (20 cached) and 10 output tokens: one response a turn
    await harness.serve(() => ({ message: 'answered' }))
    const first = await turn('first question')
    expect(first.exitCode, first.log).toBe(0)
    const second = await turn('second question')
    expect(second.exitCode, second.log).toBe(0)
    expect(second.outputs.resumed).toBe('true')

    for (const run of [first, second]) {
      expect(Object.keys(usageOf(run.outputs.usage))).toEqual(KEYS)
      expect(usageOf(run.outputs.usage)).toMatchObject({
        input_tokens: 100,
        cached_input_tokens: 20,
        output_tokens: 10
      })
    }
    expect(usageOf(first.outputs['thread-usage'])).toMatchObject({ input_tokens: 100, output_tokens: 10 })
    // codex itself reported 200 input tokens for the second turn: the thread's, not the turn's
    expect(usageOf(second.outputs['thread-usage'])).toMatchObject({
      input_tokens: 200,
      cached_input_tokens: 40,
      output_tokens: 20
    })

    expect(harness.github.comments[0]?.body).toContain(
      '<sub>this turn 100 in · 10 out · 20 cached · this PR 200 in · 20 out · 40 cached'
    )
    expect(second.summary).toContain('- **Tokens, this turn:** 100 in · 10 out · 20 cached')
    expect(second.summary).toContain('- **Tokens, this PR:** 200 in · 20 out · 40 cached')
    expect(second.log).toMatch(
      /100 input tokens \(20 cached\), 10 output tokens · this PR's thread: 200 input tokens \(40 cached\), 20 output tokens/
    )
  })

  it("keeps the fifth turn's first request within 1.3× of the first turn's with a small compact-at-tokens", async () => {
    await harness.serve(() => ({ status: 500 })) // the harness's own model, which these runs never reach
    // each turn runs a command printing 16 KiB, which stays in the thread; usage grows with the request
    model = await startScriptedModel(
      (request) =>
        answersToolCall(request) ? { message: 'done' } : { command: 'head -c 12288 /dev/zero | base64 -w 128' },
      { usage: usageBySize }
    )
    const firstRequests: number[] = []
    for (let index = 1; index <= 5; index++) {
      const before = model.requests.length
      const run = await turn(`Turn ${index}: run the command.`, { 'base-url': model.url, 'compact-at-tokens': '1000' })
      expect(run.exitCode, run.log).toBe(0)
      const first = model.requests.slice(before).find((request) => !isCompactionRequest(request))
      firstRequests.push(first!.bytes)
    }
    expect(model.requests.some(isCompactionRequest)).toBe(true)
    expect(firstRequests[4]! / firstRequests[0]!, firstRequests.join(', ')).toBeLessThanOrEqual(1.3)
  })

  it('skips a turn once the thread spent its budget: no model call, and the comment says so', async () => {
    await harness.serve(() => ({ message: 'answered' }))
    const first = await turn('first question', { 'thread-token-budget': '100' })
    expect(first.exitCode, first.log).toBe(0)
    expect(first.outputs.conclusion).toBe('success')
    const calls = harness.model.requests.length

    const second = await turn('second question', { 'thread-token-budget': '100' })
    expect(second.exitCode, second.log).toBe(0)
    expect(harness.model.requests).toHaveLength(calls)
    expect(second.outputs.conclusion).toBe('skipped')
    expect(usageOf(second.outputs.usage)).toMatchObject({ input_tokens: 0, output_tokens: 0 })
    expect(usageOf(second.outputs['thread-usage'])).toMatchObject({ input_tokens: 100, output_tokens: 10 })
    const body = harness.github.comments[0]?.body ?? ''
    expect(harness.github.comments).toHaveLength(1)
    expect(body).toContain('Skipped')
    expect(body).toContain('thread\\-token\\-budget is spent')
    expect(body).toContain('has used 110 tokens')
    expect(body).toContain('set resume\\: false to start a new thread')
    // the record stays in the comment: raising the budget goes on with the same thread
    const third = await turn('third question', { 'thread-token-budget': '1000' })
    expect(third.exitCode, third.log).toBe(0)
    expect(third.outputs.resumed).toBe('true')
    expect(third.outputs['thread-id']).toBe(first.outputs['thread-id'])
    expect(usageOf(third.outputs['thread-usage'])).toMatchObject({ input_tokens: 200, output_tokens: 20 })
  })
})
