import * as cache from '@actions/cache'
import * as tc from '@actions/tool-cache'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_CODEX_VERSION } from '../../src/action/constants.js'
import {
  actionsCacheKey,
  launcherIn,
  resolveCodex,
  stagingDir,
  TOOL_NAME,
  type Runner
} from '../../src/action/codex/install.js'
import { projectRoot } from '../support/runAction.js'
import { tempDir } from '../support/tempDirs.js'
import { itemAt } from '../support/lists.js'

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

const resolve = (codexVersion = version): Promise<string> => resolveCodex({ codexVersion }, runner, log)
const reportedVersion = (launcher: string): string => execFileSync(launcher, ['--version'], { encoding: 'utf8' }).trim()
const toolCacheEntry = (): string => path.join(toolCache, TOOL_NAME, version, os.arch())

/** What an @actions/cache restore of a good entry leaves: an install at the staging path. */
function restoreAnInstall(paths: string[]): Promise<string> {
  const scope = path.join(itemAt(paths, 0), 'node_modules', '@openai')
  mkdirSync(scope, { recursive: true })
  for (const name of readdirSync(path.join(projectRoot, 'node_modules', '@openai')).filter((entry) =>
    entry.startsWith('codex')
  ))
    symlinkSync(path.join(projectRoot, 'node_modules', '@openai', name), path.join(scope, name))
  return Promise.resolve(actionsCacheKey(version))
}

describe('installing codex', () => {
  it(
    'installs from npm on a miss, caches it only once it runs, then finds it in the tool cache',
    async () => {
      const staging = stagingDir(version, runner.tempDir)
      let stagedWhenSaved = false
      vi.mocked(cache.saveCache).mockImplementation(async (paths) => {
        stagedWhenSaved = existsSync(launcherIn(itemAt(paths, 0)))
        return 1
      })

      const launcher = await resolve()
      expect(launcher).toBe(launcherIn(toolCacheEntry()))
      expect(reportedVersion(launcher)).toBe(`codex-cli ${version}`)
      expect(existsSync(`${toolCacheEntry()}.complete`)).toBe(true)
      expect(cache.restoreCache).toHaveBeenCalledWith([staging], `codex-cli-${version}-${os.platform()}-${os.arch()}`)
      expect(cache.saveCache).toHaveBeenCalledWith([staging], actionsCacheKey(version))
      expect(stagedWhenSaved).toBe(true)
      expect(existsSync(staging)).toBe(false)
      const installed = lines.find((line) => line.startsWith(`info: codex ${version} from npm in `))
      expect(installed, lines.join('\n')).toMatch(/ from npm in [\d.]+s$/)

      // the next job on this runner
      lines = []
      vi.clearAllMocks()
      const started = Date.now()
      expect(await resolve()).toBe(launcher)
      const hitMs = Date.now() - started
      expect(lines).toEqual([
        expect.stringMatching(new RegExp(`^info: codex ${version} from the tool cache \\(.*\\) in`))
      ])
      expect(cache.restoreCache).not.toHaveBeenCalled()
      expect(cache.saveCache).not.toHaveBeenCalled()
      console.info(`${installed!.slice(6)}; tool-cache hit in ${hitMs} ms`)
    },
    NPM_TIMEOUT
  )

  it('takes an actions cache hit without npm, and adds it to a self-hosted runner tool cache', async () => {
    vi.mocked(cache.restoreCache).mockImplementation(restoreAnInstall)
    const launcher = await resolve()
    expect(launcher).toBe(launcherIn(toolCacheEntry()))
    expect(reportedVersion(launcher)).toBe(`codex-cli ${version}`)
    expect(cache.saveCache).not.toHaveBeenCalled()
    expect(lines.at(-1)).toMatch(
      new RegExp(`^info: codex ${version} from the actions cache \\(${actionsCacheKey(version)}\\) in`)
    )
  })

  it('runs an actions cache hit in place on a GitHub-hosted runner, whose tool cache dies with it', async () => {
    vi.stubEnv('RUNNER_ENVIRONMENT', 'github-hosted')
    vi.mocked(cache.restoreCache).mockImplementation(restoreAnInstall)
    const launcher = await resolve()
    expect(launcher).toBe(launcherIn(stagingDir(version, runner.tempDir)))
    expect(reportedVersion(launcher)).toBe(`codex-cli ${version}`)
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
        mkdirSync(path.join(itemAt(paths, 0), 'node_modules'), { recursive: true })
        return actionsCacheKey(version)
      })
      lines = []
      const launcher = await resolve()
      expect(reportedVersion(launcher)).toBe(`codex-cli ${version}`)
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

  it('runs codex-path as given, without installing', async () => {
    const launcher = path.join(projectRoot, 'node_modules', '@openai', 'codex', 'bin', 'codex.js')
    expect(await resolveCodex({ codexPath: launcher, codexVersion: version }, runner, log)).toBe(launcher)
    expect(lines).toEqual([`info: codex ${version} from codex-path ${launcher}`])
    expect(cache.restoreCache).not.toHaveBeenCalled()
  })
})
