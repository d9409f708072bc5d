import { appendFileSync, chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Codex, type Usage } from '../../src/sdk/index.js'
import { findSession, recordedTotal, sessionsDir, usageSince } from '../../src/sdk/usage.js'
import { tempDir } from '../support/tempDirs.js'

const THREAD = '01a24612-5249-7d32-898d-660a7bc5eb62'

function usage(input: number, output: number, cached = 0): Usage {
  return { input_tokens: input, cached_input_tokens: cached, output_tokens: output, reasoning_output_tokens: 0 }
}

/** A `token_count` line as codex 0.169 writes it to the session file. */
function tokenCount(total: Usage | null): string {
  const info = total && { total_token_usage: total, last_token_usage: total, model_context_window: 258400 }
  return JSON.stringify({ timestamp: 't', type: 'event_msg', payload: { type: 'token_count', info } })
}

/** A CODEX_HOME holding one session file for THREAD, in its date folder. */
function codexHome(lines: string[]): { home: string; file: string } {
  const home = tempDir('usage-home')
  const dir = path.join(home, 'sessions', '2026', '12', '05')
  mkdirSync(dir, { recursive: true })
  // an older thread in an older folder, which must not be taken for this one
  mkdirSync(path.join(home, 'sessions', '2026', '11', '30'), { recursive: true })
  writeFileSync(
    path.join(home, 'sessions', '2026', '11', '30', 'rollout-2026-11-30T10-00-00-other.jsonl'),
    tokenCount(usage(9999, 99))
  )
  const file = path.join(dir, `rollout-2026-12-05T11-58-55-${THREAD}.jsonl`)
  writeFileSync(file, lines.map((line) => `${line}\n`).join(''))
  return { home, file }
}

describe("the thread's total codex recorded", () => {
  it('is the last token_count total in the session file, skipping counts without totals and broken lines', async () => {
    const { home } = codexHome([
      JSON.stringify({ type: 'session_meta', payload: { id: THREAD } }),
      tokenCount(usage(100, 10)),
      '{"type":"event_msg","payload":{"type":"token_count", broken',
      tokenCount(usage(300, 30, 50)),
      tokenCount(null),
      JSON.stringify({ type: 'response_item', payload: { type: 'message', text: '"token_count"' } })
    ])
    const session = findSession(path.join(home, 'sessions'), THREAD)
    expect(session?.file).toMatch(new RegExp(`${THREAD}\\.jsonl$`))
    expect(await recordedTotal(session!)).toEqual(usage(300, 30, 50))
  })

  it('counts only what the file held when it was found: codex appends the new turn meanwhile', async () => {
    const { home, file } = codexHome([tokenCount(usage(100, 10))])
    const session = findSession(path.join(home, 'sessions'), THREAD)
    appendFileSync(file, `${tokenCount(usage(250, 25))}\n`)
    expect(await recordedTotal(session!)).toEqual(usage(100, 10))
  })

  it('is zero for a thread with no model response recorded, and there is no session for an unknown thread', async () => {
    const { home } = codexHome([JSON.stringify({ type: 'session_meta', payload: { id: THREAD } })])
    const session = findSession(path.join(home, 'sessions'), THREAD)
    expect(await recordedTotal(session!)).toEqual({ input_tokens: 0, cached_input_tokens: 0, output_tokens: 0 })
    expect(findSession(path.join(home, 'sessions'), '01a24612-0000-0000-0000-000000000000')).toBeNull()
    expect(findSession(path.join(home, 'nowhere'), THREAD)).toBeNull()
  })

  it('is looked for in CODEX_HOME, else in ~/.codex', () => {
    expect(sessionsDir({ CODEX_HOME: '/ch', HOME: '/h' })).toBe(path.join('/ch', 'sessions'))
    expect(sessionsDir({ HOME: '/h' })).toBe(path.join('/h', '.codex', 'sessions'))
  })
})

describe('usageSince', () => {
  it('subtracts counter by counter, keeps fields that are not counters, and counts new counters from zero', () => {
    const total = { ...usage(500, 50, 40), cache_write_input_tokens: 7, note: 'kept' } as Usage
    expect(usageSince(total, usage(300, 30, 10))).toEqual({
      ...usage(200, 20, 30),
      cache_write_input_tokens: 7,
      note: 'kept'
    })
  })

  it('refuses totals that are not of the same thread', () => {
    expect(usageSince(usage(100, 10), usage(300, 30))).toBeNull()
  })
})

/**
 * A codex that, like the real one, appends this turn's token count to the session file while it
 * runs, then reports the thread's new total in turn.completed.
 */
function appendingCodex(sessionFile: string | null, total: Usage): string {
  const file = path.join(tempDir('fake-codex'), 'codex')
  const events = [
    { type: 'thread.started', thread_id: THREAD },
    { type: 'turn.started' },
    { type: 'item.completed', item: { id: 'item_0', type: 'agent_message', text: 'done' } },
    { type: 'turn.completed', usage: total }
  ]
  writeFileSync(
    file,
    `#!${process.execPath}
const fs = require('node:fs')
process.stdin.resume()
process.stdin.on('end', () => {
  ${sessionFile ? `fs.appendFileSync(${JSON.stringify(sessionFile)}, ${JSON.stringify(`${tokenCount(total)}\n`)})` : ''}
  for (const event of ${JSON.stringify(events)}) process.stdout.write(JSON.stringify(event) + '\\n')
})
`
  )
  chmodSync(file, 0o755)
  return file
}

function client(home: string, codexPath: string, warnings: string[]): Codex {
  return new Codex({
    codexPathOverride: codexPath,
    env: { PATH: process.env.PATH ?? '', CODEX_HOME: home },
    logger: { warn: (message) => warnings.push(message) }
  })
}

describe('Turn.turnUsage', () => {
  it("on a resumed thread is codex's reported total less the total recorded before the turn", async () => {
    const { home, file } = codexHome([tokenCount(usage(300, 30, 60))])
    const warnings: string[] = []
    const turn = await client(home, appendingCodex(file, usage(420, 42, 80)), warnings)
      .resumeThread(THREAD)
      .run('again')
    expect(turn.usage).toEqual(usage(420, 42, 80))
    expect(turn.turnUsage).toEqual(usage(120, 12, 20))
    expect(warnings).toEqual([])
  })

  it('on a new thread is the reported usage', async () => {
    const warnings: string[] = []
    const turn = await client(tempDir('usage-home'), appendingCodex(null, usage(100, 10)), warnings)
      .startThread()
      .run('first')
    expect(turn.turnUsage).toEqual(usage(100, 10))
  })

  it('is unknown, with a warning, when the resumed thread has no session file or its totals do not fit', async () => {
    const warnings: string[] = []
    const missing = await client(tempDir('usage-home'), appendingCodex(null, usage(420, 42)), warnings)
      .resumeThread(THREAD)
      .run('again')
    expect(missing.usage).toEqual(usage(420, 42))
    expect(missing.turnUsage).toBeNull()
    expect(warnings).toEqual([expect.stringContaining(`no session file for thread ${THREAD}`)])

    const { home, file } = codexHome([tokenCount(usage(900, 90))])
    warnings.length = 0
    const reset = await client(home, appendingCodex(file, usage(420, 42)), warnings)
      .resumeThread(THREAD)
      .run('again')
    expect(reset.turnUsage).toBeNull()
    expect(warnings).toEqual([expect.stringContaining("could not tell this turn's usage")])
  })
})
