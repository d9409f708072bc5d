import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  Codex,
  CodexCancelledError,
  CodexExecError,
  CodexExecutableNotFoundError,
  CodexStructuredResponseError,
  CodexThreadRunError,
  type CodexOptions,
  type ThreadEvent
} from '../../src/sdk/index.js'
import { findCodexExecutable } from '../../src/sdk/binary.js'
import { tempDir } from '../support/tempDirs.js'
import { itemAt } from '../support/lists.js'

// A fake codex: a shell script that records its argv and stdin, prints scripted JSONL, then
// runs `after` (if any) and exits. It covers what the real CLI cannot be made to do on demand.

type Line = Record<string, unknown> | string

interface FakeScript {
  stdout?: Line[]
  /** Printed 300 ms after `stdout`, once the reader has taken that in. */
  stdoutLater?: Line[]
  stderr?: string
  exitCode?: number
  /** Shell run after the output, before exiting (e.g. to hang). */
  after?: string
}

interface Fake {
  path: string
  /** What the fake was started with, once it has run. */
  invocation(): { argv: string[]; stdin: string }
}

function fakeCodex(script: FakeScript): Fake {
  const dir = tempDir('fake-codex')
  const jsonl = (lines: Line[] = []): string =>
    lines.map((line) => `${typeof line === 'string' ? line : JSON.stringify(line)}\n`).join('')
  writeFileSync(path.join(dir, 'stdout.jsonl'), jsonl(script.stdout))
  writeFileSync(path.join(dir, 'later.jsonl'), jsonl(script.stdoutLater))
  writeFileSync(path.join(dir, 'stderr.txt'), script.stderr ?? '')
  const file = path.join(dir, 'codex')
  writeFileSync(
    file,
    [
      '#!/bin/sh',
      `dir='${dir}'`,
      `printf '%s\\0' "$@" > "$dir/argv"`,
      `cat > "$dir/stdin"`,
      `cat "$dir/stdout.jsonl"`,
      script.stdoutLater ? `sleep 0.3; cat "$dir/later.jsonl"` : '',
      `cat "$dir/stderr.txt" >&2`,
      script.after ?? '',
      `exit ${script.exitCode ?? 0}`,
      ''
    ].join('\n')
  )
  chmodSync(file, 0o755)
  return {
    path: file,
    invocation: () => ({
      argv: readFileSync(path.join(dir, 'argv'), 'utf8').split('\0').slice(0, -1),
      stdin: readFileSync(path.join(dir, 'stdin'), 'utf8')
    })
  }
}

function client(fake: Fake | string, options: CodexOptions = {}): { codex: Codex; warnings: string[] } {
  const warnings: string[] = []
  const codex = new Codex({
    codexPathOverride: typeof fake === 'string' ? fake : fake.path,
    env: { PATH: process.env.PATH ?? '' },
    logger: { warn: (message) => warnings.push(message) },
    ...options
  })
  return { codex, warnings }
}

const threadId = '0199a213-81c0-7800-8aa1-bbab2a035a53'
const started = [{ type: 'thread.started', thread_id: threadId }, { type: 'turn.started' }]
const usage = { input_tokens: 10, cached_input_tokens: 2, output_tokens: 3 }
const message = (id: string, text: string): Record<string, unknown> => ({
  type: 'item.completed',
  item: { id, type: 'agent_message', text }
})
const completed = { type: 'turn.completed', usage }

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected the turn to fail'),
    (caught: unknown) => caught
  )
}

/** Live processes whose argv, NULs read as spaces, is exactly `cmdline`. */
function processesRunning(cmdline: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim() === cmdline
      } catch {
        return false
      }
    })
    .map(Number)
}

/** Whether no process runs `cmdline` within `ms` (a killed process takes a moment to go). */
async function goneWithin(cmdline: string, ms = 1_000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (processesRunning(cmdline).length) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return true
}

