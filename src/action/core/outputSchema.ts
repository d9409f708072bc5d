import type { z } from 'zod'
import { describeIssues } from '../../shared/checks.js'

/** A turn's output schema: a JSON Schema object the Responses API's strict mode accepts, and its check. */
export interface OutputSchema {
  schema: Record<string, unknown>
  /** The problems of a value that does not match, one line each; none for a match. */
  validate(value: unknown): string[]
}

/**
 * The schema codex is given, checked on the way back by `validator`. A function makes the schema on
 * first use: the built-in schemas are converted from zod only by the runs that ask for them.
 */
export function outputSchemaOf(
  schema: Record<string, unknown> | (() => Record<string, unknown>),
  validator: z.ZodType
): OutputSchema {
  let made = typeof schema === 'function' ? undefined : schema
  return {
    get schema() {
      made ??= (schema as () => Record<string, unknown>)()
      return made
    },
    validate(value) {
      const parsed = validator.safeParse(value)
      return parsed.success ? [] : describeIssues(parsed.error.issues)
    }
  }
}
