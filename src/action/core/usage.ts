import type { Usage } from '../../sdk/index.js'

/** The counters the `usage` and `thread-usage` outputs show, in their order. */
export const USAGE_KEYS = [
  'input_tokens',
  'cached_input_tokens',
  'cache_write_input_tokens',
  'output_tokens',
  'reasoning_output_tokens'
] as const

export const NO_USAGE: Usage = {
  input_tokens: 0,
  cached_input_tokens: 0,
  cache_write_input_tokens: 0,
  output_tokens: 0,
  reasoning_output_tokens: 0
}

/** Counter by counter; a counter codex did not report counts as zero. */
export function addUsage(...usages: Array<Usage | null | undefined>): Usage {
  const sum = { ...NO_USAGE } as Required<Usage>
  for (const usage of usages) for (const key of USAGE_KEYS) sum[key] += usage?.[key] ?? 0
  return sum
}

/** What thread-token-budget counts: input tokens (cached ones among them) plus output tokens. */
export function totalTokens(usage: Usage): number {
  return usage.input_tokens + usage.output_tokens
}
