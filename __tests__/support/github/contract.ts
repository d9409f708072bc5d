import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import {
  buildClientSchema,
  getNamedType,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  NoDeprecatedCustomRule,
  parse,
  specifiedRules,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
  type IntrospectionQuery,
  type OperationDefinitionNode,
  type ValueNode
} from 'graphql'

/*
 * The contract test: every request the GitHub test server receives is checked against GitHub's published
 * OpenAPI description (@octokit/openapi) or, for /graphql, GitHub's GraphQL schema (@octokit/graphql-schema),
 * and every answer the server gives against the description's response schema for its status. A broken rule
 * is recorded here, process-wide, where no test can reach it but through `takeViolations`;
 * __tests__/setup/contract.ts fails every test that leaves one behind.
 */

/** Who a token acts as: GitHub App installation tokens (GITHUB_TOKEN is one) may not call every operation. */
export type TokenType = 'installation' | 'user'

export interface Violation {
  /** The request, as `METHOD /path?query`. */
  request: string
  rule: ContractRule
  detail: string
}

export type ContractRule =
  | 'operation exists'
  | 'enabled for GitHub Apps'
  | 'not deprecated'
  | 'parameters valid'
  | 'body valid'
  | 'graphql valid'
  | 'graphql variables typed'
  | 'graphql connection paginated'
  | 'response valid'

const recorded: Violation[] = []
/** Operations seen by this process, as `METHOD /template` (and `graphql query|mutation name`). */
const exercised = new Set<string>()

export function recordViolations(violations: Violation[]): void {
  recorded.push(...violations)
}

/** Hands over (and forgets) the violations recorded so far: what the setup file asserts is empty. */
export function takeViolations(): Violation[] {
  return recorded.splice(0)
}

export function exercisedOperations(): string[] {
  return [...exercised].sort()
}

export function formatViolations(violations: Violation[]): string {
  return violations.map((entry) => `${entry.request}: [${entry.rule}] ${entry.detail}`).join('\n')
}

interface OpenApiOperation {
  operationId: string
  deprecated?: boolean
  parameters?: Array<OpenApiParameter | { $ref: string }>
  requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> }
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }>
  'x-github'?: { enabledForGitHubApps?: boolean }
}

interface OpenApiParameter {
  name: string
  in: 'path' | 'query' | 'header'
  required?: boolean
  deprecated?: boolean
  schema: Record<string, unknown>
}

/** An operation of the description with its path template, matched and validated lazily. */
export interface Operation {
  method: string
  template: string
  pattern: RegExp
  /** Literal segments: among templates that match a path, the most literal one is GitHub's route. */
  literals: number
  pointer: string
  spec: OpenApiOperation
}

interface Description {
  ajv: Ajv
  operations: Operation[]
  document: {
    components: Record<string, Record<string, unknown>>
    paths: Record<string, Record<string, unknown>>
    'x-examples': Record<string, Record<string, unknown>>
  }
  validators: Map<string, ValidateFunction>
}

const modules = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'node_modules')
const pointerPart = (text: string): string => encodeURIComponent(text.replace(/~/g, '~0').replace(/\//g, '~1'))

let description: Description | undefined

/**
 * GitHub's REST description (13 MB; the dereferenced one is 73 MB: ajv follows `$ref`s instead), once per
 * process, with each operation's validators compiled on first use. What the checks need of it (no prose or
 * examples, objects closed) is kept under node_modules/.cache, so a test process reads 4 MB, not 13.
 */
function loadDescription(): Description {
  if (description) return description
  const document = readSlimDescription()
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false })
  // OpenAPI 3.0's formats the server's answers carry; others are not checked
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/)
  ajv.addFormat('uri', { validate: (value: string) => URL.canParse(value) })
  // the examples are data, not schemas: ajv need not walk them
  ajv.addSchema({ openapi: '3.0.3', paths: document.paths, components: document.components, $id: 'github' }, 'github')
  const operations: Operation[] = []
  for (const [template, item] of Object.entries(document.paths))
    for (const [method, spec] of Object.entries(item)) {
      if (!/^(get|put|post|patch|delete|head)$/.test(method)) continue
      const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '([^/]+)')
      operations.push({
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${source}$`),
        literals: template.split('/').filter((part) => part && !part.startsWith('{')).length,
        pointer: `github#/paths/${pointerPart(template)}/${method}`,
        spec: spec as OpenApiOperation
      })
    }
  description = { ajv, operations, document, validators: new Map() }
  return description
}

