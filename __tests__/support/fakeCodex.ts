import { chmodSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { tempDir } from './tempDirs.js'

export interface FakeCodexScript {
  /** JSONL lines printed to stdout, verbatim. */
  lines: string[]
  stderr?: string
  exitCode?: number
}

/**
 * A stand-in codex executable for faults the real CLI cannot be made to show on demand
 * (a crash, a malformed event line). It answers `--version` like the real one.
 */
export function fakeCodex(script: FakeCodexScript): string {
  const file = path.join(tempDir('fake-codex'), 'codex')
  const source = `#!${process.execPath}
if (process.argv.includes('--version')) { console.log('codex-cli 0.0.0-fake'); process.exit(0) }
const script = ${JSON.stringify(script)}
process.stdin.resume()
process.stdin.on('end', () => {
  for (const line of script.lines) process.stdout.write(line + '\\n')
  if (script.stderr) process.stderr.write(script.stderr)
  process.exitCode = script.exitCode ?? 0
})
`
  writeFileSync(file, source)
  chmodSync(file, 0o755)
  return file
}
