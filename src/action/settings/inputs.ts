import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import type { InputName } from '../core/constants.js'
import { InputError } from '../core/errors.js'

/**
 * Readers of one input's text, whatever the input: each bad value is an InputError that names the
 * input. The action's own inputs are read in settings.ts.
 */

/** Reads one input as the runner passes it (trimmed; '' when unset). */
export type InputReader = (name: InputName) => string

/**
 * The action logs several one-line inputs (model, working-directory, paths): a line break would let
 * the value start a line the runner reads as a workflow command, and `##[` is one anywhere in a line.
 */
export function assertOneLine(name: InputName, value: string): void {
  if (/[\r\n]/.test(value.trim())) throw new InputError(name, 'holds a line break: give one line')
  if (value.includes('##['))
    throw new InputError(name, 'holds "##[", which the job log would read as a workflow command')
}

/** A list input: entries separated by commas or newlines. */
export function readList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter(Boolean)
}

export function readBoolean(name: InputName, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined
  if (/^(true|yes|on|1)$/i.test(value)) return true
  if (/^(false|no|off|0)$/i.test(value)) return false
  throw new InputError(name, `"${value}" is not true or false`)
}

export function readText(name: InputName, file: string, workingDirectory: string): string {
  try {
    return readFileSync(path.resolve(workingDirectory, file), 'utf8')
  } catch (error) {
    throw new InputError(
      name,
      `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`
    )
  }
}

export function existingDirectory(name: InputName, dir: string): string {
  try {
    if (statSync(dir).isDirectory()) return dir
  } catch {
    // reported below
  }
  throw new InputError(name, `${dir} is not an existing directory`)
}
