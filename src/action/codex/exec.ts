import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

export const execFileAsync = promisify(execFile)

/** What a failed command wrote to stderr, trimmed; '' when it wrote nothing or never ran. */
export function stderrOf(error: unknown): string {
  return String((error as { stderr?: unknown } | undefined)?.stderr ?? '').trim()
}
