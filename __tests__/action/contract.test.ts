import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { Inputs, Outputs } from '../../src/action/core/constants.js'
import { reviewOutputSchema } from '../../src/action/core/findings.js'
import { projectRoot } from '../support/runAction.js'

// The names in action.yml are the contract with every workflow that uses the action: the code,
// the manifest and the README must agree on them.
const read = (file: string): string => readFileSync(path.join(projectRoot, file), 'utf8')
const manifest = parse(read('action.yml')) as {
  name: string
  description: string
  branding: { icon: string; color: string }
  runs: { using: string; main: string }
  inputs: Record<string, { description: string; default?: string }>
  outputs: Record<string, { description: string }>
}
const readme = read('README.md')
/** A README table row that starts with the name in backticks. */
const tableRow = (name: string): RegExp => new RegExp(`^\\|\\s*\`${name}\`\\s*\\|`, 'm')

describe('action.yml', () => {
  it('runs dist/index.js on node24, with name, description and branding', () => {
    expect(manifest.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
    expect(manifest.name).toBeTruthy()
    expect(manifest.description).toBeTruthy()
    expect(manifest.branding.icon).toBeTruthy()
    expect(manifest.branding.color).toBeTruthy()
  })

  it('declares exactly the inputs the code reads, each described and in the README', () => {
    expect(Object.keys(manifest.inputs).sort()).toEqual(Object.values(Inputs).sort())
    for (const [name, input] of Object.entries(manifest.inputs)) {
      expect(input.description, name).toBeTruthy()
      expect(readme, `README documents input ${name}`).toMatch(tableRow(name))
    }
    expect(manifest.inputs['github-token']?.default).toBe('${{ github.token }}')
    expect(manifest.inputs.sandbox?.default).toBe('read-only')
    expect(manifest.inputs['timeout-minutes']?.default).toBe('30')
  })

  it('declares exactly the outputs the action sets, each described and in the README', () => {
    const set = Object.values(Outputs).sort()
    expect(Object.keys(manifest.outputs).sort()).toEqual(set)
    expect(set).toEqual(
      [
        'changed-files',
        'comment-url',
        'conclusion',
        'final-response',
        'findings-count',
        'review-url',
        'resumed',
        'structured-output',
        'thread-id',
        'thread-usage',
        'usage'
      ].sort()
    )
    for (const [name, output] of Object.entries(manifest.outputs)) {
      expect(output.description, name).toBeTruthy()
      expect(readme, `README documents output ${name}`).toMatch(tableRow(name))
    }
  })

  it('README quick start holds the two commands', () => {
    expect(readme).toContain('npm ci && npm test')
    expect(readme).toContain('npm run demo')
  })
})

describe('the findings schema in the README', () => {
  it('is the one review mode asks the model for', () => {
    const block = /The findings schema[^\n]*\n\n```json\n([\s\S]*?)\n```/.exec(readme)?.[1]
    expect(block, 'README holds the findings schema in a json block').toBeTruthy()
    expect(JSON.parse(block!)).toEqual(reviewOutputSchema.schema)
  })
})
