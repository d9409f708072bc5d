import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'lib/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
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