/** Bumped when readSlimDescription keeps something else. */
const SLIM_FORMAT = 5

/** Each operation's documented answer for each success status: what the server's objects start from. */
function documentedExamples(document: Description['document']): Record<string, Record<string, unknown>> {
  const examples: Record<string, Record<string, unknown>> = {}
  for (const item of Object.values(document.paths))
    for (const operation of Object.values(item) as OpenApiOperation[])
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const media = response.content?.['application/json'] as {
          examples?: Record<string, { value?: unknown; $ref?: string }>
        }
        const example = Object.values(media?.examples ?? {})[0]
        const shared = example?.$ref?.replace('#/components/examples/', '')
        const value = shared ? (document.components.examples?.[shared] as { value?: unknown }).value : example?.value
        if (status.startsWith('2') && value !== undefined) (examples[operation.operationId] ??= {})[status] = value
      }
  return examples
}

/** GitHub's documented answer of `operationId` with `status`, a fresh copy. */
export function documentedExample(operationId: string, status: number): unknown {
  const value = loadDescription().document['x-examples'][operationId]?.[String(status)]
  if (value === undefined) throw new Error(`GitHub documents no ${status} answer of ${operationId}`)
  return structuredClone(value)
}

/** Prose and examples: nothing a check reads. */
const PROSE = new Set(['description', 'summary', 'example', 'examples', 'externalDocs', 'x-octokit', 'tags'])

/** Drops prose in place; the keys of a name map (a schema's `properties`, the components) are names, not prose. */
function withoutProse(node: unknown, names: boolean): void {
  if (typeof node !== 'object' || node === null) return
  for (const [key, value] of Object.entries(node)) {
    if (!names && PROSE.has(key)) delete (node as Record<string, unknown>)[key]
    else withoutProse(value, !names && (key === 'properties' || key === 'components' || key === 'schemas'))
  }
}

function readSlimDescription(): Description['document'] {
  const packageDir = path.join(modules, '@octokit', 'openapi')
  const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string }
  // the file name changes with the package and with what is kept of it
  const cached = path.join(modules, '.cache', 'github-contract', `api.github.com-${version}-${SLIM_FORMAT}.json`)
  if (existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8')) as Description['document']
  const text = readFileSync(path.join(packageDir, 'generated', 'api.github.com.json'), 'utf8')
  const document = JSON.parse(text) as Description['document']
  const examples = structuredClone(documentedExamples(document))
  withoutProse(document, false)
  document['x-examples'] = examples
  closeObjects(document)
  mkdirSync(path.dirname(cached), { recursive: true })
  // written whole, then renamed: parallel test processes never read half a file
  const partial = `${cached}.${process.pid}`
  writeFileSync(partial, JSON.stringify(document))
  renameSync(partial, cached)
  return document
}

/**
 * GitHub's schemas leave `additionalProperties` open; closed here, an undeclared field in a request body (or
 * in the server's answer) is an error. Schemas that are members of an `allOf` stay open: each holds only
 * part of the object.
 */
