import { isPlainObject } from '../shared/checks.js'

// Shapes follow `codex exec --experimental-json` (codex-rs/exec's exec_events). The types are
// exact, so a misspelt field is a compile error; at run time the objects are passed on as codex
// printed them, fields added by a newer CLI included.

/** Response from the agent: natural-language text, or JSON when structured output is requested. */
export interface AgentMessageItem {
  id: string
  type: 'agent_message'
  text: string
}

/** The agent's reasoning summary. */
export interface ReasoningItem {
  id: string
  type: 'reasoning'
  text: string
}

export type CommandExecutionStatus = 'in_progress' | 'completed' | 'failed' | 'declined'

/** A command the agent ran. */
export interface CommandExecutionItem {
  id: string
  type: 'command_execution'
  command: string
  /** stdout and stderr as captured so far. */
  aggregated_output: string
  /** Set when the command exits; null or absent while it runs, or when it was declined. */
  exit_code?: number | null
  status: CommandExecutionStatus
}

export type PatchChangeKind = 'add' | 'delete' | 'update'

export interface FileUpdateChange {
  path: string
  kind: PatchChangeKind
}

export type PatchApplyStatus = 'in_progress' | 'completed' | 'failed'

/** A set of file changes by the agent. */
export interface FileChangeItem {
  id: string
  type: 'file_change'
  changes: FileUpdateChange[]
  status: PatchApplyStatus
}

export type McpToolCallStatus = 'in_progress' | 'completed' | 'failed'

/** A call to a tool of an MCP server. */
export interface McpToolCallItem {
  id: string
  type: 'mcp_tool_call'
  server: string
  tool: string
  arguments: unknown
  /** The server's result, for a successful call. */
  result?: { content: unknown[]; structured_content: unknown; _meta?: unknown } | null
  /** Why the call failed. */
  error?: { message: string } | null
  status: McpToolCallStatus
}

export interface WebSearchItem {
  id: string
  type: 'web_search'
  query: string
}

export interface TodoItem {
  text: string
  completed: boolean
}

/** The agent's running to-do list. */
export interface TodoListItem {
  id: string
  type: 'todo_list'
  items: TodoItem[]
}

/** A non-fatal error surfaced as an item. */
export interface ErrorItem {
  id: string
  type: 'error'
  message: string
}

export type ThreadItem =
  | AgentMessageItem
  | ReasoningItem
  | CommandExecutionItem
  | FileChangeItem
  | McpToolCallItem
  | WebSearchItem
  | TodoListItem
  | ErrorItem

/** Token counts, as codex reports them. */
export interface Usage {
  input_tokens: number
  cached_input_tokens: number
  /** Reported by codex 0.16x and part of what a turn costs; absent from older CLIs' reports. */
  cache_write_input_tokens?: number
  output_tokens: number
  /** Absent from older CLIs' reports. */
  reasoning_output_tokens?: number
}

/** The first event of a new thread: its id, to resume it later. */
export interface ThreadStartedEvent {
  type: 'thread.started'
  thread_id: string
}

export interface TurnStartedEvent {
  type: 'turn.started'
}

export interface TurnCompletedEvent {
  type: 'turn.completed'
  usage: Usage
}

export interface ThreadError {
  message: string
}

export interface TurnFailedEvent {
  type: 'turn.failed'
  error: ThreadError
}

export interface ItemStartedEvent {
  type: 'item.started'
  item: ThreadItem
}

export interface ItemUpdatedEvent {
  type: 'item.updated'
  item: ThreadItem
}

export interface ItemCompletedEvent {
  type: 'item.completed'
  item: ThreadItem
}

/** An error codex reports on the stream (a retry, for instance); `turn.failed` is a failed turn. */
export interface ThreadErrorEvent {
  type: 'error'
  message: string
}

export type ThreadEvent =
  | ThreadStartedEvent
  | TurnStartedEvent
  | TurnCompletedEvent
  | TurnFailedEvent
  | ItemStartedEvent
  | ItemUpdatedEvent
  | ItemCompletedEvent
  | ThreadErrorEvent

// Checked by hand rather than with zod: zod is an optional peer, and the SDK must run without it.

/** Checks one value; returns what is wrong with it (`path: problem`), or undefined. */
type Check = (value: unknown, path: string) => string | undefined

/** A check for every field of T: adding a field to a type without checking it is a compile error. */
type Fields<T> = { readonly [K in keyof T]-?: Check }

const anything: Check = () => undefined
const typed =
  (expected: 'string' | 'number' | 'boolean'): Check =>
  (value, path) =>
    typeof value === expected ? undefined : `${path}: expected a ${expected}, got ${describe(value)}`
const string = typed('string')
const number = typed('number')
const boolean = typed('boolean')
const oneOf =
  (...allowed: string[]): Check =>
  (value, path) =>
    typeof value === 'string' && allowed.includes(value)
      ? undefined
      : `${path}: expected one of ${allowed.join(', ')}, got ${describe(value)}`
const optional =
  (check: Check): Check =>
  (value, path) =>
    value === undefined ? undefined : check(value, path)
const nullish =
  (check: Check): Check =>
  (value, path) =>
    value === undefined || value === null ? undefined : check(value, path)
