import * as cache from '@actions/cache'
import * as tc from '@actions/tool-cache'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_CODEX_VERSION } from '../../src/action/core/constants.js'
import {
  actionsCacheKey,
  installationIn,
  resolveCodex,
  stagingDir,
  TOOL_NAME,
  type ResolvedCodex,
  type Runner
} from '../../src/action/codex/install.js'
import { findCodexInstallation } from '../../src/sdk/index.js'
import { projectRoot } from '../support/runAction.js'
import { itemAt } from '../support/lists.js'
import { tempDir } from '../support/tempDirs.js'

// The actions cache service exists only on a runner: it is replaced at the module boundary.
vi.mock('@actions/cache', () => ({
  isFeatureAvailable: vi.fn(),
  restoreCache: vi.fn(),
  saveCache: vi.fn()
}))

const version = DEFAULT_CODEX_VERSION
const NPM_TIMEOUT = 180_000
let lines: string[]
const log = {
  info: (message: string) => lines.push(`info: ${message}`),
  warning: (message: string) => lines.push(`warning: ${message}`),
  debug: () => {}
}
let toolCache: string
let runner: Runner

beforeEach(() => {
  lines = []
  toolCache = tempDir('toolcache')
  vi.stubEnv('RUNNER_TOOL_CACHE', toolCache)
  vi.stubEnv('RUNNER_ENVIRONMENT', 'self-hosted')
  runner = { env: process.env, tempDir: tempDir('runnertemp') }
  vi.mocked(cache.isFeatureAvailable).mockReturnValue(true)
  vi.mocked(cache.restoreCache).mockResolvedValue(undefined)
  vi.mocked(cache.saveCache).mockResolvedValue(1)
})
afterEach(() => {
  vi.unstubAllEnvs()
  vi.clearAllMocks()
})

const resolve = (codexVersion = version): Promise<ResolvedCodex> => resolveCodex({ codexVersion }, runner, log)
const reportedVersion = (executable: string): string =>
  execFileSync(executable, ['--version'], { encoding: 'utf8' }).trim()
const toolCacheEntry = (): string => path.join(toolCache, TOOL_NAME, version, os.arch())
const binaryIn = (root: string): string => path.join(root, 'bin', 'codex')
/** The platform package of the project's own install: what a cache entry holds a part of. */
const launcher = path.join(projectRoot, 'node_modules', '@openai', 'codex', 'bin', 'codex.js')
const projectPackage = path.dirname(path.dirname(findCodexInstallation(launcher, {}).executablePath))

/** What an @actions/cache restore of a good entry leaves at the staging path: the files a turn runs. */
function restoreAnInstall(paths: string[]): Promise<string> {
  const staging = itemAt(paths, 0)
  for (const entry of ['codex-package.json', 'bin/codex', 'codex-path', 'codex-resources/bwrap']) {
    mkdirSync(path.dirname(path.join(staging, entry)), { recursive: true })
    symlinkSync(path.join(projectPackage, entry), path.join(staging, entry))
  }
  return Promise.resolve(actionsCacheKey(version))
}