function closeObjects(document: Description['document']): void {
  const open = new Set<unknown>()
  const seen = new Set<unknown>()
  const resolve = (schema: unknown): unknown => {
    const ref = (schema as { $ref?: unknown } | null)?.$ref
    if (typeof ref !== 'string') return schema
    const [, kind, name] = /^#\/components\/(\w+)\/(.+)$/.exec(ref) ?? []
    return kind && name ? document.components[kind]?.[name] : schema
  }
  const collectOpen = (node: unknown): void => {
    if (typeof node !== 'object' || node === null || seen.has(node)) return
    seen.add(node)
    const allOf = (node as { allOf?: unknown }).allOf
    if (Array.isArray(allOf)) for (const member of allOf) open.add(resolve(member))
    for (const value of Object.values(node)) collectOpen(value)
  }
  collectOpen(document)
  const visited = new Set<unknown>()
  const close = (schema: unknown): void => {
    if (typeof schema !== 'object' || schema === null || visited.has(schema)) return
    visited.add(schema)
    const node = schema as Record<string, unknown>
    // OpenAPI 3.0's nullable does not reach into enum: JSON Schema needs null listed
    if (node.nullable === true && Array.isArray(node.enum) && !node.enum.includes(null)) node.enum.push(null)
    const properties = node.properties as Record<string, unknown> | undefined
    if (properties && node.additionalProperties === undefined && !open.has(node)) node.additionalProperties = false
    for (const child of Object.values(properties ?? {})) close(child)
    for (const key of ['items', 'additionalProperties', 'not']) if (typeof node[key] === 'object') close(node[key])
    for (const key of ['allOf', 'anyOf', 'oneOf'])
      if (Array.isArray(node[key])) for (const member of node[key] as unknown[]) close(member)
  }
  // GitHub's error answers carry more than the description lists (e.g. `status`)
  for (const [name, schema] of Object.entries(document.components.schemas ?? {}))
    if (!name.includes('error')) close(schema)
  for (const item of Object.values(document.paths))
    for (const operation of Object.values(item) as OpenApiOperation[]) {
      for (const media of Object.values(operation.requestBody?.content ?? {})) close(media.schema)
      for (const response of Object.values(operation.responses ?? {}))
        for (const media of Object.values(response.content ?? {})) close(media.schema)
    }
  for (const response of Object.values(document.components.responses ?? {}) as Array<{
    content?: Record<string, { schema: unknown }>
  }>)
    for (const media of Object.values(response.content ?? {})) close(media.schema)
}

function validator(pointer: string): ValidateFunction {
  const { ajv, validators } = loadDescription()
  let compiled = validators.get(pointer)
  if (!compiled) {
    compiled = ajv.compile({ $ref: pointer })
    validators.set(pointer, compiled)
  }
  return compiled
}

const ajvErrors = (errors: ErrorObject[] | null | undefined): string =>
  (errors ?? [])
    .filter((error) => error.keyword !== 'anyOf' && error.keyword !== 'oneOf' && error.keyword !== 'if')
    .slice(0, 5)
    .map(
      (error) =>
        `${error.instancePath || '/'} ${error.message ?? ''}${
          error.keyword === 'additionalProperties'
            ? ` (${String((error.params as { additionalProperty: string }).additionalProperty)})`
            : ''
        }`
    )
    .join('; ')

/** The operation GitHub routes `method path` to, if the description has one. */
export function findOperation(method: string, path: string): Operation | undefined {
  const matches = loadDescription().operations.filter(
    (operation) => operation.method === method && operation.pattern.test(path)
  )
  return matches.sort((a, b) => b.literals - a.literals)[0]
}

/** A parameter of `operation` and where its schema is, following a `$ref` to the shared parameters. */
function parameterAt(operation: Operation, index: number): { parameter: OpenApiParameter; pointer: string } {
  const entry = operation.spec.parameters![index]!
  if (!('$ref' in entry)) return { parameter: entry, pointer: `${operation.pointer}/parameters/${index}/schema` }
  const name = entry.$ref.replace('#/components/parameters/', '')
  return {
    parameter: loadDescription().document.components.parameters![name] as OpenApiParameter,
    pointer: `github#/components/parameters/${pointerPart(name)}/schema`
  }
}