describe('reading codex output (fake CLI)', () => {
  it('skips unknown event and item types with a warning and still completes the turn', async () => {
    const fake = fakeCodex({
      stdout: [
        ...started,
        { type: 'turn.thinking_hard', level: 3 },
        { type: 'item.started', item: { id: 'item_0', type: 'hologram', beams: 2 } },
        '',
        message('item_1', 'done'),
        completed
      ]
    })
    const { codex, warnings } = client(fake)
    const turn = await codex.startThread().run('hi')
    expect(turn.finalResponse).toBe('done')
    expect(turn.items).toEqual([{ id: 'item_1', type: 'agent_message', text: 'done' }])
    expect(turn.usage).toEqual(usage)
    expect(warnings).toEqual([
      'codex-sdk: skipped unknown event type "turn.thinking_hard"',
      'codex-sdk: skipped unknown item type "hologram" in item.started'
    ])
  })

  it('keeps fields it does not know on events, items and usage', async () => {
    const fake = fakeCodex({
      stdout: [
        ...started,
        { type: 'item.completed', item: { id: 'item_0', type: 'agent_message', text: 'hi', phase: 'final' } },
        { type: 'turn.completed', usage: { ...usage, reasoning_output_tokens: 7 }, duration_ms: 12 }
      ]
    })
    const { events, result } = await client(fake).codex.startThread().runStreamed('hi')
    const seen: ThreadEvent[] = []
    for await (const event of events) seen.push(event)
    const turn = await result
    expect(turn.items[0]).toEqual({ id: 'item_0', type: 'agent_message', text: 'hi', phase: 'final' })
    expect(turn.usage).toEqual({ ...usage, reasoning_output_tokens: 7 })
    expect(seen.at(-1)).toMatchObject({ type: 'turn.completed', duration_ms: 12 })
  })

  it('keeps the cost fields of codex 0.16x usage, and the 0.169 command and file change states', async () => {
    const cost = { ...usage, cache_write_input_tokens: 4, reasoning_output_tokens: 5 }
    const declined = {
      id: 'item_0',
      type: 'command_execution',
      command: 'rm -rf /',
      aggregated_output: '',
      exit_code: null,
      status: 'declined'
    }
    const patching = {
      id: 'item_1',
      type: 'file_change',
      changes: [{ path: 'a.ts', kind: 'add' }],
      status: 'in_progress'
    }
    const fake = fakeCodex({
      stdout: [
        ...started,
        { type: 'item.completed', item: declined },
        { type: 'item.started', item: patching },
        { type: 'turn.completed', usage: cost }
      ]
    })
    const turn = await client(fake).codex.startThread().run('hi')
    expect(turn.usage).toEqual(cost)
    expect(turn.items).toEqual([declined, patching])
  })

  it('resolves a turn whose response is off-schema and validates it once, when structuredResponse is read', async () => {
    const outputType = z.object({ verdict: z.enum(['approve', 'request_changes']) })
    const fake = fakeCodex({ stdout: [...started, message('item_0', '{"verdict":"maybe"}'), completed] })
    const turn = await client(fake).codex.startThread().run('hi', { outputType })
    expect(turn.finalResponse).toBe('{"verdict":"maybe"}')
    expect(turn.usage).toEqual(usage)
    const first = (() => {
      try {
        return turn.structuredResponse
      } catch (caught) {
        return caught
      }
    })()
    expect(first).toBeInstanceOf(CodexStructuredResponseError)
    expect((first as CodexStructuredResponseError).partial.items).toEqual(turn.items)
    // the same error object again: the response was parsed once
    expect(() => turn.structuredResponse).toThrow(first)
    // the value, once good, is also computed once
    const good = fakeCodex({ stdout: [...started, message('item_0', '{"verdict":"approve"}'), completed] })
    const parsed = await client(good)
      .codex.startThread()
      .run('hi', { outputType: z.object({ verdict: z.string() }) })
    expect(parsed.structuredResponse).toBe(parsed.structuredResponse)
    expect(parsed.structuredResponse).toEqual({ verdict: 'approve' })
    // a turn is data: its keys are those of @openai/codex-sdk's Turn and turnUsage, the parse stays lazy
    expect(Object.keys(turn).sort()).toEqual(['finalResponse', 'items', 'turnUsage', 'usage'])
  })

  it('rejects a known event that lacks a required field, quoting the line', async () => {
    const bad = '{"type":"item.completed","item":{"id":"item_1","type":"agent_message"}}'
    const fake = fakeCodex({ stdout: [...started, message('item_0', 'before'), bad, completed] })
    const error = await failure(client(fake).codex.startThread().run('hi'))
    expect(error).toBeInstanceOf(CodexExecError)
    expect((error as Error).message).toContain('malformed "item.completed" event')
    expect((error as Error).message).toContain('item.text')
    expect((error as Error).message).toContain(bad)
    expect((error as CodexExecError).partial.items.map((item) => item.id)).toEqual(['item_0'])
    expect((error as CodexExecError).partial.threadId).toBe(threadId)
  })

  it('rejects a line that is not JSON, quoting it, and stops a codex that is still running', async () => {
    const fake = fakeCodex({ stdout: [...started, 'panicked at src/main.rs:1'], after: 'exec sleep 3141' })
    const begun = Date.now()
    const error = await failure(client(fake).codex.startThread().run('hi'))
    expect(error).toBeInstanceOf(CodexExecError)
    expect((error as Error).message).toBe('codex printed a line that is not JSON: panicked at src/main.rs:1')
    expect(Date.now() - begun).toBeLessThan(5_000)
    expect(await goneWithin('sleep 3141')).toBe(true)
  })

  it('reports a non-zero exit without turn.failed as CodexExecError with the exit code and stderr', async () => {
    const fake = fakeCodex({ stdout: started, stderr: 'warming up\nboom\n', exitCode: 3 })
    const error = await failure(client(fake).codex.startThread().run('hi'))
    expect(error).toBeInstanceOf(CodexExecError)
    const exec = error as CodexExecError
    expect(exec.exitCode).toBe(3)
    expect(exec.stderr).toContain('boom')
    expect(exec.message).toBe('Codex Exec exited with code 3: warming up\nboom')
    expect(exec.partial.threadId).toBe(threadId)
  })

  it('reports a codex killed by a signal, and keeps only the tail of a long stderr', async () => {
    const noise = 'n'.repeat(100 * 1024)
    const fake = fakeCodex({ stdout: started, stderr: `${noise}\nthread 'main' panicked\n`, after: 'kill -SEGV $$' })
    const error = await failure(client(fake).codex.startThread().run('hi'))
    expect(error).toBeInstanceOf(CodexExecError)
    const exec = error as CodexExecError
    expect(exec.exitCode).toBeNull()
    expect(exec.message).toMatch(/^Codex Exec exited with signal SIGSEGV: n+\nthread 'main' panicked$/)
    expect(exec.stderr.length).toBe(16 * 1024)
    expect(exec.stderr.endsWith("thread 'main' panicked\n")).toBe(true)
  })

  it('reports turn.failed as CodexThreadRunError even when codex then exits 1, keeping the items', async () => {
    const command = {
      id: 'item_0',
      type: 'command_execution',
      command: 'make test',
      aggregated_output: 'ok\n',
      exit_code: 0,
      status: 'completed'
    }
    const fake = fakeCodex({
      stdout: [
        ...started,
        { type: 'item.completed', item: command },
        message('item_1', 'almost there'),
        { type: 'error', message: 'Reconnecting... 1/5' },
        { type: 'turn.failed', error: { message: 'stream disconnected before completion' } }
      ],
      stderr: 'ERROR: stream disconnected',
      exitCode: 1
    })
    const { codex, warnings } = client(fake)
    const error = await failure(codex.startThread().run('hi'))
    expect(error).toBeInstanceOf(CodexThreadRunError)
    expect(error).not.toBeInstanceOf(CodexExecError)
    const run = error as CodexThreadRunError
    expect(run.message).toBe('stream disconnected before completion')
    expect(run.partial.items).toEqual([command, { id: 'item_1', type: 'agent_message', text: 'almost there' }])
    expect(run.partial.finalResponse).toBe('almost there')
    expect(warnings).toEqual(['codex: Reconnecting... 1/5'])
  })

  it('parses a 50 MB line', async () => {
    const output = 'x'.repeat(50 * 1024 * 1024)
    const fake = fakeCodex({
      stdout: [
        ...started,
        {
          type: 'item.completed',
          item: {
            id: 'item_0',
            type: 'command_execution',
            command: 'cat big',
            aggregated_output: output,
            exit_code: 0,
            status: 'completed'
          }
        },
        message('item_1', 'big'),
        completed
      ]
    })
    const turn = await client(fake).codex.startThread().run('hi')
    const item = itemAt(turn.items, 0)
    expect(item.type === 'command_execution' && item.aggregated_output.length).toBe(output.length)
    expect(item.type === 'command_execution' && item.aggregated_output === output).toBe(true)
    expect(turn.finalResponse).toBe('big')
  })

  it('sends the prompt on stdin and the options as arguments', async () => {
    const fake = fakeCodex({ stdout: [...started, message('item_0', 'ok'), completed] })
    const { codex } = client(fake, {
      baseUrl: 'http://127.0.0.1:9/v1',
      apiKey: 'sk-fake',
      config: { model_verbosity: 'low' }
    })
    const thread = codex.resumeThread('0199-resumed', {
      model: 'gpt-test',
      sandboxMode: 'workspace-write',
      workingDirectory: '/tmp',
      skipGitRepoCheck: true
    })
    await thread.run([
      { type: 'text', text: 'first line\nsecond "line"' },
      { type: 'local_image', path: 'a.png' },
      { type: 'text', text: 'last' }
    ])
    const { argv, stdin } = fake.invocation()
    expect(stdin).toBe('first line\nsecond "line"\n\nlast')
    expect(argv).toEqual([
      'exec',
      '--experimental-json',
      '--config',
      'model_providers.codex_thread_action={name = "codex-thread-action", base_url = "http://127.0.0.1:9/v1", wire_api = "responses", supports_websockets = false, env_key = "CODEX_API_KEY"}',
      '--config',
      'model_provider="codex_thread_action"',
      '--config',
      'model_verbosity="low"',
      '--model',
      'gpt-test',
      '--sandbox',
      'workspace-write',
      '--cd',
      '/tmp',
      '--skip-git-repo-check',
      'resume',
      '0199-resumed',
      '--image',
      'a.png'
    ])
    // the thread takes the id codex reports
    expect(thread.id).toBe(threadId)
  })

  it('gives the API key to codex only through the environment', async () => {
    const dir = tempDir('fake-env')
    const file = path.join(dir, 'codex')
    writeFileSync(
      file,
      `#!/bin/sh\nenv > '${dir}/env'\nprintf '%s\\0' "$@" > '${dir}/argv'\necho '{"type":"turn.completed","usage":{"input_tokens":1,"cached_input_tokens":0,"output_tokens":1}}'\n`
    )
    chmodSync(file, 0o755)
    await client(file, { apiKey: 'sk-secret-123', env: { PATH: process.env.PATH ?? '', KEEP: 'me' } })
      .codex.startThread()
      .run('hi')
    const env = readFileSync(path.join(dir, 'env'), 'utf8')
    expect(env).toContain('CODEX_API_KEY=sk-secret-123')
    expect(env).toContain('KEEP=me')
    expect(readFileSync(path.join(dir, 'argv'), 'utf8')).not.toContain('sk-secret-123')
  })
})

