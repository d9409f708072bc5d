import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

export const execFileAsync = promisify(execFile)

/** What a failed command wrote to stderr, trimmed; '' when it wrote nothing or never ran. */
export function stderrOf(error: unknown): string {
  const stderr = (error as { stderr?: unknown } | undefined)?.stderr
  return typeof stderr === 'string' || Buffer.isBuffer(stderr) ? stderr.toString().trim() : ''
}
