import { chmodSync, existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Codex, CodexOutputSchemaError, strictSchemaFromZod, strictSchemaProblems } from '../../src/sdk/index.js'
import { restoreOptionalNulls } from '../../src/sdk/outputSchema.js'
import { tempDir } from '../support/tempDirs.js'

const strict = {
  type: 'object',
  properties: {
    verdict: { type: 'string', enum: ['approve', 'request_changes'] },
    findings: {
      type: 'array',
      items: {
        type: 'object',
        properties: { file: { type: 'string' }, line: { type: ['integer', 'null'] } },
        required: ['file', 'line'],
        additionalProperties: false
      }
    }
  },
  required: ['verdict', 'findings'],
  additionalProperties: false
}

describe('strictSchemaProblems', () => {
  it('accepts a schema strict mode accepts', () => {
    expect(strictSchemaProblems(strict)).toEqual([])
    expect(strictSchemaProblems({ type: 'object', properties: {}, required: [], additionalProperties: false })).toEqual(
      []
    )
  })

  it('requires an object at the root', () => {
    expect(strictSchemaProblems({ type: 'array', items: { type: 'string' } })).toEqual([
      'the root must have "type": "object"'
    ])
    expect(strictSchemaProblems('{"type":"object"}')).toEqual(['the schema must be a JSON object'])
    expect(strictSchemaProblems([strict])).toEqual(['the schema must be a JSON object'])
    expect(strictSchemaProblems(null)).toEqual(['the schema must be a JSON object'])
  })

  it('requires additionalProperties: false on every object', () => {
    expect(strictSchemaProblems({ ...strict, additionalProperties: undefined })).toEqual([
      '#: objects need "additionalProperties": false'
    ])
    expect(strictSchemaProblems({ ...strict, additionalProperties: true })).toEqual([
      '#: objects need "additionalProperties": false'
    ])
    // an object given only by its properties counts as well
    expect(
      strictSchemaProblems({
        type: 'object',
        properties: { a: { properties: {} } },
        required: ['a'],
        additionalProperties: false
      })
    ).toEqual(['#/properties/a: objects need "additionalProperties": false'])
  })

  it('requires every property to be listed in required', () => {
    expect(strictSchemaProblems({ ...strict, required: ['verdict'] })).toEqual([
      '#: every property must be in "required" (missing findings)'
    ])
    expect(strictSchemaProblems({ ...strict, required: undefined })).toEqual([
      '#: every property must be in "required" (missing verdict, findings)'
    ])
  })

  it('finds problems nested in items, anyOf and $defs', () => {
    const loose = { type: 'object', properties: { x: { type: 'string' } } }
    const schema = {
      type: 'object',
      properties: {
        list: { type: 'array', items: loose },
        either: { anyOf: [{ type: 'null' }, loose] }
      },
      required: ['list', 'either'],
      additionalProperties: false,
      $defs: { Node: loose }
    }
    expect(strictSchemaProblems(schema)).toEqual([
      '#/properties/list/items: objects need "additionalProperties": false',
      '#/properties/list/items: every property must be in "required" (missing x)',
      '#/properties/either/anyOf/1: objects need "additionalProperties": false',
      '#/properties/either/anyOf/1: every property must be in "required" (missing x)',
      '#/$defs/Node: objects need "additionalProperties": false',
      '#/$defs/Node: every property must be in "required" (missing x)'
    ])
  })
})

describe('strictSchemaFromZod', () => {
  it('refuses, saying why, a schema without toJSONSchema (an older zod, from JavaScript)', () => {
    const zod3Like = { '~standard': {}, safeParse: () => ({ success: true as const, data: {} }) }
    expect(() => strictSchemaFromZod(zod3Like as unknown as z.ZodType)).toThrow(
      'outputType must be a zod 4.2 or later schema (this one has no toJSONSchema method)'
    )
  })

  it('makes optional fields required and nullable, keeping the original', () => {
    const { strict, original } = strictSchemaFromZod(
      z.object({
        title: z.string(),
        count: z.number().optional(),
        kind: z.enum(['bug', 'nit']).optional(),
        note: z.string().nullable().optional()
      })
    )
    expect(strict).toEqual({
      type: 'object',
      properties: {
        title: { type: 'string' },
        count: { type: ['number', 'null'] },
        kind: { anyOf: [{ type: 'string', enum: ['bug', 'nit'] }, { type: 'null' }] },
        note: { type: ['string', 'null'] }
      },
      required: ['title', 'count', 'kind', 'note'],
      additionalProperties: false
    })
    expect(original.required).toEqual(['title'])
    expect(original).not.toHaveProperty('$schema')
    expect(strictSchemaProblems(strict)).toEqual([])
  })

  it('applies strict mode to nested objects and arrays of objects', () => {
    const { strict } = strictSchemaFromZod(
      z.object({
        review: z.object({
          findings: z.array(z.object({ file: z.string(), line: z.number().int().optional() }))
        })
      })
    )
    expect(strict).toMatchObject({
      required: ['review'],
      additionalProperties: false,
      properties: {
        review: {
          required: ['findings'],
          additionalProperties: false,
          properties: {
            findings: {
              type: 'array',
              items: {
                required: ['file', 'line'],
                additionalProperties: false,
                properties: { line: { type: ['integer', 'null'] } }
              }
            }
          }
        }
      }
    })
    expect(strictSchemaProblems(strict)).toEqual([])
  })

  it('handles recursive types through $defs', () => {
    type Node = { name: string; children: Node[] }
    const node: z.ZodType<Node> = z.lazy(() => z.object({ name: z.string(), children: z.array(node) }))
    const { strict } = strictSchemaFromZod(z.object({ root: node, extra: node.optional() }))
    expect(strictSchemaProblems(strict)).toEqual([])
    expect(strict.required).toEqual(['root', 'extra'])
    expect(JSON.stringify(strict.properties)).toContain('"$ref":"#/$defs/')
  })

  it('refuses records, loose objects and non-object roots with a TypeError', () => {
    expect(() => strictSchemaFromZod(z.record(z.string(), z.number()))).toThrow(TypeError)
    expect(() => strictSchemaFromZod(z.object({ labels: z.record(z.string(), z.string()) }))).toThrow(
      /#\/properties\/labels: objects need "additionalProperties": false/
    )
    expect(() => strictSchemaFromZod(z.looseObject({ a: z.string() }))).toThrow(TypeError)
    expect(() => strictSchemaFromZod(z.array(z.string()))).toThrow(/the root must have "type": "object"/)
    expect(() => strictSchemaFromZod(z.object({ when: z.date() }))).toThrow()
  })
})

