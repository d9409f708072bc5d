import { execFileSync } from 'node:child_process'
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { prepareRange } from '../../src/action/kinds/review/range.js'
import { tempDir, tempRepo } from '../support/tempDirs.js'

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd,
    encoding: 'utf8'
  }).trim()

const PATH = process.env.PATH
afterEach(() => {
  process.env.PATH = PATH
})

describe('prepareRange fetching with the token', () => {
  it('never puts the token on git’s command line, and scopes its header to the server', async () => {
    const origin = tempRepo({ 'a.txt': 'base\n' })
    const baseSha = git(origin, 'rev-parse', 'HEAD')
    writeFileSync(path.join(origin, 'a.txt'), 'head\n')
    git(origin, 'commit', '-qam', 'head')
    const headSha = git(origin, 'rev-parse', 'HEAD')
    const checkout = tempDir('checkout')
    git(checkout, 'clone', '-q', '--depth=1', `file://${origin}`, '.')
    // a git that writes down how each fetch was started: its command line (which any user of the
    // machine can read in /proc) and the extra header it was configured with
    const bin = tempDir('bin')
    const seen = path.join(bin, 'seen.log')
    const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim()
    writeFileSync(
      path.join(bin, 'git'),
      [
        '#!/bin/sh',
        `printf 'argv: %s\\n' "$*" >> '${seen}'`,
        `case " $* " in *" fetch "*) '${real}' config --get-all 'http.https://github.example/.extraheader' | sed 's/^/header: /' >> '${seen}';; esac`,
        `exec '${real}' "$@"`
      ].join('\n')
    )
    chmodSync(path.join(bin, 'git'), 0o755)
    process.env.PATH = `${bin}:${PATH}`
    const token = 'ghs_thetokenofthisrun'
    const secrets: string[] = []
    await prepareRange({
      prNumber: 1,
      baseSha,
      headSha,
      workingDirectory: checkout,
      token,
      serverUrl: 'https://github.example',
      secret: (value) => secrets.push(value),
      log: () => {}
    })
    const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`
    const log = readFileSync(seen, 'utf8')
    const argv = log.split('\n').filter((line) => line.startsWith('argv: '))
    expect(argv.some((line) => / fetch /.test(` ${line.slice(6)} `))).toBe(true)
    expect(argv.join('\n')).not.toContain(Buffer.from(`x-access-token:${token}`).toString('base64'))
    expect(argv.join('\n')).not.toContain('extraheader')
    // the empty value first drops a header actions/checkout left for the server
    expect(
      log
        .split('\n')
        .filter((line) => line.startsWith('header: '))
        .slice(0, 2)
    ).toEqual(['header: ', `header: ${header}`])
    expect(secrets).toContain(header)
    expect(readFileSync(path.join(checkout, '.git/config'), 'utf8')).not.toContain('extraheader')
  })
})
