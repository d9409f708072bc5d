import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Code, Heading, Root } from 'mdast'
import { fromMarkdown } from 'mdast-util-from-markdown'
import { beforeAll, describe, expect, it } from 'vitest'
import { findCodexInstallation } from '../../src/sdk/index.js'
import { projectRoot } from '../support/runAction.js'
import { startScriptedModel, type ModelRequest, type ModelScript } from '../support/scriptedModel.js'
import { tempDir } from '../support/tempDirs.js'

// The SDK as a user gets it: `npm pack` of lib/ (built by the globalSetup), installed from the
// tarball into fresh folders, imported by the package's name. Installed with --omit=optional, so
// without @openai/codex's 400 MB platform binary: the SDK then finds the project's codex on PATH,
// as it would a codex installed any other way. zod comes from the npm cache the project's own
// install filled (--prefer-offline), TypeScript and @types/node from the project.

const run = promisify(execFile)
const codexBin = path.dirname(findCodexInstallation().executablePath)
const zodVersion = (
  JSON.parse(readFileSync(path.join(projectRoot, 'node_modules/zod/package.json'), 'utf8')) as {
    version: string
  }
).version
const tsc = path.join(projectRoot, 'node_modules', '.bin', 'tsc')
const npmFlags = ['--prefer-offline', '--omit=optional', '--no-audit', '--no-fund', '--loglevel=error']

let tarball: string

beforeAll(async () => {
  const packDir = tempDir('pack')
  // lib/ is built already: `prepare` would rewrite it under the tests importing it meanwhile
  const { stdout } = await run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', packDir], {
    cwd: projectRoot
  })
  tarball = path.join(packDir, stdout.trim().split('\n').at(-1)!)
}, 60_000)

/** A folder with the package installed from the tarball, plus `extra` packages, and @types/node. */
async function installedConsumer(prefix: string, type: 'module' | 'commonjs', extra: string[] = []): Promise<string> {
  const dir = tempDir(prefix)
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: prefix, private: true, type }))
  await run('npm', ['install', ...npmFlags, tarball, ...extra], { cwd: dir })
  linkTypesNode(dir)
  return dir
}

function linkTypesNode(dir: string): void {
  mkdirSync(path.join(dir, 'node_modules', '@types'), { recursive: true })
  symlinkSync(
    path.join(projectRoot, 'node_modules', '@types', 'node'),
    path.join(dir, 'node_modules', '@types', 'node')
  )
}

/** A CODEX_HOME whose config sends codex to the scripted model, and the environment to run in. */
function scriptedEnvironment(modelUrl: string): Record<string, string> {
  const home = tempDir('consumer-home')
  writeFileSync(
    path.join(home, 'config.toml'),
    `model_provider = "scripted"
[model_providers.scripted]
name = "scripted"
base_url = ${JSON.stringify(modelUrl)}
wire_api = "responses"
supports_websockets = false
env_key = "OPENAI_API_KEY"
`
  )
  return { PATH: `${codexBin}:${process.env.PATH ?? ''}`, HOME: home, CODEX_HOME: home, OPENAI_API_KEY: 'sk-consumer' }
}

/** The model answers a structured-output request with JSON of the requested schema, else `message`. */
function answering(message: string): ModelScript {
  return (request: ModelRequest) => {
    const format: { type?: string; schema?: unknown } | undefined = request.body.text?.format
    return { message: format?.type === 'json_schema' ? JSON.stringify(exampleOf(format.schema)) : message }
  }
}

function exampleOf(schema: unknown): unknown {
  const node = schema as { type?: string | string[]; enum?: unknown[]; properties?: Record<string, unknown> }
  if (node.enum) return node.enum[0]
  const type = Array.isArray(node.type) ? node.type[0] : node.type
  if (type === 'object')
    return Object.fromEntries(Object.entries(node.properties ?? {}).map(([name, child]) => [name, exampleOf(child)]))
  if (type === 'number' || type === 'integer') return 1
  if (type === 'boolean') return true
  return 'scripted text'
}

/** Runs tsc on a project; resolves to its diagnostics, '' when it type-checks. */
async function typeCheck(dir: string, config: string): Promise<string> {
  try {
    await run(tsc, ['-p', config], { cwd: dir })
    return ''
  } catch (error) {
    return (error as { stdout: string }).stdout
  }
}

