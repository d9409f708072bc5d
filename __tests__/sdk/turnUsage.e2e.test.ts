import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import type { Usage } from '../../src/sdk/index.js'
import { codexFixture, type CodexFixture } from '../support/codexFixture.js'
import { projectRoot } from '../support/runAction.js'
import { commandThenMessage, isCompactionRequest, usageBySize, type ModelRequest } from '../support/scriptedModel.js'

let fixture: CodexFixture | undefined
afterEach(async () => fixture?.model.close())

/** What the scripted model reported for these requests, summed as codex sums them. */
function reported(requests: ModelRequest[]): Usage {
  const sum = { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0 }
  for (const request of requests) {
    const usage = usageBySize(request)
    sum.input_tokens += usage.input_tokens
    sum.cached_input_tokens += usage.cached_input_tokens
    sum.output_tokens += usage.output_tokens
  }
  return sum
}

/** One turn on a resumed thread in a new node process, through the SDK as a user installs it. */
async function resumeInNewProcess(
  threadId: string,
  config: Record<string, number> = {}
): Promise<{ usage: Usage; turnUsage: Usage }> {
  const script = `
    import { Codex } from 'codex-thread-action'
    const [baseUrl, home, repo, id, config] = process.argv.slice(1)
    const env = { PATH: process.env.PATH, HOME: home, CODEX_HOME: home }
    const codex = new Codex({ baseUrl, apiKey: 'sk-test-key', env, config: JSON.parse(config) })
    const turn = await codex.resumeThread(id, { workingDirectory: repo }).run('second turn')
    console.log(JSON.stringify({ usage: turn.usage, turnUsage: turn.turnUsage }))`
  const { model, codexHome, repo } = fixture!
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', script, model.url, codexHome, repo, threadId, JSON.stringify(config)],
    { cwd: projectRoot }
  )
  return JSON.parse(stdout) as { usage: Usage; turnUsage: Usage }
}

describe("a turn's own usage against the real codex CLI", () => {
  it('on a thread resumed in a new process: turnUsage is what the model reported for that turn, usage the sum', async () => {
    // the command's output makes the second turn's requests larger than the first's
    fixture = await codexFixture(commandThenMessage('seq 1 2000', 'counted'), {}, { usage: usageBySize })
    const thread = fixture.codex.startThread({ workingDirectory: fixture.repo })
    const first = await thread.run('first turn')
    const firstRequests = fixture.model.requests.length
    expect(first.usage).toMatchObject(reported(fixture.model.requests))
    expect(first.turnUsage).toEqual(first.usage)

    const second = await resumeInNewProcess(thread.id!)
    const secondRequests = fixture.model.requests.slice(firstRequests)
    expect(secondRequests).toHaveLength(2)
    expect(second.turnUsage).toMatchObject(reported(secondRequests))
    // codex reports the thread's running total
    expect(second.usage).toMatchObject(reported(fixture.model.requests))
    expect(second.usage.input_tokens).toBe(first.usage!.input_tokens + second.turnUsage.input_tokens)
    expect(second.usage.output_tokens).toBe(first.usage!.output_tokens + second.turnUsage.output_tokens)
    expect(second.turnUsage.input_tokens).toBeGreaterThan(first.usage!.input_tokens)
  })

  it('counts the compaction codex does in the turn, as codex counts it in the total', async () => {
    fixture = await codexFixture(commandThenMessage('seq 1 4000', 'counted'), {}, { usage: usageBySize })
    const thread = fixture.codex.startThread({ workingDirectory: fixture.repo })
    const first = await thread.run('first turn')
    const firstRequests = fixture.model.requests.length
    // passed by the second turn whatever the size of codex's own prompt
    const limit = usageBySize(fixture.model.requests[0]!).input_tokens + 2000
    const second = await resumeInNewProcess(thread.id!, { model_auto_compact_token_limit: limit })
    const secondRequests = fixture.model.requests.slice(firstRequests)
    expect(secondRequests.filter(isCompactionRequest).length).toBeGreaterThan(0)
    expect(second.turnUsage).toMatchObject(reported(secondRequests))
    expect(second.usage).toMatchObject(reported(fixture.model.requests))
    expect(second.usage.input_tokens).toBe(first.usage!.input_tokens + second.turnUsage.input_tokens)
  })
})