describe('streaming (fake CLI)', () => {
  it('stops codex and rejects the result when the caller stops reading the events', async () => {
    const fake = fakeCodex({
      stdout: [...started, message('item_0', 'first')],
      after: 'sleep 3142; sleep 3143'
    })
    const { events, result } = await client(fake).codex.startThread().runStreamed('hi')
    const begun = Date.now()
    for await (const event of events) {
      if (event.type === 'item.completed') break
    }
    const error = await Promise.race([
      failure(result),
      new Promise((resolve) => setTimeout(() => resolve('still pending'), 5_000))
    ])
    expect(Date.now() - begun).toBeLessThan(3_000)
    expect(error).toBeInstanceOf(CodexCancelledError)
    expect((error as Error).message).toBe('Codex turn cancelled: the events were not consumed')
    expect((error as CodexCancelledError).partial).toMatchObject({
      threadId,
      finalResponse: 'first',
      items: [{ id: 'item_0', type: 'agent_message', text: 'first' }]
    })
    expect(await goneWithin('sleep 3142')).toBe(true)
    expect(await goneWithin('sleep 3143')).toBe(true)
  })

  it('on abort, kills even what a command in its own session forks while codex is being stopped', async () => {
    // a command that forks all the time, in a session of its own (out of reach of a group kill)
    const fake = fakeCodex({
      stdout: started,
      after: `setsid sh -c 'while :; do sleep 3161 & sleep 0.005; done' &\nexec sleep 3160`
    })
    const controller = new AbortController()
    const { events, result } = await client(fake).codex.startThread().runStreamed('hi', { signal: controller.signal })
    const consumed = (async () => {
      for await (const event of events) if (event.type === 'thread.started') setTimeout(() => controller.abort(), 300)
    })().catch(() => undefined)
    expect(await failure(result)).toBeInstanceOf(CodexCancelledError)
    await consumed
    try {
      expect(await goneWithin('sleep 3161')).toBe(true)
      expect(await goneWithin('sleep 3160')).toBe(true)
    } finally {
      for (const pid of [...processesRunning('sleep 3161'), ...processesRunning('sleep 3160')]) process.kill(pid)
    }
  })

  it('does not wait for a leftover process that holds stdout open after codex exits', async () => {
    const fake = fakeCodex({
      stdout: [...started, message('item_0', 'done'), completed],
      after: 'sleep 3144 &'
    })
    const begun = Date.now()
    try {
      const turn = await client(fake).codex.startThread().run('hi')
      expect(turn.finalResponse).toBe('done')
      expect(Date.now() - begun).toBeLessThan(5_000)
    } finally {
      for (const pid of processesRunning('sleep 3144')) process.kill(pid)
    }
  })

  it('delivers every event to a slow consumer, even after codex has exited', async () => {
    // more lines than the reader buffers before pausing stdout, then the end of the turn, which
    // waits in the pipe while the consumer is busy
    const updates = Array.from({ length: 1500 }, (_, index) => ({
      type: 'item.updated',
      item: { id: 'todo', type: 'todo_list', items: [{ text: `step ${index}`, completed: false }] }
    }))
    const fake = fakeCodex({ stdout: [...started, ...updates], stdoutLater: [message('item_0', 'end'), completed] })
    const { events, result } = await client(fake).codex.startThread().runStreamed('hi')
    let count = 0
    for await (const event of events) {
      // a consumer that is busy for a while (posting a comment, say) while codex has exited
      if (count++ === 0) await new Promise((resolve) => setTimeout(resolve, 2_500))
      void event
    }
    const turn = await result
    expect(count).toBe(2 + 1500 + 2)
    expect(turn.finalResponse).toBe('end')
    expect(turn.usage).toEqual(usage)
  })
})