const strictCompilerOptions = {
  strict: true,
  target: 'ES2022',
  lib: ['ES2022'],
  types: ['node'],
  // declarations are checked once, without zod, by the test that installs no zod: checking zod's
  // own again with each program would triple the time
  skipLibCheck: true,
  noUncheckedIndexedAccess: true
}
const nodenext = { ...strictCompilerOptions, module: 'NodeNext', moduleResolution: 'NodeNext' }
const bundler = { ...strictCompilerOptions, module: 'ESNext', moduleResolution: 'Bundler', noEmit: true }

describe('the packed package', () => {
  it('holds the SDK only: compiled files and their types, README, LICENSE, no source maps', async () => {
    const { stdout } = await run('tar', ['tzf', tarball])
    const files = stdout.trim().split('\n').sort()
    expect(files.filter((file) => !/^package\/lib\/(sdk|shared)\/\w+\.(js|d\.ts)$/.test(file))).toEqual([
      'package/LICENSE',
      'package/README.md',
      'package/package.json'
    ])
    expect(files).toEqual(expect.arrayContaining(['package/lib/sdk/index.js', 'package/lib/sdk/index.d.ts']))
    // the README's account of the package stays true
    const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8')
    expect(/The package: (\d+) files/.exec(readme)?.[1]).toBe(String(files.length))
    const { stdout: contents } = await run('tar', ['xzOf', tarball])
    expect(contents).not.toContain('sourceMappingURL')
    expect(contents).toContain('MIT License')
  })

  it('installs without zod and the action; an ES module imports it by name, runs a turn with a JSON Schema and type-checks', async () => {
    const consumer = await installedConsumer('esm', 'module')
    expect(existsSync(path.join(consumer, 'node_modules', '@openai', 'codex'))).toBe(true)
    expect(existsSync(path.join(consumer, 'node_modules', 'zod'))).toBe(false)
    expect(existsSync(path.join(consumer, 'node_modules', '@actions'))).toBe(false)
    writeFileSync(
      path.join(consumer, 'index.js'),
      `import * as sdk from 'codex-thread-action'
const thread = new sdk.Codex().startThread({ workingDirectory: process.cwd(), skipGitRepoCheck: true })
const turn = await thread.run('Status?', {
  outputSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false }
})
console.log(JSON.stringify({ exports: Object.keys(sdk).sort(), structured: turn.structuredResponse, threadId: thread.id }))
`
    )
    const model = await startScriptedModel(answering('unused'))
    try {
      const { stdout } = await run(process.execPath, ['index.js'], {
        cwd: consumer,
        env: scriptedEnvironment(model.url)
      })
      const printed = JSON.parse(stdout) as { exports: string[]; structured: unknown; threadId: string }
      expect(printed.structured).toEqual({ ok: true })
      expect(printed.threadId).toMatch(/^[0-9a-f-]{36}$/)
      expect(printed.exports).toEqual(
        expect.arrayContaining(['Codex', 'Thread', 'CodexError', 'CodexCancelledError', 'CodexExecError', 'isUsage'])
      )
      expect(printed.exports).not.toContain('run')
      expect(model.requests).toHaveLength(1)
    } finally {
      await model.close()
    }
    // the declarations, checked too (skipLibCheck off), need no zod
    writeFileSync(
      path.join(consumer, 'events.ts'),
      `import { Codex, type ThreadItem } from 'codex-thread-action'
export async function completed(): Promise<ThreadItem[]> {
  const items: ThreadItem[] = []
  const { events } = await new Codex().startThread().runStreamed('Hi', { outputSchema: { type: 'object' } })
  for await (const event of events) if (event.type === 'item.completed') items.push(event.item)
  return items
}
`
    )
    writeFileSync(
      path.join(consumer, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { ...nodenext, noEmit: true, skipLibCheck: false }, files: ['events.ts'] })
    )
    expect(await typeCheck(consumer, 'tsconfig.json')).toBe('')
  })

  it('is required by name from CommonJS, with one class identity for errors; installs beside zod 3', async () => {
    const consumer = await installedConsumer('cjs', 'commonjs', ['zod@3'])
    writeFileSync(
      path.join(consumer, 'index.js'),
      `const sdk = require('codex-thread-action')
const aborted = AbortSignal.abort('stop')
new sdk.Codex().startThread({ skipGitRepoCheck: true }).run('Hello', { signal: aborted }).catch((error) => {
  console.log(JSON.stringify({ cancelled: error instanceof sdk.CodexCancelledError, base: error instanceof sdk.CodexError }))
})
`
    )
    const { stdout, stderr } = await run(process.execPath, ['index.js'], { cwd: consumer })
    expect(JSON.parse(stdout)).toEqual({ cancelled: true, base: true })
    expect(stderr).toBe('')
    // zod 3 is no peer conflict; its schemas are no outputType (JSON Schema is the way), and
    // TypeScript says so
    writeFileSync(
      path.join(consumer, 'zod3.ts'),
      `import { Codex } from 'codex-thread-action'
import { z } from 'zod'
export const turn = new Codex().startThread().run('Review', { outputType: z.object({ verdict: z.string() }) })
`
    )
    writeFileSync(
      path.join(consumer, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { ...nodenext, noEmit: true }, files: ['zod3.ts'] })
    )
    expect(await typeCheck(consumer, 'tsconfig.json')).toMatch(/^zod3\.ts\(3,[^]*Property 'toJSONSchema' is missing/)
  })

  describe("the README's SDK section, run as written", () => {
    const section = sdkSection()
    const install = section.code.find((block) => block.lang === 'sh')?.value ?? ''
    const files = section.code
      .filter((block) => block.lang !== 'sh')
      .map((block) => ({ ...block, name: fileName(block) }))
    let consumer: string

    beforeAll(async () => {
      consumer = tempDir('readme')
      // the package from its tarball and zod from the cache, as the registry would give them
      const script = install.replace(
        /^npm install codex-thread-action zod$/m,
        `npm install ${npmFlags.join(' ')} ${tarball} zod@${zodVersion}`
      )
      await run('sh', ['-ec', script], { cwd: consumer })
      linkTypesNode(consumer)
    }, 120_000)

    it('installs with the command it gives, in a fresh ES-module folder', () => {
      expect(install).toContain('npm pkg set type=module')
      expect(install).toMatch(/^npm install codex-thread-action zod$/m)
      expect(files.map((file) => file.name)).toEqual(['review.ts', 'summary.ts', 'status.cjs'])
      expect(JSON.parse(readFileSync(path.join(consumer, 'package.json'), 'utf8'))).toMatchObject({ type: 'module' })
    })

    it('type-checks strictly with module nodenext and with bundler resolution, and runs against the scripted model', async () => {
      for (const file of files) writeFileSync(path.join(consumer, file.name), file.value)
      const names = files.map((file) => file.name)
      writeFileSync(
        path.join(consumer, 'tsconfig.nodenext.json'),
        JSON.stringify({ compilerOptions: { ...nodenext, allowJs: true, checkJs: true, outDir: 'out' }, files: names })
      )
      writeFileSync(
        path.join(consumer, 'tsconfig.bundler.json'),
        JSON.stringify({ compilerOptions: bundler, files: names.filter((name) => name.endsWith('.ts')) })
      )
      const [withNodeNext, withBundler] = await Promise.all([
        typeCheck(consumer, 'tsconfig.nodenext.json'),
        typeCheck(consumer, 'tsconfig.bundler.json')
      ])
      expect(withNodeNext).toBe('')
      expect(withBundler).toBe('')

      const model = await startScriptedModel(answering('All green'))
      try {
        const env = scriptedEnvironment(model.url)
        const node = async (file: string): Promise<string> =>
          (await run(process.execPath, [file], { cwd: consumer, env })).stdout
        // the TypeScript files as tsc emitted them (Node 22.18+ strips the types itself, alike)
        const review = await node('out/review.js')
        expect(review).toContain('approve scripted text')
        expect(review.trim().split('\n').slice(-2)).toEqual(['agent_message', 'All green'])
        // the resumed turn carried the first one: the thread went on
        expect(JSON.stringify(model.requests[1]?.body.input)).toContain('Review the last commit')
        expect(await node('out/summary.js')).toContain("{ summary: 'scripted text', status: 'ok' }")
        expect((await node('status.cjs')).trim()).toBe('All green')
        expect(model.requests).toHaveLength(4)
      } finally {
        await model.close()
      }
    })

    it('has exact types: a misspelt field or a wrong output type is a compile error', async () => {
      writeFileSync(
        path.join(consumer, 'mistakes.ts'),
        `import { Codex, type ThreadItem, type Usage } from 'codex-thread-action'
import { z } from 'zod'
export function text(item: ThreadItem): string {
  return item.type === 'agent_message' ? item.txt : ''
}
export const usage: Usage = { input_tokens: 1, cached_input_tokens: 0, output_tokens: 1, cachedTokens: 0 }
export async function verdict(): Promise<void> {
  const turn = await new Codex().startThread().run('Review', { outputType: z.object({ verdict: z.enum(['approve', 'request_changes']) }) })
  const known: 'approve' | 'request_changes' = turn.structuredResponse.verdict
  const wrong: number = turn.structuredResponse.verdict
  void known, wrong
}
`
      )
      // every type name @openai/codex-sdk 0.163 exports, so code moving over keeps its imports
      const officialNames = [
        'AgentMessageItem ApprovalMode Codex CodexOptions CommandExecutionItem CyberAccessProgram',
        'ErrorItem FileChangeItem Input ItemCompletedEvent ItemStartedEvent ItemUpdatedEvent',
        'McpToolCallItem ModelReasoningEffort ReasoningItem RunResult RunStreamedResult SandboxMode',
        'Thread ThreadError ThreadErrorEvent ThreadEvent ThreadItem ThreadOptions',
        'ThreadStartedEvent TodoListItem TurnCompletedEvent TurnFailedEvent TurnOptions',
        'TurnStartedEvent Usage UserInput WebSearchItem WebSearchMode'
      ]
        .join(' ')
        .split(' ')
      writeFileSync(
        path.join(consumer, 'names.ts'),
        `import type { ${officialNames.join(', ')} } from 'codex-thread-action'\nexport type All = [${officialNames.join(', ')}]\n`
      )
      writeFileSync(
        path.join(consumer, 'tsconfig.mistakes.json'),
        JSON.stringify({
          compilerOptions: { ...nodenext, noEmit: true, skipLibCheck: true },
          files: ['mistakes.ts', 'names.ts']
        })
      )
      const errors = (await typeCheck(consumer, 'tsconfig.mistakes.json'))
        .split('\n')
        .filter((line) => /^\S+\.ts\(/.test(line))
      expect(errors).toHaveLength(3)
      expect(errors[0]).toMatch(/^mistakes\.ts\(4,.*Property 'txt' does not exist on type 'AgentMessageItem'/)
      expect(errors[1]).toMatch(/^mistakes\.ts\(6,.*'cachedTokens' does not exist in type 'Usage'/)
      // line 9, where the output type is the schema's, compiles
      expect(errors[2]).toMatch(/^mistakes\.ts\(10,.*is not assignable to type 'number'/)
    })
  })
})

interface Block {
  lang: string
  value: string
}

/** The code blocks of the README's "The SDK" section, up to its "Differences" subsection. */
function sdkSection(): { code: Block[] } {
  const tree: Root = fromMarkdown(readFileSync(path.join(projectRoot, 'README.md'), 'utf8'))
  const text = (heading: Heading): string =>
    heading.children.map((child) => ('value' in child ? child.value : '')).join('')
  const start = tree.children.findIndex(
    (node) => node.type === 'heading' && node.depth === 2 && text(node) === 'The SDK'
  )
  const end = tree.children.findIndex((node, index) => index > start && node.type === 'heading' && node.depth <= 3)
  const code = tree.children
    .slice(start, end)
    .filter((node): node is Code => node.type === 'code')
    .map((node) => ({ lang: node.lang ?? '', value: node.value }))
  return { code }
}

/** A block's file name: its first line is a comment naming it (`// review.ts`). */
function fileName(block: Block): string {
  const name = /^\/\/ (\S+\.(?:ts|cjs|js|mjs))$/m.exec(block.value.split('\n')[0] ?? '')?.[1]
  if (!name) throw new Error(`a ${block.lang} block of the README's SDK section does not start with // <file name>`)
  return name
}
