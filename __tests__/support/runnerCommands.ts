/** The commands the runner knows; any other name in a command line is printed as text. */
const RUNNER_COMMANDS = new Set([
  'add-mask',
  'add-path',
  'set-env',
  'set-output',
  'save-state',
  'debug',
  'notice',
  'warning',
  'error',
  'group',
  'endgroup',
  'echo',
  'add-matcher',
  'remove-matcher',
  'stop-commands'
])

/**
 * The commands the runner would act on in `log`, read as the runner's ActionCommandManager does:
 * `::name props::data` at the start of a (left-trimmed) line, else `##[name props]data` anywhere in
 * it; after `::stop-commands::token` nothing but `::token::` is acted on.
 */
export function runnerCommands(log: string): Array<{ name: string; data: string }> {
  const acted: Array<{ name: string; data: string }> = []
  let stopToken: string | undefined
  for (const line of log.split(/\r\n|\r|\n/)) {
    const trimmed = line.trimStart()
    const v2 = trimmed.startsWith('::') ? /^::([^:]*?)(?: [^:]*)?::(.*)$/s.exec(trimmed) : null
    const v1 = v2 ? null : /##\[([^\] ]*)[^\]]*\](.*)$/s.exec(line)
    const [name, data] = v2 ? [v2[1], v2[2]] : v1 ? [v1[1], v1[2]] : []
    if (name === undefined) continue
    if (stopToken !== undefined) {
      if (v2 && name === stopToken) stopToken = undefined
      continue
    }
    if (!RUNNER_COMMANDS.has(name)) continue
    if (name === 'stop-commands') stopToken = data
    acted.push({ name, data: data! })
  }
  return acted
}
