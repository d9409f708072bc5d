import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const created: string[] = []
// Not a vitest hook: the demo script uses these helpers too.
process.once('exit', () => created.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

/** A temp folder removed when the process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `cta-${prefix}-`))
  created.push(dir)
  return dir
}

/** A small git repository with one commit, as a checkout the agent can look at. */
export function tempRepo(files: Record<string, string> = { 'README.md': '# sample\n' }): string {
  const dir = tempDir('repo')
  const git = (...args: string[]): void => void execFileSync('git', args, { cwd: dir, stdio: 'ignore' })
  git('init', '-q', '-b', 'main')
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    writeFileSync(path.join(dir, name), text)
  }
  git('add', '.')
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'init')
  return dir
}
