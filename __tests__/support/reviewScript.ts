import type { Finding, ReviewResponse } from '../../src/action/core/findings.js'
import type { ModelScript } from './scriptedModel.js'

/** A finding on the review tests' sample change (calc.ts line 5 subtracts), with what a test changes. */
export function sampleFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    path: 'calc.ts',
    line: 5,
    start_line: null,
    severity: 'major',
    title: 'Subtracts instead of adding',
    body: 'The sum is computed with `-`.',
    suggestion: null,
    ...overrides
  }
}

/** The model answering a review turn with `response`: no findings, nothing resolved unless it says. */
export function reviewAnswer(response: Partial<ReviewResponse>, summary = 'Looks mostly fine.'): ModelScript {
  const full: ReviewResponse = { summary, findings: [], resolved: [], ...response }
  return () => ({ message: JSON.stringify(full) })
}
