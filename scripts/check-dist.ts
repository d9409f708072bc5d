// Fails when the committed dist/ is not what the sources build: the runner runs dist/, not src/.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const fresh = mkdtempSync(path.join(tmpdir(), 'check-dist-'))
try {
  // the package script's own flags, with the output redirected (ncc takes the last -o)
  execFileSync('npm', ['run', '--silent', 'package', '--', '-o', fresh], { stdio: ['ignore', 'ignore', 'inherit'] })
  const stale = readdirSync(fresh).filter((file) => {
    try {
      return !readFileSync(path.join('dist', file)).equals(readFileSync(path.join(fresh, file)))
    } catch {
      return true
    }
  })
  if (stale.length) {
    console.error(
      `dist/ is stale (${stale.join(', ')} differ from a fresh build): run npm run package and commit dist/`
    )
    process.exitCode = 1
  } else {
    console.log('dist/ matches the sources')
  }
} finally {
  rmSync(fresh, { recursive: true, force: true })
}
