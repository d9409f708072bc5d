import { InputError } from '../../src/action/core/errors.js'
import { readSettings, type Settings } from '../../src/action/settings/settings.js'
import { tempDir } from './tempDirs.js'

/** The inputs most tests start from: a prompt and a key. */
export const VALID_INPUTS: Record<string, string> = { prompt: 'Review', 'openai-api-key': 'sk-1234' }

/** Settings as the action reads them from `inputs` (nothing else set), in a workspace of their own unless `env` names one. */
export function settingsFrom(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): Settings {
  return readSettings((name) => inputs[name] ?? '', { GITHUB_WORKSPACE: tempDir('workspace'), ...env })
}

/** The InputError the inputs are refused with; fails the test when they are accepted. */
export function refusalOf(inputs: Record<string, string>, env?: NodeJS.ProcessEnv): InputError {
  try {
    settingsFrom(inputs, env)
  } catch (error) {
    if (error instanceof InputError) return error
    throw error
  }
  throw new Error(`expected the inputs to be refused: ${JSON.stringify(inputs)}`)
}
