import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/**
 * Tests that import the SDK by its package name get `lib/`, which a fresh clone does not have:
 * build it when it is missing or older than `src/sdk`, once, before any test file loads it.
 */
export default function setup(): void {
  const built = statSync(path.join(root, 'lib', 'sdk', 'index.js'), { throwIfNoEntry: false })?.mtimeMs ?? 0
  const sources = path.join(root, 'src', 'sdk')
  const newest = Math.max(...readdirSync(sources).map((name) => statSync(path.join(sources, name)).mtimeMs))
  if (newest > built) execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' })
}
