import type { Finding, ReviewResponse, Walkthrough } from '../../src/action/core/findings.js'
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

/** A walkthrough of the review tests' sample PR (calc.ts and new.ts), with what a test changes. */
export function sampleWalkthrough(overrides: Partial<Walkthrough> = {}): Walkthrough {
  return {
    overview: 'Adds a subtraction helper and two exports, so callers can compute differences.',
    files: [
      { paths: ['calc.ts'], change: 'The sum now subtracts; an unused constant.' },
      { paths: ['new.ts'], change: 'Two new exported constants.' }
    ],
    effort: 2,
    effort_reason: 'Two small files, one behaviour change.',
    risks: ['Arithmetic in calc.ts changes for every caller.'],
    diagram:
      'sequenceDiagram\n    participant Caller\n    participant Calc\n    Caller->>Calc: sum(a, b)\n    Calc-->>Caller: a - b',
    ...overrides
  }
}
