import js from '@eslint/js'
import vitest from '@vitest/eslint-plugin'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'lib/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // one program for src, __tests__ and scripts: the type-aware rules see what tsc sees
      parserOptions: { project: './tsconfig.all.json', tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
    }
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked
  },
  {
    files: ['__tests__/**/*.ts'],
    ...vitest.configs.recommended,
    rules: {
      ...vitest.configs.recommended.rules,
      // vitest's expect takes the message shown on failure as its second argument
      'vitest/valid-expect': ['error', { maxArgs: 2 }],
      // helpers named expect… hold a test's assertions
      'vitest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expect*'] }]
    }
  },
  {
    // the port of @openai/codex-sdk's tests keeps their `for await (const _ of …)` loops
    files: ['__tests__/sdk/official/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_$' }]
    }
  },
  {
    files: ['src/sdk/**/*.ts'],
    rules: {
      // the SDK knows nothing of GitHub
      'no-restricted-imports': ['error', { patterns: ['@actions/*', '@octokit/*', '../action/*'] }]
    }
  }
)