const arrayOf =
  (check: Check): Check =>
  (value, path) => {
    if (!Array.isArray(value)) return `${path}: expected an array, got ${describe(value)}`
    for (const [index, entry] of value.entries()) {
      const problem = check(entry, `${path}.${index}`)
      if (problem) return problem
    }
    return undefined
  }
function object<T>(fields: Fields<T>): Check {
  // the table is fixed: its entries once, not for every object of every event
  const entries = Object.entries<Check>(fields)
  return (value, path) => {
    if (!isPlainObject(value)) return `${path}: expected an object, got ${describe(value)}`
    for (const [name, check] of entries) {
      const problem = check(value[name], path ? `${path}.${name}` : name)
      if (problem) return problem
    }
    return undefined
  }
}

const usageFields: Fields<Usage> = {
  input_tokens: number,
  cached_input_tokens: number,
  cache_write_input_tokens: optional(number),
  output_tokens: number,
  reasoning_output_tokens: optional(number)
}
const checkUsage = object<Usage>(usageFields)

type ItemChecks = { readonly [T in ThreadItem['type']]: Check }
const itemChecks: ItemChecks = {
  agent_message: object<AgentMessageItem>({ id: string, type: string, text: string }),
  reasoning: object<ReasoningItem>({ id: string, type: string, text: string }),
  command_execution: object<CommandExecutionItem>({
    id: string,
    type: string,
    command: string,
    aggregated_output: string,
    exit_code: nullish(number),
    status: oneOf('in_progress', 'completed', 'failed', 'declined')
  }),
  file_change: object<FileChangeItem>({
    id: string,
    type: string,
    changes: arrayOf(object<FileUpdateChange>({ path: string, kind: oneOf('add', 'delete', 'update') })),
    status: oneOf('in_progress', 'completed', 'failed')
  }),
  mcp_tool_call: object<McpToolCallItem>({
    id: string,
    type: string,
    server: string,
    tool: string,
    arguments: anything,
    result: nullish(
      object<NonNullable<McpToolCallItem['result']>>({
        content: arrayOf(anything),
        structured_content: anything,
        _meta: anything
      })
    ),
    error: nullish(object<ThreadError>({ message: string })),
    status: oneOf('in_progress', 'completed', 'failed')
  }),
  web_search: object<WebSearchItem>({ id: string, type: string, query: string }),
  todo_list: object<TodoListItem>({
    id: string,
    type: string,
    items: arrayOf(object<TodoItem>({ text: string, completed: boolean }))
  }),
  error: object<ErrorItem>({ id: string, type: string, message: string })
}

const checkItem: Check = (value, path) => {
  const type = isPlainObject(value) ? value.type : undefined
  return typeof type === 'string' && Object.hasOwn(itemChecks, type)
    ? itemChecks[type as ThreadItem['type']](value, path)
    : `${path}.type: expected an item type, got ${describe(type)}`
}

type EventChecks = { readonly [T in ThreadEvent['type']]: Check }
const eventChecks: EventChecks = {
  'thread.started': object<ThreadStartedEvent>({ type: string, thread_id: string }),
  'turn.started': object<TurnStartedEvent>({ type: string }),
  'turn.completed': object<TurnCompletedEvent>({ type: string, usage: checkUsage }),
  'turn.failed': object<TurnFailedEvent>({ type: string, error: object<ThreadError>({ message: string }) }),
  'item.started': object<ItemStartedEvent>({ type: string, item: checkItem }),
  'item.updated': object<ItemUpdatedEvent>({ type: string, item: checkItem }),
  'item.completed': object<ItemCompletedEvent>({ type: string, item: checkItem }),
  error: object<ThreadErrorEvent>({ type: string, message: string })
}

/** Whether a value has the shape of a token usage report (extra fields allowed). */
export function isUsage(value: unknown): value is Usage {
  return checkUsage(value, '') === undefined
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : (JSON.stringify(value) ?? typeof value)
}

/** Why a line of codex's output could not be used. */
export class EventParseError extends Error {}

export type ParsedLine = { event: ThreadEvent } | { skipped: string }

/**
 * Parses one JSONL line. An unknown event or item type is skipped (the reason is returned so the
 * caller can warn); a known type that does not match its shape is an error quoting the line.
 */
export function parseEventLine(line: string): ParsedLine {
  let raw: unknown
  try {
    raw = JSON.parse(line)
  } catch {
    throw new EventParseError(`codex printed a line that is not JSON: ${quote(line)}`)
  }
  const type = isPlainObject(raw) ? raw.type : undefined
  if (typeof type !== 'string') throw new EventParseError(`codex printed an event without a type: ${quote(line)}`)
  if (!Object.hasOwn(eventChecks, type)) return { skipped: `unknown event type "${type}"` }
  if (type.startsWith('item.') && isPlainObject(raw) && isPlainObject(raw.item)) {
    const itemType = raw.item.type
    if (typeof itemType === 'string' && !Object.hasOwn(itemChecks, itemType)) {
      return { skipped: `unknown item type "${itemType}" in ${type}` }
    }
  }
  const problem = eventChecks[type as ThreadEvent['type']](raw, '')
  if (problem) throw new EventParseError(`codex printed a malformed "${type}" event (${problem}): ${quote(line)}`)
  return { event: raw as ThreadEvent }
}

function quote(line: string): string {
  const limit = 500
  return line.length > limit ? `${line.slice(0, limit)}… (${line.length} characters)` : line
}