/** A query or path value as the schema's type reads it: both arrive as text. */
function coerce(value: string, schema: Record<string, unknown>): unknown {
  if (schema.type === 'integer' || schema.type === 'number') return value.trim() === '' ? value : Number(value)
  if (schema.type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value
  return value
}

export interface RequestVerdict {
  operation?: Operation
  violations: Violation[]
  /** What GitHub answers a request that breaks the rule, when it does not serve it. */
  answer?: { status: number; data: unknown }
}

/** Checks one REST request against the operation GitHub routes it to. */
export function checkRequest(method: string, url: URL, body: unknown, token: TokenType): RequestVerdict {
  const request = `${method} ${url.pathname}${url.search}`
  const violation = (rule: ContractRule, detail: string): Violation => ({ request, rule, detail })
  const operation = findOperation(method, url.pathname)
  if (!operation)
    return {
      violations: [violation('operation exists', 'GitHub has no such operation')],
      answer: { status: 404, data: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } }
    }
  exercised.add(`${method} ${operation.template}`)
  const { spec } = operation
  const violations: Violation[] = []
  if (spec.deprecated) violations.push(violation('not deprecated', `${spec.operationId} is deprecated`))
  if (token === 'installation' && spec['x-github']?.enabledForGitHubApps === false) {
    violations.push(violation('enabled for GitHub Apps', `${spec.operationId} is not enabled for installation tokens`))
    return {
      operation,
      violations,
      answer: { status: 403, data: { message: 'Resource not accessible by integration', status: '403' } }
    }
  }
  const names = [...operation.template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!)
  const values = operation.pattern.exec(url.pathname)!.slice(1)
  const pathValues = new Map(names.map((name, index) => [name, decodeURIComponent(values[index]!)]))
  const parameters = (spec.parameters ?? []).map((_, index) => parameterAt(operation, index))
  const invalid: string[] = []
  for (const { parameter, pointer } of parameters) {
    if (parameter.in === 'header') continue
    const text = parameter.in === 'path' ? pathValues.get(parameter.name) : url.searchParams.get(parameter.name)
    if (text === null || text === undefined) {
      if (parameter.required) invalid.push(`${parameter.name} is required`)
      continue
    }
    if (parameter.deprecated) violations.push(violation('not deprecated', `parameter ${parameter.name} is deprecated`))
    const check = validator(pointer)
    if (!check(coerce(text, parameter.schema))) invalid.push(`${parameter.name}=${text}: ${ajvErrors(check.errors)}`)
  }
  for (const name of url.searchParams.keys())
    if (!parameters.some(({ parameter }) => parameter.in === 'query' && parameter.name === name))
      invalid.push(`query parameter ${name} is not declared`)
  if (invalid.length) violations.push(violation('parameters valid', invalid.join('; ')))
  const json = spec.requestBody?.content['application/json']
  if (body !== undefined && !json) violations.push(violation('body valid', 'the operation takes no JSON body'))
  else if (json && (body !== undefined || spec.requestBody?.required)) {
    const pointer = `${operation.pointer}/requestBody/content/${pointerPart('application/json')}/schema`
    const check = validator(pointer)
    if (!check(body)) violations.push(violation('body valid', ajvErrors(check.errors)))
    for (const field of deprecatedFields(json.schema, body, ''))
      violations.push(violation('not deprecated', `body field ${field} is deprecated`))
  }
  const refused = violations.find((entry) => entry.rule !== 'not deprecated')
  return {
    operation,
    violations,
    // GitHub validates bodies against the same schemas, answering 422 "Invalid request"
    answer: refused
      ? { status: 422, data: { message: `Invalid request.\n\n${refused.detail}`, status: '422' } }
      : undefined
  }
}

/** Fields of `value` its schema marks deprecated, as JSON pointers. */
function deprecatedFields(schema: unknown, value: unknown, at: string): string[] {
  const node = resolveSchema(schema)
  if (typeof value !== 'object' || value === null || !node) return []
  if (Array.isArray(value)) return value.flatMap((item, index) => deprecatedFields(node.items, item, `${at}/${index}`))
  const properties = (node.properties ?? {}) as Record<string, Record<string, unknown>>
  return Object.entries(value).flatMap(([key, item]) => {
    const property = resolveSchema(properties[key])
    if (!property) return []
    return [...(property.deprecated ? [`${at}/${key}`] : []), ...deprecatedFields(property, item, `${at}/${key}`)]
  })
}

function resolveSchema(schema: unknown): Record<string, unknown> | undefined {
  const node = schema as Record<string, unknown> | undefined
  if (typeof node?.$ref !== 'string') return node
  const name = node.$ref.replace('#/components/schemas/', '')
  return loadDescription().document.components.schemas![name] as Record<string, unknown>
}

/** Checks the server's answer against the operation's documented response for that status. */
export function checkResponse(request: string, operation: Operation, status: number, data: unknown): Violation[] {
  const violation = (detail: string): Violation[] => [{ request, rule: 'response valid', detail }]
  const responses = operation.spec.responses
  const key = String(status) in responses ? String(status) : 'default' in responses ? 'default' : undefined
  // the description lists only some of the errors an operation can answer
  if (!key) return status >= 400 ? [] : violation(`${operation.spec.operationId} documents no ${status} answer`)
  let response = responses[key]!
  let pointer = `${operation.pointer}/responses/${key}`
  if (response.$ref) {
    const name = response.$ref.replace('#/components/responses/', '')
    response = loadDescription().document.components.responses![name] as typeof response
    pointer = `github#/components/responses/${pointerPart(name)}`
  }
  const media = Object.keys(response.content ?? {}).find((type) => type.includes('json'))
  if (!media) return []
  const check = validator(`${pointer}/content/${pointerPart(media)}/schema`)
  return check(data) ? [] : violation(`${status} answer: ${ajvErrors(check.errors)}`)
}