describe('finding the codex executable', () => {
  it('rejects a turn with CodexExecutableNotFoundError when the binary is missing', async () => {
    const error = await failure(client('/nonexistent/codex').codex.startThread().run('hi'))
    expect(error).toBeInstanceOf(CodexExecutableNotFoundError)
    expect((error as Error).message).toContain('/nonexistent/codex')
    expect((error as CodexExecutableNotFoundError).searched).toEqual(['/nonexistent/codex'])
  })

  it('rejects a turn with CodexExecutableNotFoundError when the file is not executable', async () => {
    const file = path.join(tempDir('not-exec'), 'codex')
    writeFileSync(file, '#!/bin/sh\n', { mode: 0o644 })
    const error = await failure(client(file).codex.startThread().run('hi'))
    expect(error).toBeInstanceOf(CodexExecutableNotFoundError)
    expect((error as Error).message).toContain('EACCES')
  })

  it('throws CodexExecutableNotFoundError when neither the package nor PATH has codex', () => {
    const elsewhere = tempDir('no-codex')
    const emptyBin = tempDir('empty-bin')
    let error: unknown
    try {
      findCodexExecutable(path.join(elsewhere, 'index.js'), { PATH: emptyBin })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(CodexExecutableNotFoundError)
    expect((error as Error).message).toContain('@openai/codex')
    expect((error as CodexExecutableNotFoundError).searched).toEqual([path.join(emptyBin, 'codex')])
    expect(() => findCodexExecutable(path.join(elsewhere, 'index.js'), { PATH: '' })).toThrow(
      CodexExecutableNotFoundError
    )
  })

  it('finds codex on PATH when the package is not installed', () => {
    const bin = tempDir('bin')
    writeFileSync(path.join(bin, 'codex'), '#!/bin/sh\n', { mode: 0o755 })
    expect(findCodexExecutable(path.join(tempDir('no-codex'), 'index.js'), { PATH: `/nonexistent:${bin}` })).toBe(
      path.join(bin, 'codex')
    )
  })

  it('finds the native binary of the installed @openai/codex by default', () => {
    const found = findCodexExecutable()
    expect(found.startsWith(path.resolve('node_modules/@openai/codex'))).toBe(true)
    expect(found).toMatch(/[/\\]vendor[/\\][^/\\]+[/\\]bin[/\\]codex(\.exe)?$/)
    // and the package wins over a codex on PATH
    const bin = tempDir('bin')
    writeFileSync(path.join(bin, 'codex'), '#!/bin/sh\n', { mode: 0o755 })
    expect(findCodexExecutable(undefined, { PATH: bin })).toBe(found)
  })
})
