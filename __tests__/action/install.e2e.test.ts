import { existsSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_CODEX_VERSION } from '../../src/action/core/constants.js'
import { usePrHarness } from '../support/prHarness.js'
import { tempDir } from '../support/tempDirs.js'

const harness = usePrHarness(12)

describe('without codex-path, the action installs the CLI itself', () => {
  it(
    'installs codex-version from npm on a cold runner, then finds it in the tool cache',
    { timeout: 300_000 },
    async () => {
      const toolCache = tempDir('toolcache')
      const env = { RUNNER_TOOL_CACHE: toolCache, RUNNER_ENVIRONMENT: 'self-hosted' }
      const cold = await harness.run(() => ({ message: 'ran on an installed codex' }), { 'codex-path': '' }, { env })
      expect(cold.exitCode, cold.log).toBe(0)
      expect(cold.outputs['final-response']).toBe('ran on an installed codex')
      expect(cold.log).toMatch(new RegExp(`codex ${DEFAULT_CODEX_VERSION.replace(/\./g, '\\.')} from npm in [\\d.]+s`))
      expect(existsSync(path.join(toolCache, 'codex', DEFAULT_CODEX_VERSION))).toBe(true)

      const warm = await harness.run(() => ({ message: 'ran from the tool cache' }), { 'codex-path': '' }, { env })
      expect(warm.exitCode, warm.log).toBe(0)
      expect(warm.log).toMatch(/codex [\d.]+ from the tool cache .* in [\d.]+s/)
      expect(warm.outputs['final-response']).toBe('ran from the tool cache')
    }
  )
})
