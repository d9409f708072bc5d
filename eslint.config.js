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
      'vitest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expect*'] }],
      // a stub of an async API is async whether or not its body awaits
      '@typescript-eslint/require-await': 'off',
      // asymmetric matchers (expect.any, expect.objectContaining) are typed any by design
      '@typescript-eslint/no-unsafe-assignment': 'off'
    }
  },
  {
    // the port of @openai/codex-sdk's tests keeps their `for await (const _ of …)` loops
    files: ['__tests__/sdk/official/**/*.ts'],
    // kept as upstream wrote them, so a diff against @openai/codex-sdk's tests stays readable
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      'vitest/no-conditional-expect': 'off',
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
