import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { isPlainObject } from '../shared/checks.js'
import type { OutputType } from './options.js'

type JsonSchema = Record<string, unknown>

/**
 * Lists why the Responses API's strict structured-output mode would reject a schema: the root
 * must be an object, and every object must list all its properties in `required` and set
 * `additionalProperties: false`. An empty list means the schema is accepted.
 */
export function strictSchemaProblems(schema: unknown): string[] {
  if (!isSchema(schema)) return ['the schema must be a JSON object']
  const problems: string[] = []
  if (schema.type !== 'object') problems.push('the root must have "type": "object"')
  visit(schema, '#', (node, pointer) => {
    if (node.type === 'object' || 'properties' in node) {
      if (node.additionalProperties !== false) problems.push(`${pointer}: objects need "additionalProperties": false`)
      const properties = isSchema(node.properties) ? Object.keys(node.properties) : []
      const required = Array.isArray(node.required) ? node.required : []
      const missing = properties.filter((name) => !required.includes(name))
      if (missing.length)
        problems.push(`${pointer}: every property must be in "required" (missing ${missing.join(', ')})`)
    }
  })
  return problems
}

/**
 * The JSON Schema codex is given for a zod type: zod's own rendering, made acceptable to strict
 * mode. An optional field becomes a required, nullable one; `restoreOptionalNulls` undoes that.
 */
export function strictSchemaFromZod(outputType: OutputType): { strict: JsonSchema; original: JsonSchema } {
  // the schema's own method (zod 4.2+), so that the SDK never loads zod itself; TypeScript refuses
  // an older zod's schema, this says why to callers without it
  if (typeof outputType.toJSONSchema !== 'function') {
    throw new TypeError(
      'outputType must be a zod 4.2 or later schema (this one has no toJSONSchema method); with another zod, pass a JSON Schema as outputSchema'
    )
  }
  const original = outputType.toJSONSchema({ target: 'draft-2020-12', unrepresentable: 'throw' }) as JsonSchema
  delete original.$schema
  const strict = structuredClone(original)
  visit(strict, '#', (node) => {
    if (node.type !== 'object' && !('properties' in node)) return
    node.additionalProperties ??= false
    if (!isSchema(node.properties)) return
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : [])
    for (const [name, property] of Object.entries(node.properties)) {
      if (!required.has(name) && isSchema(property)) node.properties[name] = nullable(property)
    }
    node.required = Object.keys(node.properties)
  })
  const problems = strictSchemaProblems(strict)
  if (problems.length) {
    throw new TypeError(`outputType cannot be expressed as a strict output schema: ${problems.join('; ')}`)
  }
  return { strict, original }
}

/** Drops the nulls the model sent for fields that were optional in the original schema. */
export function restoreOptionalNulls(value: unknown, original: JsonSchema): unknown {
  const resolve = (node: JsonSchema): JsonSchema => {
    const ref = node.$ref
    if (typeof ref !== 'string' || !ref.startsWith('#/')) return node
    const target = ref
      .slice(2)
      .split('/')
      .reduce<unknown>((at, key) => (isSchema(at) ? at[key] : undefined), original)
    return isSchema(target) ? target : node
  }
  const walk = (data: unknown, node: JsonSchema): unknown => {
    const schema = resolve(node)
    for (const branch of ['anyOf', 'oneOf', 'allOf'] as const) {
      const options = schema[branch]
      if (Array.isArray(options)) options.filter(isSchema).forEach((option) => walk(data, option))
    }
    if (Array.isArray(data) && isSchema(schema.items)) data.forEach((entry) => walk(entry, schema.items as JsonSchema))
    if (isPlainObject(data) && isSchema(schema.properties)) {
      const required = Array.isArray(schema.required) ? schema.required : []
      for (const [name, property] of Object.entries(schema.properties)) {
        if (!isSchema(property)) continue
        if (data[name] === null && !required.includes(name) && !acceptsNull(resolve(property))) delete data[name]
        else walk(data[name], property)
      }
    }
    return data
  }
  return walk(value, original)
}

/** Writes the schema to a private temp file for `--output-schema`; `cleanup` removes it. */
export async function writeSchemaFile(
  schema: JsonSchema
): Promise<{ schemaPath: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'codex-output-schema-'))
  const schemaPath = path.join(dir, 'schema.json')
  // readable by codex when it runs as another user than the caller; a schema holds no secret
  await chmod(dir, 0o755)
  await writeFile(schemaPath, JSON.stringify(schema), { mode: 0o644 })
  return { schemaPath, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

function nullable(property: JsonSchema): JsonSchema {
  if (acceptsNull(property)) return property
  if (typeof property.type === 'string' && !('enum' in property) && !('const' in property)) {
    return { ...property, type: [property.type, 'null'] }
  }
  return { anyOf: [property, { type: 'null' }] }
}

function acceptsNull(schema: JsonSchema): boolean {
  if (schema.type === 'null' || (Array.isArray(schema.type) && schema.type.includes('null'))) return true
  if (schema.const === null || (Array.isArray(schema.enum) && schema.enum.includes(null))) return true
  const options = [schema.anyOf, schema.oneOf].flatMap((list): unknown[] => (Array.isArray(list) ? list : []))
  return options.some((option) => isSchema(option) && acceptsNull(option))
}

function visit(node: JsonSchema, pointer: string, fn: (node: JsonSchema, pointer: string) => void): void {
  fn(node, pointer)
  for (const key of ['properties', '$defs', 'definitions'] as const) {
    const children = node[key]
    if (!isSchema(children)) continue
    for (const [name, child] of Object.entries(children)) {
      if (isSchema(child)) visit(child, `${pointer}/${key}/${name}`, fn)
    }
  }
  if (isSchema(node.items)) visit(node.items, `${pointer}/items`, fn)
  for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const) {
    const list = node[key]
    if (Array.isArray(list))
      list.forEach((child, index) => isSchema(child) && visit(child, `${pointer}/${key}/${index}`, fn))
  }
}

function isSchema(value: unknown): value is JsonSchema {
  return isPlainObject(value)
}
