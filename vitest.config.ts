import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    globalSetup: ['__tests__/setup/buildSdk.ts'],
    setupFiles: ['__tests__/setup/contract.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000
  }
})
