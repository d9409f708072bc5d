import { appendFileSync } from 'node:fs'
import { afterAll, afterEach } from 'vitest'
import { exercisedOperations, formatViolations, takeViolations } from '../support/github/contract.js'

/*
 * Every test file runs this: whatever GitHub request broke GitHub's published contract during a test (or
 * in a file's hooks) fails it, whether or not the test looked at the answer.
 */
const assertNone = (when: string): void => {
  const violations = takeViolations()
  if (violations.length) throw new Error(`GitHub API contract broken ${when}:\n${formatViolations(violations)}`)
}

afterEach(() => assertNone('during this test'))
afterAll(() => {
  // GITHUB_CONTRACT_LOG=file collects the operations the suites exercised, one a line, for counting
  const log = process.env.GITHUB_CONTRACT_LOG
  const operations = exercisedOperations()
  if (log && operations.length) appendFileSync(log, operations.map((operation) => `${operation}\n`).join(''))
  assertNone("in this file's hooks")
})
