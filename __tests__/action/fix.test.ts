import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkoutOf, collectChanges, MAX_COMMIT_BYTES, MAX_FILE_BYTES } from '../../src/action/kinds/fix/changes.js'
import { fixKind } from '../../src/action/kinds/fix/kind.js'
import { suggestionFor } from '../../src/action/kinds/fix/suggest.js'
import type { GitHubApi } from '../../src/action/github/api.js'
import type { Octokit } from '../../src/action/github/octokit.js'
import { renderedDom } from '../support/markdownHtml.js'
import { provenFixClaim, withFixTrailer } from '../../src/action/kinds/fix/trailer.js'
import { createMarkerProof } from '../../src/action/thread/markerProof.js'
import { refusalOf, settingsFrom, VALID_INPUTS } from '../support/settings.js'
import { tempRepo } from '../support/tempDirs.js'

const numbered = (count: number, change: (line: number) => string | undefined = () => undefined): string =>
  Array.from({ length: count }, (_, index) => change(index + 1) ?? `line ${index + 1}`).join('\n') + '\n'

function checkout(): { root: string; write: (name: string, text: string) => void } {
  const root = tempRepo({ 'calc.ts': numbered(20), 'run.sh': '#!/bin/sh\n', '.gitignore': 'out/\n' })
  return {
    root,
    write(name, text) {
      mkdirSync(path.dirname(path.join(root, name)), { recursive: true })
      writeFileSync(path.join(root, name), text)
    }
  }
}

describe('collectChanges', () => {
  it('takes every change against the start commit, and leaves ignored files out', async () => {
    const { root, write } = checkout()
    const { head, dirty } = await checkoutOf(root)
    expect(dirty).toEqual([])
    write(
      'calc.ts',
      numbered(20, (line) => (line === 5 ? 'five' : undefined))
    )
    write('src/new.ts', 'new\n')
    write('out/build.js', 'built\n')
    const changes = await collectChanges(root, head)
    expect(changes.refused).toEqual([])
    expect(changes.changes.map((change) => change.path).sort()).toEqual(['calc.ts', 'src/new.ts'])
    expect(changes.ignored).toEqual(['out/'])
    expect(changes.patch).toContain('+five')
    expect(changes.patch).toContain('+++ b/src/new.ts')
  })

  it('refuses workflow files, links, changed executable bits and files over the size limit', async () => {
    const { root, write } = checkout()
    const { head } = await checkoutOf(root)
    write('.github/workflows/ci.yml', 'on: push\n')
    symlinkSync('/etc/passwd', path.join(root, 'link'))
    chmodSync(path.join(root, 'run.sh'), 0o755)
    write('big.bin', 'x'.repeat(MAX_FILE_BYTES + 1))
    const { refused } = await collectChanges(root, head)
    expect(Object.fromEntries(refused.map((entry) => [entry.path, entry.why.split(',')[0]]))).toEqual({
      '.github/workflows/ci.yml': 'a workflow file',
      link: 'a symbolic link',
      'run.sh': 'its executable bit changed',
      'big.bin': `${MAX_FILE_BYTES + 1} bytes`
    })
  })

  it('refuses a tracked file reached through a linked folder, and reads nothing outside the checkout', async () => {
    const { root, write } = checkout()
    write('.gitignore', 'vendor\n')
    write('vendor/lib.js', 'ours\n')
    execFileSync('git', ['add', '-f', '.gitignore', 'vendor/lib.js'], { cwd: root })
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'vendor'], { cwd: root })
    const { head } = await checkoutOf(root)
    const outside = mkdtempSync(path.join(tmpdir(), 'outside-'))
    writeFileSync(path.join(outside, 'lib.js'), 'a secret of the runner\n')
    rmSync(path.join(root, 'vendor'), { recursive: true })
    symlinkSync(outside, path.join(root, 'vendor'))
    const { changes, refused } = await collectChanges(root, head)
    expect(refused.map((entry) => entry.path)).toEqual(['vendor/lib.js'])
    expect(refused[0]!.why).toContain('symbolic link')
    expect(changes.some((change) => 'contents' in change && change.contents.toString().includes('secret'))).toBe(false)
  })

  it('leaves files over the size limit out of the patch, whole: never a patch cut short, never the change lost', async () => {
    const { root, write } = checkout()
    const { head } = await checkoutOf(root)
    write(
      'calc.ts',
      numbered(20, (line) => (line === 5 ? 'five' : undefined))
    )
    // past what a patch is read up to: the patch was cut short unseen, and a tracked file made it unreadable
    write('huge.log', 'y'.repeat(65 * 1024 * 1024))
    write('run.sh', `#!/bin/sh\n${'z'.repeat(65 * 1024 * 1024)}\n`)
    const { patch, refused } = await collectChanges(root, head)
    expect(refused.map((entry) => entry.path).sort()).toEqual(['huge.log', 'run.sh'])
    expect(patch).toContain('+five')
    expect(patch).not.toContain('huge.log')
    expect(patch).not.toContain('run.sh')
  })

  it('refuses a file whose name is not UTF-8, rather than taking it for deleted', async () => {
    const { root } = checkout()
    const latin1 = Buffer.from('caf\xe9.txt', 'latin1')
    writeFileSync(Buffer.concat([Buffer.from(`${root}/`), latin1]), 'before\n')
    execFileSync('git', ['add', '-A'], { cwd: root })
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'latin1'], { cwd: root })
    const { head } = await checkoutOf(root)
    writeFileSync(Buffer.concat([Buffer.from(`${root}/`), latin1]), 'after\n')
    const { changes, refused } = await collectChanges(root, head)
    expect(changes.filter((change) => 'deleted' in change)).toEqual([])
    expect(refused).toEqual([{ path: 'caf\ufffd.txt', why: expect.stringContaining('not UTF-8') }])
  })

  it('stops reading files once the change is over the total a fix commits', async () => {
    const { root, write } = checkout()
    const { head } = await checkoutOf(root)
    for (let index = 0; index < 6; index++) write(`data/${index}.txt`, 'x'.repeat(MAX_FILE_BYTES - 1))
    const { changes, refused } = await collectChanges(root, head)
    expect(refused.map((entry) => entry.why)).toEqual([expect.stringContaining('changed in all')])
    const read = changes.reduce((sum, change) => sum + ('contents' in change ? change.contents.length : 0), 0)
    expect(read).toBeLessThanOrEqual(MAX_COMMIT_BYTES)
  })
})

