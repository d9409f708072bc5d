import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../support/runAction.js'
import { tempDir } from '../support/tempDirs.js'

// The SDK as a user gets it: built to lib/, imported by the package's name.
describe('the package export', () => {
  beforeAll(() => {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: projectRoot, stdio: 'ignore' })
  }, 120_000)

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
