import { afterAll, afterEach } from 'vitest'
import { formatViolations, takeViolations } from '../support/github/contract.js'

/*
 * Every test file runs this: whatever GitHub request broke GitHub's published contract during a test (or
 * in a file's hooks) fails it, whether or not the test looked at the answer.
 */
const assertNone = (when: string): void => {
  const violations = takeViolations()
  if (violations.length)
    throw new Error(`GitHub API contract broken ${when}:\n${formatViolations(violations)}`)
}

afterEach(() => assertNone('during this test'))
afterAll(() => assertNone("in this file's hooks"))
