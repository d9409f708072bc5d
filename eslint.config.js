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
    files: ['src/sdk/**/*.ts'],
    rules: {
      // the SDK knows nothing of GitHub
      'no-restricted-imports': ['error', { patterns: ['@actions/*', '@octokit/*', '../action/*'] }]
    }
  }
)
