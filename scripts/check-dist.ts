// Fails when the committed dist/ is not what the sources build: the runner runs dist/, not src/.
// ncc puts each dynamically imported module in a chunk beside index.js, so the whole folder is
// compared: a file that differs, is missing or is left over from an older build makes it stale.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const filesIn = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))

const fresh = mkdtempSync(path.join(tmpdir(), 'check-dist-'))
try {
  // the package script's own flags, with the output redirected (ncc takes the last -o)
  execFileSync('npm', ['run', '--silent', 'package', '--', '-o', fresh], { stdio: ['ignore', 'ignore', 'inherit'] })
  const built = filesIn(fresh)
  const committed = filesIn('dist')
  const stale = [
    ...built.filter(
      (file) =>
        !committed.includes(file) || !readFileSync(path.join('dist', file)).equals(readFileSync(path.join(fresh, file)))
    ),
    ...committed.filter((file) => !built.includes(file)).map((file) => `${file} (not built any more)`)
  ]
  // every run loads index.js: the Actions services' clients (~100 ms and tens of MiB each) belong in
  // the chunks only the run that uses them loads, so a static import of one fails here
  const entry = readFileSync(path.join(fresh, 'index.js'), 'utf8')
  const eager = ['DefaultArtifactClient', 'getCacheEntry', 'BlobServiceClient'].filter((name) => entry.includes(name))
  if (eager.length) {
    console.error(
      `dist/index.js loads ${eager.join(', ')} on every run: import @actions/artifact, @actions/cache and their storage client with import() where they are used`
    )
    process.exitCode = 1
  }
  if (stale.length) {
    console.error(
      `dist/ is stale (${stale.join(', ')} differ from a fresh build): run npm run package (after emptying dist/) and commit dist/`
    )
    process.exitCode = 1
  } else if (!eager.length) {
    console.log('dist/ matches the sources')
  }
} finally {
  rmSync(fresh, { recursive: true, force: true })
}
