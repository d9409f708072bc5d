import { execFile, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { projectRoot } from '../support/runAction.js'
import { startScriptedModel } from '../support/scriptedModel.js'
import { tempDir } from '../support/tempDirs.js'

// The SDK as a user gets it: built to lib/ (by the globalSetup), imported by the package's name.
describe('the package export', () => {
  it('resolves `codex-thread-action` to the SDK, not the action', () => {
    const script = `
      import * as sdk from 'codex-thread-action'
      const thread = new sdk.Codex({ codexPathOverride: '/bin/true' }).startThread()
      console.log(JSON.stringify({
        exports: Object.keys(sdk).sort(),
        threadId: thread.id,
        hierarchy: new sdk.CodexCancelledError({ items: [], finalResponse: '', usage: null, threadId: null }) instanceof sdk.CodexError
      }))`
    const printed = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: projectRoot,
      encoding: 'utf8'
    })
    const result = JSON.parse(printed) as { exports: string[]; threadId: null; hierarchy: boolean }
    expect(result.exports).toEqual(
      expect.arrayContaining([
        'Codex',
        'Thread',
        'CodexError',
        'CodexCancelledError',
        'CodexExecError',
        'CodexExecutableNotFoundError',
        'CodexThreadRunError',
        'CodexStructuredResponseError',
        'ThreadEventSchema',
        'ThreadItemSchema'
      ])
    )
    expect(result.exports).not.toContain('run')
    expect(result.threadId).toBeNull()
    expect(result.hierarchy).toBe(true)
  })

  it('type-checks a consumer against the published declarations', () => {
    const consumer = tempDir('consumer')
    mkdirSync(path.join(consumer, 'node_modules'))
    execFileSync('ln', ['-s', projectRoot, path.join(consumer, 'node_modules', 'codex-thread-action')])
    execFileSync('ln', [
      '-s',
      path.join(projectRoot, 'node_modules', 'zod'),
      path.join(consumer, 'node_modules', 'zod')
    ])
    writeFileSync(
      path.join(consumer, 'index.ts'),
      `import { Codex } from 'codex-thread-action'
import { z } from 'zod'
export async function review(): Promise<'approve' | 'request_changes'> {
  const turn = await new Codex().startThread().run('Review', {
    outputType: z.object({ verdict: z.enum(['approve', 'request_changes']) })
  })
  return turn.structuredResponse.verdict
}
`
    )
    writeFileSync(
      path.join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          noEmit: true,
          skipLibCheck: false,
          types: []
        },
        files: ['index.ts']
      })
    )
    writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ type: 'module' }))
    const tsc = path.join(projectRoot, 'node_modules', '.bin', 'tsc')
    expect(() => execFileSync(tsc, ['-p', consumer], { encoding: 'utf8', stdio: 'pipe' })).not.toThrow()
  }, 60_000)
})

describe('the packed package', () => {
  it(
    'installs from its tarball and runs a turn by package name, finding its own codex binary',
    { timeout: 240_000 },
    async () => {
      const packDir = tempDir('pack')
      // lib/ is built already: `prepare` would rewrite it under the tests importing it meanwhile
      const tarball = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', packDir], {
        cwd: projectRoot,
        encoding: 'utf8'
      })
        .trim()
        .split('\n')
        .at(-1)!
      const consumer = tempDir('installed')
      writeFileSync(
        path.join(consumer, 'package.json'),
        JSON.stringify({ name: 'consumer', private: true, type: 'module' })
      )
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', path.join(packDir, tarball)], {
        cwd: consumer,
        stdio: 'ignore'
      })
      // an SDK user gets the SDK's runtime, not the action's bundled libraries
      expect(existsSync(path.join(consumer, 'node_modules', '@openai', 'codex'))).toBe(true)
      expect(existsSync(path.join(consumer, 'node_modules', 'zod'))).toBe(true)
      expect(existsSync(path.join(consumer, 'node_modules', '@actions'))).toBe(false)

      const model = await startScriptedModel(() => ({ message: '{"verdict":"approve"}' }))
      try {
        const home = tempDir('installed-home')
        const script = `
        import { Codex } from 'codex-thread-action'
        import { z } from 'zod'
        const codex = new Codex({ apiKey: 'sk-packed', baseUrl: ${JSON.stringify(model.url)}, env: { PATH: process.env.PATH, HOME: ${JSON.stringify(home)}, CODEX_HOME: ${JSON.stringify(home)} } })
        const turn = await codex.startThread({ skipGitRepoCheck: true }).run('Review', { outputType: z.object({ verdict: z.enum(['approve', 'request_changes']) }) })
        console.log(JSON.stringify(turn.structuredResponse))`
        const { stdout: printed } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
          cwd: consumer
        })
        expect(JSON.parse(printed)).toEqual({ verdict: 'approve' })
        expect(model.requests).toHaveLength(1)
      } finally {
        await model.close()
      }
    }
  )
})