describe('installing codex', () => {
  it(
    'installs from npm on a miss, caches it only once it runs, then finds it in the tool cache',
    async () => {
      const staging = stagingDir(version, runner.tempDir)
      let stagedWhenSaved = false
      vi.mocked(cache.saveCache).mockImplementation(async (paths) => {
        stagedWhenSaved = installationIn(itemAt(paths, 0)) !== null
        return 1
      })

      const installed = await resolve()
      expect(installed.executablePath).toBe(binaryIn(toolCacheEntry()))
      expect(installed.version).toBe(version)
      expect(reportedVersion(installed.executablePath)).toBe(`codex-cli ${version}`)
      expect(existsSync(`${toolCacheEntry()}.complete`)).toBe(true)
      // only what a turn runs is kept: the binary, its layout file, rg for the agent, the sandbox
      expect(readdirSync(toolCacheEntry(), { recursive: true }).map(String).sort()).toEqual(
        process.platform === 'linux'
          ? [
              'bin',
              'bin/codex',
              'codex-package.json',
              'codex-path',
              'codex-path/rg',
              'codex-resources',
              'codex-resources/bwrap'
            ]
          : ['bin', 'bin/codex', 'codex-package.json', 'codex-path', 'codex-path/rg']
      )
      expect(installed.pathDirs).toEqual([path.join(toolCacheEntry(), 'codex-path')])
      expect(cache.restoreCache).toHaveBeenCalledWith(
        [staging],
        `codex-cli-${version}-${os.platform()}-${os.arch()}-native`
      )
      expect(cache.saveCache).toHaveBeenCalledWith([staging], actionsCacheKey(version))
      expect(stagedWhenSaved).toBe(true)
      expect(existsSync(staging)).toBe(false)
      const installedLine = lines.find((line) => line.startsWith(`info: codex ${version} from npm in `))
      expect(installedLine, lines.join('\n')).toMatch(/ in [\d.]+s$/)

      // the next job on this runner
      lines = []
      vi.clearAllMocks()
      const started = Date.now()
      expect(await resolve()).toEqual(installed)
      const hitMs = Date.now() - started
      expect(lines).toEqual([
        expect.stringMatching(new RegExp(`^info: codex ${version} from the tool cache \\(.*\\) in`))
      ])
      expect(cache.restoreCache).not.toHaveBeenCalled()
      expect(cache.saveCache).not.toHaveBeenCalled()
      console.info(`${installedLine!.slice(6)}; tool-cache hit in ${hitMs} ms`)
    },
    NPM_TIMEOUT
  )

  it('takes an actions cache hit without npm, and adds it to a self-hosted runner tool cache', async () => {
    vi.mocked(cache.restoreCache).mockImplementation(restoreAnInstall)
    const installed = await resolve()
    expect(installed.executablePath).toBe(binaryIn(toolCacheEntry()))
    expect(reportedVersion(installed.executablePath)).toBe(`codex-cli ${version}`)
    expect(cache.saveCache).not.toHaveBeenCalled()
    expect(lines.at(-1)).toMatch(
      new RegExp(`^info: codex ${version} from the actions cache \\(${actionsCacheKey(version)}\\) in`)
    )
  })

  it('runs an actions cache hit in place on a GitHub-hosted runner, whose tool cache dies with it', async () => {
    vi.stubEnv('RUNNER_ENVIRONMENT', 'github-hosted')
    vi.mocked(cache.restoreCache).mockImplementation(restoreAnInstall)
    const installed = await resolve()
    expect(installed.executablePath).toBe(binaryIn(stagingDir(version, runner.tempDir)))
    expect(reportedVersion(installed.executablePath)).toBe(`codex-cli ${version}`)
    expect(tc.findAllVersions(TOOL_NAME)).toEqual([])
  })

  it(
    'installs from npm when the actions cache is unavailable or its entry does not run, saving a good install',
    async () => {
      vi.mocked(cache.isFeatureAvailable).mockReturnValue(false)
      await resolve()
      expect(cache.restoreCache).not.toHaveBeenCalled()
      expect(cache.saveCache).not.toHaveBeenCalled()
      expect(lines.at(-1)).toMatch(`from npm in`)

      // a restore that reports a hit but leaves something broken behind
      vi.stubEnv('RUNNER_TOOL_CACHE', tempDir('toolcache'))
      vi.mocked(cache.isFeatureAvailable).mockReturnValue(true)
      vi.mocked(cache.restoreCache).mockImplementation(async (paths) => {
        const staging = itemAt(paths, 0)
        mkdirSync(path.join(staging, 'bin'), { recursive: true })
        writeFileSync(path.join(staging, 'codex-package.json'), '{}')
        writeFileSync(binaryIn(staging), '#!/bin/sh\necho truncated >&2\nexit 1\n', { mode: 0o755 })
        return actionsCacheKey(version)
      })
      lines = []
      const installed = await resolve()
      expect(reportedVersion(installed.executablePath)).toBe(`codex-cli ${version}`)
      expect(lines[0]).toMatch(/^warning: Could not use the actions cache entry codex-cli-.*does not run/)
      expect(lines.at(-1)).toMatch(`from npm in`)
      expect(cache.saveCache).toHaveBeenCalledOnce()
    },
    NPM_TIMEOUT
  )

  it(
    'fails a version npm does not have with one error, leaving no cache entry behind',
    async () => {
      const missing = '0.0.0-does-not-exist'
      const error: Error = await resolve(missing).then(
        () => expect.fail('installed a version that does not exist'),
        (caught: Error) => caught
      )
      expect(error.message).toMatch(
        new RegExp(`^Could not install @openai/codex@${missing} with npm: .*(ETARGET|E404|No matching version)`)
      )
      expect(error.message).not.toContain('\n')
      expect(tc.findAllVersions(TOOL_NAME)).toEqual([])
      expect(readdirSync(toolCache)).toEqual([])
      expect(existsSync(stagingDir(missing, runner.tempDir))).toBe(false)
      expect(cache.saveCache).not.toHaveBeenCalled()
    },
    NPM_TIMEOUT
  )

  it('runs the native binary behind a codex-path that is the npm launcher, its version read, not run', async () => {
    const resolved = await resolveCodex({ codexPath: launcher, codexVersion: version }, runner, log)
    expect(resolved).toEqual({
      executablePath: binaryIn(projectPackage),
      pathDirs: [path.join(projectPackage, 'codex-path')],
      version
    })
    expect(lines).toEqual([`info: codex ${version} from codex-path ${launcher}`])
    expect(cache.restoreCache).not.toHaveBeenCalled()
  })

  it('runs any other codex-path as given, once it answers --version', async () => {
    const wrapper = path.join(tempDir('wrapper'), 'codex')
    writeFileSync(wrapper, `#!/bin/sh\nexec '${launcher}' "$@"\n`, { mode: 0o755 })
    expect(await resolveCodex({ codexPath: wrapper, codexVersion: version }, runner, log)).toEqual({
      executablePath: wrapper,
      pathDirs: [],
      version
    })
    const broken = path.join(tempDir('broken'), 'codex')
    writeFileSync(broken, '#!/bin/sh\necho no such thing >&2\nexit 2\n', { mode: 0o755 })
    await expect(resolveCodex({ codexPath: broken, codexVersion: version }, runner, log)).rejects.toThrow(
      `codex at ${broken} does not run: no such thing`
    )
  })
})
