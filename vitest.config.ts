import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    globalSetup: ['__tests__/setup/buildSdk.ts'],
    setupFiles: ['__tests__/setup/contract.ts'],
    // The suite mostly waits (on codex, on the model's stream, on octokit spacing GitHub writes): run
    // alone it keeps a quarter of one core busy. vitest's default, one worker less than the cores,
    // runs one file at a time on a 2-core machine; two files a core overlap the waits instead.
    maxWorkers: 2 * availableParallelism(),
    // limits that catch a hang, not a slow machine: shared by parallel files (and on a shared
    // machine, by other suites), an end-to-end test of several runs takes three times its time alone
    testTimeout: 180_000,
    hookTimeout: 60_000
  }
})
