import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll } from 'vitest'

const created: string[] = []
afterAll(() => created.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

/** A temp folder removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `cta-${prefix}-`))
  created.push(dir)
  return dir
}

/** A small git repository with one commit, as a checkout the agent can look at. */
export function tempRepo(): string {
  const dir = tempDir('repo')
  const git = (...args: string[]): void => void execFileSync('git', args, { cwd: dir, stdio: 'ignore' })
  git('init', '-q', '-b', 'main')
  writeFileSync(path.join(dir, 'README.md'), '# sample\n')
  git('add', '.')
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'init')
  return dir
}
