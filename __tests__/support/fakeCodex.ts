import { chmodSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { tempDir } from './tempDirs.js'

export interface FakeCodexScript {
  /** JSONL lines printed to stdout, verbatim. */
  lines: string[]
  stderr?: string
  exitCode?: number
  /** Deletes itself once it has answered `--version`: a codex that cannot be started for the turn. */
  vanishAfterVersion?: boolean
}

/**
 * A stand-in codex executable for faults the real CLI cannot be made to show on demand
 * (a crash, a malformed event line). It answers `--version` like the real one.
 */
export function fakeCodex(script: FakeCodexScript): string {
  const file = path.join(tempDir('fake-codex'), 'codex')
  const source = `#!${process.execPath}
const script = ${JSON.stringify(script)}
if (process.argv.includes('--version')) {
  console.log('codex-cli 0.0.0-fake')
  if (script.vanishAfterVersion) require('node:fs').unlinkSync(process.argv[1])
  process.exit(0)
}
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