describe('suggestionFor', () => {
  const at = { path: 'calc.ts', line: 6, start: 5 }

  it('gives the commented lines as changed when every hunk is inside them', async () => {
    const { root, write } = checkout()
    const { head } = await checkoutOf(root)
    write(
      'calc.ts',
      numbered(20, (line) => (line === 5 ? 'five\nfive and a half' : undefined))
    )
    const { changes } = await collectChanges(root, head)
    expect(await suggestionFor(root, head, changes, at)).toBe('five\nfive and a half\nline 6')
  })

  it('gives none for a change outside the commented lines', async () => {
    const { root, write } = checkout()
    const { head } = await checkoutOf(root)
    write(
      'calc.ts',
      numbered(20, (line) => (line === 5 || line === 9 ? 'changed' : undefined))
    )
    const { changes } = await collectChanges(root, head)
    expect(await suggestionFor(root, head, changes, at)).toBeUndefined()
  })
})

describe('the fix trailer', () => {
  it('proves the ids under the thread key, and nothing else', async () => {
    const proof = createMarkerProof('pr-1', 'secret')
    const message = await withFixTrailer('Fix: it\n\nbody', ['abc123def456'], proof)
    expect(await provenFixClaim(message, proof)).toEqual(['abc123def456'])
    expect(await provenFixClaim(message, createMarkerProof('pr-2', 'secret'))).toBeUndefined()
    expect(await provenFixClaim(message.replace('abc123', 'abc124'), proof)).toBeUndefined()
    expect(await provenFixClaim('Fix: it', proof)).toBeUndefined()
  })
})

describe('the fix input', () => {
  it('is off by default, takes suggest and commit, and refuses anything else naming the input', () => {
    expect(settingsFrom(VALID_INPUTS).fix).toBe('off')
    expect(settingsFrom({ ...VALID_INPUTS, fix: 'commit' }).fix).toBe('commit')
    expect(refusalOf({ ...VALID_INPUTS, fix: 'push' }).message).toBe(
      'Input "fix": "push" is not one of off, suggest, commit'
    )
  })
})

describe('fixKind', () => {
  it('names a dirty file of any name in a code span its backticks cannot close', async () => {
    const { root, write } = checkout()
    write('a`b <!-- x.ts', 'left by an earlier step\n')
    const kind = await fixKind({
      api: {} as GitHubApi,
      pr: 7,
      request: { kind: 'issue', commentId: 1, author: 'alice', text: 'fix rename x' },
      standingInstructions: '',
      safe: (markdown) => markdown,
      warn: () => undefined,
      mode: 'commit',
      words: 'rename x',
      triggerPhrase: '@codex',
      proof: createMarkerProof('pr-7', 'secret'),
      lastReview: undefined,
      octokit: {} as Octokit,
      repository: { owner: 'o', repo: 'r' },
      workingDirectory: root,
      summarize: () => undefined,
      redact: (text) => text,
      keepPatch: () => Promise.reject(new Error('no patch is kept for a refusal'))
    })
    expect(kind.answerWithoutModel).toContain('e.g. ``a`b <!\u2060-- x.ts``)')
    const dom = renderedDom(kind.answerWithoutModel!)
    expect(dom.querySelector('code')!.text).toBe('a`b <!\u2060-- x.ts')
  })
})