describe('restoreOptionalNulls', () => {
  const outputType = z.object({
    title: z.string(),
    count: z.number().optional(),
    note: z.string().nullable().optional(),
    required: z.string().nullable(),
    items: z.array(z.object({ name: z.string(), size: z.number().optional() })),
    nested: z.object({ deep: z.boolean().optional() }).optional()
  })
  const { original } = strictSchemaFromZod(outputType)

  it('drops the nulls sent for optional fields, at every depth, and keeps the others', () => {
    const sent = {
      title: 't',
      count: null,
      note: null,
      required: null,
      items: [
        { name: 'a', size: null },
        { name: 'b', size: 2 }
      ],
      nested: { deep: null }
    }
    const restored = restoreOptionalNulls(structuredClone(sent), original)
    expect(restored).toEqual({
      title: 't',
      // nullable as well as optional: null is a real value
      note: null,
      required: null,
      items: [{ name: 'a' }, { name: 'b', size: 2 }],
      nested: {}
    })
    expect(outputType.parse(restored)).toEqual(restored)
    // without the restoring, zod would refuse the nulls
    expect(outputType.safeParse(sent).success).toBe(false)
  })

  it('drops a null sent for an optional object', () => {
    expect(restoreOptionalNulls({ title: 't', required: 'r', items: [], nested: null }, original)).toEqual({
      title: 't',
      required: 'r',
      items: []
    })
  })

  it('follows $ref into recursive definitions', () => {
    type Node = { name: string; label?: string; children: Node[] }
    const node: z.ZodType<Node> = z.lazy(() =>
      z.object({ name: z.string(), label: z.string().optional(), children: z.array(node) })
    )
    const { original: recursive } = strictSchemaFromZod(z.object({ root: node }))
    const restored = restoreOptionalNulls(
      { root: { name: 'a', label: null, children: [{ name: 'b', label: null, children: [] }] } },
      recursive
    )
    expect(restored).toEqual({ root: { name: 'a', children: [{ name: 'b', children: [] }] } })
  })

  it('leaves values that are not objects alone', () => {
    expect(restoreOptionalNulls('text', original)).toBe('text')
    expect(restoreOptionalNulls(null, original)).toBeNull()
  })
})

describe('output schemas refused before codex starts', () => {
  /** A codex that leaves a mark when it is run. */
  function markingCodex(): { codex: Codex; ran: () => boolean } {
    const dir = tempDir('marking-codex')
    const file = path.join(dir, 'codex')
    writeFileSync(file, `#!/bin/sh\ntouch '${dir}/ran'\nexit 1\n`)
    chmodSync(file, 0o755)
    const codex = new Codex({ codexPathOverride: file, env: { PATH: process.env.PATH ?? '' } })
    return { codex, ran: () => existsSync(path.join(dir, 'ran')) }
  }

  it('rejects a plain outputSchema that strict mode would refuse with CodexOutputSchemaError', async () => {
    const { codex, ran } = markingCodex()
    const outputSchema = { type: 'object', properties: { n: { type: 'number' } } }
    const error = await codex
      .startThread()
      .run('Count', { outputSchema })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(CodexOutputSchemaError)
    expect((error as CodexOutputSchemaError).problems).toEqual([
      '#: objects need "additionalProperties": false',
      '#: every property must be in "required" (missing n)'
    ])
    expect((error as Error).message).toMatch(/^outputSchema would be rejected by the Responses API's strict mode: /)
    // runStreamed refuses it on the first read of the events, as @openai/codex-sdk reports its errors
    const { events, result } = await codex.startThread().runStreamed('Count', { outputSchema })
    await expect(events.next()).rejects.toBeInstanceOf(CodexOutputSchemaError)
    await expect(result).rejects.toBeInstanceOf(CodexOutputSchemaError)
    expect(ran()).toBe(false)
  })

  it('rejects an outputType that has no strict schema before starting codex', async () => {
    const { codex, ran } = markingCodex()
    const error = await codex
      .startThread()
      .run('Label', { outputType: z.object({ labels: z.record(z.string(), z.string()) }) })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(TypeError)
    expect(ran()).toBe(false)
  })

  it('does start codex for a schema strict mode accepts (the check above is not vacuous)', async () => {
    const { codex, ran } = markingCodex()
    await codex
      .startThread()
      .run('Review', { outputSchema: strict })
      .catch(() => undefined)
    expect(ran()).toBe(true)
  })
})
