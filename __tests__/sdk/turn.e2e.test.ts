import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { CodexStructuredResponseError, CodexThreadRunError, type ThreadEvent } from '../../src/sdk/index.js'
import { codexFixture, type CodexFixture } from '../support/codexFixture.js'

import { commandThenMessage, requestText } from '../support/scriptedModel.js'

let fixture: CodexFixture | undefined
afterEach(async () => fixture?.model.close())

describe('a turn against the real codex CLI', () => {
  it('returns the final response, usage and the thread id', async () => {
    fixture = await codexFixture(() => ({ message: 'Hello from the model' }))
    const thread = fixture.codex.startThread({ workingDirectory: fixture.repo, sandboxMode: 'read-only' })
    expect(thread.id).toBeNull()
    const turn = await thread.run('Say hello')
    expect(turn.finalResponse).toBe('Hello from the model')
    expect(turn.usage).toMatchObject({ input_tokens: 100, cached_input_tokens: 20, output_tokens: 10 })
    expect(turn.structuredResponse).toBeUndefined()
    expect(thread.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(turn.items.map((item) => item.type)).toEqual(['agent_message'])
    expect(requestText(fixture.model.requests[0])).toContain('Say hello')
    expect(fixture.model.requests[0]?.headers.authorization).toBe('Bearer sk-test-key')
  })

  it('streams a command execution in order, with its output and exit code', async () => {
    fixture = await codexFixture(commandThenMessage('echo streamed-output', 'Ran it'))
    const thread = fixture.codex.startThread({ workingDirectory: fixture.repo })
    const { events, result } = await thread.runStreamed('Run echo')
    const seen: ThreadEvent[] = []
    for await (const event of events) seen.push(event)
    const turn = await result
    const label = (event: ThreadEvent): string =>
      event.type === 'item.started' || event.type === 'item.updated' || event.type === 'item.completed'
        ? `${event.type}:${event.item.type}`
        : event.type
    expect(seen.map(label)).toEqual([
      'thread.started',
      'turn.started',
      'item.started:command_execution',
      'item.completed:command_execution',
      'item.completed:agent_message',
      'turn.completed'
    ])
    const command = turn.items.find((item) => item.type === 'command_execution')
    expect(command).toMatchObject({ status: 'completed', exit_code: 0 })
    expect(command?.type === 'command_execution' && command.aggregated_output).toContain('streamed-output')
    expect(turn.finalResponse).toBe('Ran it')
    // the CLI's newer usage fields are kept, not stripped
    expect(turn.usage).toHaveProperty('reasoning_output_tokens')
  })

  it('resumes a thread: the second request carries the first turn', async () => {
    fixture = await codexFixture((request, index) => ({
      message: index === 0 ? 'first answer alpha' : 'second answer'
    }))
    const first = fixture.codex.startThread({ workingDirectory: fixture.repo })
    await first.run('first question')
    const resumed = fixture.codex.resumeThread(first.id!, { workingDirectory: fixture.repo })
    const turn = await resumed.run('second question')
    expect(turn.finalResponse).toBe('second answer')
    expect(resumed.id).toBe(first.id)
    const second = requestText(fixture.model.requests[1])
    expect(second).toContain('first question')
    expect(second).toContain('first answer alpha')
    expect(second).toContain('second question')
  })

  it('parses and validates structured output with a zod type', async () => {
    fixture = await codexFixture(() => ({
      message: JSON.stringify({ verdict: 'approve', summary: 'ok', note: null })
    }))
    const outputType = z.object({
      verdict: z.enum(['approve', 'request_changes']),
      summary: z.string(),
      note: z.string().optional()
    })
    const turn = await fixture.codex.startThread({ workingDirectory: fixture.repo }).run('Review', { outputType })
    expect(turn.structuredResponse).toEqual({ verdict: 'approve', summary: 'ok' })
    const format = fixture.model.requests[0]?.body.text?.format as Record<string, unknown>
    expect(format.type).toBe('json_schema')
    expect(format.schema).toMatchObject({ required: ['verdict', 'summary', 'note'], additionalProperties: false })
  })

  it('completes an off-schema turn: only reading structuredResponse throws, once parsed', async () => {
    fixture = await codexFixture(() => ({ message: JSON.stringify({ verdict: 'maybe' }) }))
    const outputType = z.object({ verdict: z.enum(['approve', 'request_changes']) })
    const turn = await fixture.codex.startThread({ workingDirectory: fixture.repo }).run('Review', { outputType })
    // the turn, its items and what it cost are the caller's
    expect(turn.finalResponse).toBe('{"verdict":"maybe"}')
    expect(turn.items.map((item) => item.type)).toEqual(['agent_message'])
    expect(turn.usage).toMatchObject({ input_tokens: 100, output_tokens: 10 })
    let error: unknown
    try {
      void turn.structuredResponse
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(CodexStructuredResponseError)
    const structured = error as CodexStructuredResponseError
    expect(structured.issues.join('\n')).toMatch(/verdict/)
    expect(structured.response).toBe('{"verdict":"maybe"}')
    expect(structured.partial.finalResponse).toBe('{"verdict":"maybe"}')
    expect(structured.partial.threadId).toMatch(/^[0-9a-f-]{36}$/)
    // parsed once: a second read throws the same error
    expect(() => turn.structuredResponse).toThrow(structured)
  })

  it('completes a streamed turn whose final response is not JSON; its result throws on reading', async () => {
    fixture = await codexFixture(() => ({ message: 'Sure! Here is my review.' }))
    const outputSchema = {
      type: 'object',
      properties: { n: { type: 'number' } },
      required: ['n'],
      additionalProperties: false
    }
    const { events, result } = await fixture.codex
      .startThread({ workingDirectory: fixture.repo })
      .runStreamed('Count', { outputSchema })
    const types: string[] = []
    for await (const event of events) types.push(event.type)
    expect(types.at(-1)).toBe('turn.completed')
    const turn = await result
    expect(turn.finalResponse).toBe('Sure! Here is my review.')
    expect(() => turn.structuredResponse).toThrow(CodexStructuredResponseError)
    expect(() => turn.structuredResponse).toThrow(/not JSON/)
  })

  it('JSON-parses the response to a plain outputSchema', async () => {
    fixture = await codexFixture(() => ({ message: '{"n":3}' }))
    const outputSchema = {
      type: 'object',
      properties: { n: { type: 'number' } },
      required: ['n'],
      additionalProperties: false
    }
    const turn = await fixture.codex.startThread({ workingDirectory: fixture.repo }).run('Count', { outputSchema })
    expect(turn.structuredResponse).toEqual({ n: 3 })
  })

  it('passes raw configOverrides and a threadSource that the real CLI accepts, and names itself', async () => {
    fixture = await codexFixture(() => ({ message: 'ok' }), {
      configOverrides: ['features.shell_snapshot=false', 'model="gpt-from-override"']
    })
    const thread = fixture.codex.startThread({ workingDirectory: fixture.repo, threadSource: 'ci' })
    expect((await thread.run('first')).finalResponse).toBe('ok')
    // a thread keeps the source it was created with: the flag goes to new threads only
    const resumed = fixture.codex.resumeThread(thread.id!, { workingDirectory: fixture.repo, threadSource: 'ci' })
    expect((await resumed.run('second')).finalResponse).toBe('ok')
    expect(fixture.model.requests.map((request) => request.body.model)).toEqual([
      'gpt-from-override',
      'gpt-from-override'
    ])
    expect(fixture.model.requests[0]?.headers.originator).toBe('codex_sdk_ts')
  })

  it("passes the official SDK's newest options in a form the real CLI accepts", async () => {
    fixture = await codexFixture(() => ({ message: 'ok' }))
    const thread = fixture.codex.startThread({ workingDirectory: fixture.repo, modelReasoningEffort: 'max' })
    // codex asks OpenAI's own provider for the program; to the SDK's provider for baseUrl it sends nothing
    const turn = await thread.run('first', { cyberAccessProgram: 'daybreak_blue' })
    expect(turn.finalResponse).toBe('ok')
    expect(fixture.model.requests[0]?.body.reasoning).toMatchObject({ effort: 'max' })
  })

  it('passes images with --image', async () => {
    fixture = await codexFixture(() => ({ message: 'I see a pixel' }))
    const image = path.join(fixture.repo, 'pixel.png')
    writeFileSync(
      image,
      Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
        'base64'
      )
    )
    const turn = await fixture.codex.startThread({ workingDirectory: fixture.repo }).run([
      { type: 'text', text: 'Describe' },
      { type: 'text', text: 'this image' },
      { type: 'local_image', path: image }
    ])
    expect(turn.finalResponse).toBe('I see a pixel')
    const sent = requestText(fixture.model.requests[0])
    expect(sent).toContain('input_image')
    expect(sent).toContain('data:image/png;base64')
    expect(sent).toContain('Describe\\n\\nthis image')
  })

  it('fails at once with the model message on a 400', async () => {
    fixture = await codexFixture(() => ({
      status: 400,
      body: JSON.stringify({ error: { message: 'model says no', type: 'invalid_request_error' } })
    }))
    const started = Date.now()
    const error = await fixture.codex
      .startThread({ workingDirectory: fixture.repo })
      .run('hi')
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(CodexThreadRunError)
    expect((error as Error).message).toContain('model says no')
    expect((error as CodexThreadRunError).partial.threadId).toMatch(/[0-9a-f-]{36}/)
    expect(Date.now() - started).toBeLessThan(15_000)
  })
})
