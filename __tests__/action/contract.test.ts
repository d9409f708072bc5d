import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { Inputs, Outputs } from '../../src/action/core/constants.js'
import { reviewOutputSchema } from '../../src/action/core/findings.js'
import { helpText, parseCommand } from '../../src/action/kinds/commands.js'
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
/** The rows of the README table under a heading: first cell without its backticks, then the other cells. */
function tableUnder(heading: string): Map<string, string[]> {
  const section = readme.split(`\n${heading}\n`)[1]?.split(/\n## /)[0] ?? ''
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim())
    )
  return new Map(rows.slice(1).map(([name, ...cells]) => [name!.replace(/^`|`$/g, ''), cells]))
}

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

  it("README's Inputs table is action.yml's inputs, no more, each with action.yml's default", () => {
    const table = tableUnder('## Inputs')
    expect([...table.keys()].sort()).toEqual(Object.keys(manifest.inputs).sort())
    // a default the manifest sets is shown as that literal; none: a phrase (—, "codex's default"), never a literal
    const shown = Object.keys(manifest.inputs).map((name) => [name, table.get(name)![0]!.replace(/^`([^`]*)`$/, '=$1')])
    const declared = Object.entries(manifest.inputs).map(([name, input]) => [
      name,
      input.default && `=${input.default}`
    ])
    expect(shown.map(([name, cell]) => [name, cell!.startsWith('=') ? cell : undefined])).toEqual(
      declared.map(([name, value]) => [name, value || undefined])
    )
  })

  it("README's Outputs table is action.yml's outputs, no more", () => {
    expect([...tableUnder('## Outputs').keys()].sort()).toEqual(Object.keys(manifest.outputs).sort())
  })

  it("README's examples table lists exactly the files in examples/", () => {
    const listed = [...tableUnder('### Examples').keys()].map((cell) => /\]\((examples\/[^)]+)\)/.exec(cell)?.[1])
    const files = readdirSync(path.join(projectRoot, 'examples'))
      .filter((file) => file.endsWith('.yml'))
      .map((file) => `examples/${file}`)
    expect(listed.sort()).toEqual(files.sort())
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

describe("the README's Commands table", () => {
  const documented = [...tableUnder('## Steering the reviewer').keys()].map((cell) => cell.replace(/\s*\[.*$/, ''))

  it('is the commands the action parses and its help lists, no more', () => {
    expect(documented.length).toBeGreaterThan(0)
    for (const name of documented) expect(parseCommand(name)?.name, name).toBe(name)
    const helped = [...helpText('@codex').matchAll(/`@codex ([a-z ]+?)(?: \[|`| <)/g)].map((match) => match[1])
    expect(new Set(helped)).toEqual(new Set(documented))
  })
})

describe("the README's links within itself", () => {
  it('each lead to a heading, as GitHub names its anchors', () => {
    const prose = readme.replace(/^```[\s\S]*?^```/gm, '')
    const anchors = new Set(
      [...prose.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) =>
        heading!
          .toLowerCase()
          .replace(/[^\p{L}\p{N}\s_-]/gu, '')
          .replace(/ /g, '-')
      )
    )
    const links = [...prose.matchAll(/\]\(#([^)]+)\)/g)].map(([, anchor]) => anchor!)
    expect(links.length).toBeGreaterThan(20)
    expect(links.filter((anchor) => !anchors.has(anchor))).toEqual([])
  })
})