let graphqlSchema: GraphQLSchema | undefined

/** GitHub's GraphQL schema, from its introspection (0.3 s once per process). */
export function githubGraphQLSchema(): GraphQLSchema {
  if (!graphqlSchema) {
    const file = path.join(modules, '@octokit', 'graphql-schema', 'schema.json')
    const introspection = JSON.parse(readFileSync(file, 'utf8')) as IntrospectionQuery | { data: IntrospectionQuery }
    graphqlSchema = buildClientSchema('data' in introspection ? introspection.data : introspection)
  }
  return graphqlSchema
}

export interface GraphQLVerdict {
  violations: Violation[]
  /** The valid document, its operation and coerced variables, ready to execute. */
  document?: DocumentNode
  operation?: OperationDefinitionNode
  variables?: Record<string, unknown>
}

/**
 * Checks a GraphQL request as GitHub would take it: a valid document for the schema, no deprecated field or
 * argument, variables of the declared types (and none undeclared), and `first` or `last` of at most 100 on
 * every connection, the limit GitHub enforces.
 */
export function checkGraphQL(body: unknown): GraphQLVerdict {
  const {
    query,
    variables = {},
    operationName
  } = (body ?? {}) as {
    query?: unknown
    variables?: Record<string, unknown>
    operationName?: string
  }
  const request = `POST /graphql ${typeof query === 'string' ? query.replace(/\s+/g, ' ').slice(0, 160) : ''}`
  const violation = (rule: ContractRule, detail: string): Violation => ({ request, rule, detail })
  if (typeof query !== 'string') return { violations: [violation('graphql valid', 'no query')] }
  let document: DocumentNode
  try {
    document = parse(query)
  } catch (error) {
    return { violations: [violation('graphql valid', (error as GraphQLError).message)] }
  }
  const schema = githubGraphQLSchema()
  const errors = validate(schema, document, specifiedRules)
  if (errors.length) return { violations: errors.map((error) => violation('graphql valid', error.message)) }
  // GitHub still serves a deprecated field: the document runs, and the violation stays recorded
  const violations = validate(schema, document, [NoDeprecatedCustomRule]).map((error) =>
    violation('not deprecated', error.message)
  )
  const operation = getOperationAST(document, operationName)
  if (!operation) return { violations: [violation('graphql valid', 'no operation to run')] }
  exercised.add(`graphql ${operation.operation} ${operation.name?.value ?? '(anonymous)'}`)
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 10 })
  if (coerced.errors)
    return {
      violations: violations.concat(coerced.errors.map((error) => violation('graphql variables typed', error.message)))
    }
  const declared = new Set((operation.variableDefinitions ?? []).map((definition) => definition.variable.name.value))
  violations.push(
    ...Object.keys(variables)
      .filter((name) => !declared.has(name))
      .map((name) => violation('graphql variables typed', `variable $${name} is not declared`))
  )
  violations.push(
    ...connectionLimits(schema, document, coerced.coerced).map((detail) =>
      violation('graphql connection paginated', detail)
    )
  )
  return { violations, document, operation, variables: coerced.coerced }
}

function connectionLimits(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>): string[] {
  const problems: string[] = []
  const typeInfo = new TypeInfo(schema)
  const valueOf = (node: ValueNode | undefined): unknown =>
    node?.kind === Kind.INT ? Number(node.value) : node?.kind === Kind.VARIABLE ? variables[node.name.value] : null
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const type = typeInfo.getType()
        if (!type || !getNamedType(type).name.endsWith('Connection')) return
        const limits = ['first', 'last'].map((name) =>
          valueOf(node.arguments?.find((argument) => argument.name.value === name)?.value)
        )
        const given = limits.filter((value): value is number => typeof value === 'number')
        if (given.length === 0) problems.push(`${node.name.value} has neither first nor last`)
        for (const value of given)
          if (value < 0 || value > 100) problems.push(`${node.name.value} asks for ${value} (1 to 100)`)
      }
    })
  )
  return problems
}
