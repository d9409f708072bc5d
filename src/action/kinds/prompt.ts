import type { TurnKind } from '../core/kind.js'
import type { OutputSchema } from '../core/outputSchema.js'

/** The user's prompt, as it is. */
export function promptKind(prompt: string, outputSchema: OutputSchema | undefined): TurnKind {
  return { request: prompt, instructions: prompt, facts: [], outputSchema }
}
