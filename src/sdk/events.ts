import { z } from 'zod'
import { describeIssues, isPlainObject } from '../shared/checks.js'

// Shapes follow `codex exec --experimental-json` (codex-rs/exec's exec_events). Every object is
// loose: the CLI adds fields between versions and those must reach the caller untouched.

export const AgentMessageItemSchema = z.looseObject({
  id: z.string(),
  type: z.literal('agent_message'),
  text: z.string()
})
export const ReasoningItemSchema = z.looseObject({
  id: z.string(),
  type: z.literal('reasoning'),
  text: z.string()
})
export const CommandExecutionItemSchema = z.looseObject({
  id: z.string(),
  type: z.literal('command_execution'),
  command: z.string(),
  aggregated_output: z.string(),
  // null (or absent) while the command is still running
  exit_code: z.number().nullish(),
  status: z.enum(['in_progress', 'completed', 'failed', 'declined'])
})
export const FileUpdateChangeSchema = z.looseObject({
  path: z.string(),
  kind: z.enum(['add', 'delete', 'update'])
})
export const FileChangeItemSchema = z.looseObject({
  id: z.string(),
  type: z.literal('file_change'),
  changes: z.array(FileUpdateChangeSchema),
  status: z.enum(['in_progress', 'completed', 'failed'])
})
export const McpToolCallItemSchema = z.looseObject({
  id: z.string(),
  type: z.literal('mcp_tool_call'),
  server: z.string(),
  tool: z.string(),
  arguments: z.unknown().optional(),
  result: z.looseObject({ content: z.array(z.unknown()), structured_content: z.unknown() }).nullish(),
  error: z.looseObject({ message: z.string() }).nullish(),
  status: z.enum(['in_progress', 'completed', 'failed'])
})
export const WebSearchItemSchema = z.looseObject({
  id: z.string(),
  type: z.literal('web_search'),
  query: z.string()
})
export const TodoItemSchema = z.looseObject({ text: z.string(), completed: z.boolean() })
export const TodoListItemSchema = z.looseObject({
  id: z.string(),
  type: z.literal('todo_list'),
  items: z.array(TodoItemSchema)
})
export const ErrorItemSchema = z.looseObject({
  id: z.string(),
  type: z.literal('error'),
  message: z.string()
})

export const ThreadItemSchema = z.discriminatedUnion('type', [
  AgentMessageItemSchema,
  ReasoningItemSchema,
  CommandExecutionItemSchema,
  FileChangeItemSchema,
  McpToolCallItemSchema,
  WebSearchItemSchema,
  TodoListItemSchema,
  ErrorItemSchema
])

export const UsageSchema = z.looseObject({
  input_tokens: z.number(),
  cached_input_tokens: z.number(),
  // Reported by codex 0.16x and part of what a turn costs; optional because older CLIs omit them.
  cache_write_input_tokens: z.number().optional(),
  output_tokens: z.number(),
  reasoning_output_tokens: z.number().optional()
})

export const ThreadStartedEventSchema = z.looseObject({
  type: z.literal('thread.started'),
  thread_id: z.string()
})
export const TurnStartedEventSchema = z.looseObject({ type: z.literal('turn.started') })
export const TurnCompletedEventSchema = z.looseObject({
  type: z.literal('turn.completed'),
  usage: UsageSchema
})
export const ThreadErrorSchema = z.looseObject({ message: z.string() })
export const TurnFailedEventSchema = z.looseObject({
  type: z.literal('turn.failed'),
  error: ThreadErrorSchema
})
export const ItemStartedEventSchema = z.looseObject({ type: z.literal('item.started'), item: ThreadItemSchema })
export const ItemUpdatedEventSchema = z.looseObject({ type: z.literal('item.updated'), item: ThreadItemSchema })
export const ItemCompletedEventSchema = z.looseObject({ type: z.literal('item.completed'), item: ThreadItemSchema })
export const ThreadErrorEventSchema = z.looseObject({ type: z.literal('error'), message: z.string() })

export const ThreadEventSchema = z.discriminatedUnion('type', [
  ThreadStartedEventSchema,
  TurnStartedEventSchema,
  TurnCompletedEventSchema,
  TurnFailedEventSchema,
  ItemStartedEventSchema,
  ItemUpdatedEventSchema,
  ItemCompletedEventSchema,
  ThreadErrorEventSchema
])

export type AgentMessageItem = z.infer<typeof AgentMessageItemSchema>
export type ReasoningItem = z.infer<typeof ReasoningItemSchema>
export type CommandExecutionItem = z.infer<typeof CommandExecutionItemSchema>
export type FileUpdateChange = z.infer<typeof FileUpdateChangeSchema>
export type FileChangeItem = z.infer<typeof FileChangeItemSchema>
export type McpToolCallItem = z.infer<typeof McpToolCallItemSchema>
export type WebSearchItem = z.infer<typeof WebSearchItemSchema>
export type TodoItem = z.infer<typeof TodoItemSchema>
export type TodoListItem = z.infer<typeof TodoListItemSchema>
export type ErrorItem = z.infer<typeof ErrorItemSchema>
export type ThreadItem = z.infer<typeof ThreadItemSchema>
export type Usage = z.infer<typeof UsageSchema>
export type ThreadError = z.infer<typeof ThreadErrorSchema>
export type ThreadStartedEvent = z.infer<typeof ThreadStartedEventSchema>
export type TurnStartedEvent = z.infer<typeof TurnStartedEventSchema>
export type TurnCompletedEvent = z.infer<typeof TurnCompletedEventSchema>
export type TurnFailedEvent = z.infer<typeof TurnFailedEventSchema>
export type ItemStartedEvent = z.infer<typeof ItemStartedEventSchema>
export type ItemUpdatedEvent = z.infer<typeof ItemUpdatedEventSchema>
export type ItemCompletedEvent = z.infer<typeof ItemCompletedEventSchema>
export type ThreadErrorEvent = z.infer<typeof ThreadErrorEventSchema>
export type ThreadEvent = z.infer<typeof ThreadEventSchema>

const knownEventTypes = new Set<string>(ThreadEventSchema.options.map((option) => option.shape.type.value))
const knownItemTypes = new Set<string>(ThreadItemSchema.options.map((option) => option.shape.type.value))

/** Why a line of codex's output could not be used. */
export class EventParseError extends Error {}

export type ParsedLine = { event: ThreadEvent } | { skipped: string }

/**
 * Parses one JSONL line. An unknown event or item type is skipped (the reason is returned so the
 * caller can warn); a known type that does not match its schema is an error quoting the line.
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
  if (!knownEventTypes.has(type)) return { skipped: `unknown event type "${type}"` }
  if (type.startsWith('item.') && isPlainObject(raw) && isPlainObject(raw.item)) {
    const itemType = raw.item.type
    if (typeof itemType === 'string' && !knownItemTypes.has(itemType)) {
      return { skipped: `unknown item type "${itemType}" in ${type}` }
    }
  }
  const parsed = ThreadEventSchema.safeParse(raw)
  if (!parsed.success) {
    const problems = describeIssues(parsed.error.issues)
    throw new EventParseError(`codex printed a malformed "${type}" event (${problems.join('; ')}): ${quote(line)}`)
  }
  return { event: parsed.data }
}

function quote(line: string): string {
  const limit = 500
  return line.length > limit ? `${line.slice(0, limit)}… (${line.length} characters)` : line
}
