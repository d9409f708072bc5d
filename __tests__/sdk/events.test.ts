import { describe, expect, it } from 'vitest'
import { isUsage, parseEventLine } from '../../src/sdk/events.js'

const line = (event: unknown): string => JSON.stringify(event)

describe('parseEventLine', () => {
  it('passes a known event on as codex printed it, fields a newer codex adds included', () => {
    const event = {
      type: 'item.completed',
      item: {
        id: 'i1',
        type: 'command_execution',
        command: 'ls',
        aggregated_output: '',
        exit_code: null,
        status: 'declined',
        duration_ms: 3
      },
      turn_id: 't1'
    }
    expect(parseEventLine(line(event))).toEqual({ event })
  })

  it('skips unknown event and item types, saying which', () => {
    expect(parseEventLine(line({ type: 'turn.paused' }))).toEqual({ skipped: 'unknown event type "turn.paused"' })
    expect(parseEventLine(line({ type: 'item.started', item: { id: 'i', type: 'hologram' } }))).toEqual({
      skipped: 'unknown item type "hologram" in item.started'
    })
  })

  it('refuses a known type of the wrong shape, naming the field and quoting the line', () => {
    const usage = { type: 'turn.completed', usage: { input_tokens: '12', cached_input_tokens: 0, output_tokens: 1 } }
    expect(() => parseEventLine(line(usage))).toThrow(
      `codex printed a malformed "turn.completed" event (usage.input_tokens: expected a number, got "12"): ${line(usage)}`
    )
    const change = {
      type: 'item.updated',
      item: { id: 'i', type: 'file_change', changes: [{ path: 'a', kind: 'rename' }], status: 'completed' }
    }
    expect(() => parseEventLine(line(change))).toThrow(
      '(item.changes.0.kind: expected one of add, delete, update, got "rename")'
    )
    const todo = { type: 'item.completed', item: { id: 'i', type: 'todo_list', items: [{ text: 'x' }] } }
    expect(() => parseEventLine(line(todo))).toThrow('(item.items.0.completed: expected a boolean, got undefined)')
    expect(() => parseEventLine(line({ type: 'turn.failed', error: null }))).toThrow(
      '(error: expected an object, got null)'
    )
    expect(() => parseEventLine('not json')).toThrow('codex printed a line that is not JSON: not json')
    expect(() => parseEventLine('[1]')).toThrow('codex printed an event without a type: [1]')
  })

  it('takes the optional parts of an MCP tool call as null or absent', () => {
    const call = { id: 'm', type: 'mcp_tool_call', server: 's', tool: 't', arguments: { q: 1 }, status: 'in_progress' }
    expect(parseEventLine(line({ type: 'item.started', item: { ...call, result: null, error: null } }))).toHaveProperty(
      'event'
    )
    expect(parseEventLine(line({ type: 'item.started', item: call }))).toHaveProperty('event')
    expect(() =>
      parseEventLine(line({ type: 'item.completed', item: { ...call, status: 'completed', result: { content: 'x' } } }))
    ).toThrow('(item.result.content: expected an array, got "x")')
  })
})

describe('isUsage', () => {
  it('takes the three counters codex always reports, the two newer ones when numbers, and extra fields', () => {
    expect(isUsage({ input_tokens: 1, cached_input_tokens: 0, output_tokens: 2 })).toBe(true)
    expect(
      isUsage({ input_tokens: 1, cached_input_tokens: 0, output_tokens: 2, reasoning_output_tokens: 1, later: 'x' })
    ).toBe(true)
    expect(isUsage({ input_tokens: 1, output_tokens: 2 })).toBe(false)
    expect(isUsage({ input_tokens: 1, cached_input_tokens: 0, output_tokens: 2, cache_write_input_tokens: '3' })).toBe(
      false
    )
    expect(isUsage(null)).toBe(false)
  })
})
