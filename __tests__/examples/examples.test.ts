import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { projectRoot } from '../support/runAction.js'
import {
  actionSchemaProblems,
  actionUses,
  inputProblems,
  isWorkflow,
  parseYaml,
  workflowSchemaProblems,
  yamlBlocks,
  type YamlSource
} from './workflows.js'

// What a user copies must be what GitHub and the action accept: a renamed input, a tightened
// value or a YAML slip breaks this test, not the user's first run.
// prompt-file and output-schema-file name files beside the examples, as in the user's repository
const examplesDir = path.join(projectRoot, 'examples')
const read = (file: string): string => readFileSync(path.join(projectRoot, file), 'utf8')
const yamlFiles = (dir: string): YamlSource[] =>
  readdirSync(path.join(projectRoot, dir))
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => ({ name: `${dir}/${file}`, file: `${dir}/${file}`, line: 1, text: read(`${dir}/${file}`) }))

const examples = yamlFiles('examples')
const sources = [...yamlBlocks(read('README.md'), 'README.md'), ...examples, ...yamlFiles('.github/workflows')]
const parsed = sources.map((source) => ({ source, result: parseYaml(source) }))
const values = parsed.flatMap(({ source, result }) => ('value' in result ? [{ source, value: result.value }] : []))
const workflows = values.flatMap(({ source, value }) => (isWorkflow(value) ? [{ source, value }] : []))
const uses = values.flatMap(({ source, value }) => actionUses(value, source))
const problemsOf = (source: YamlSource): string[] => {
  const result = parseYaml(source)
  if ('problem' in result) return [result.problem]
  return [
    ...(isWorkflow(result.value) ? workflowSchemaProblems(result.value) : []),
    ...actionUses(result.value, source).flatMap((use) => inputProblems(use, examplesDir))
  ]
}

describe('the examples', () => {
  it('cover the ways people use the action, each a complete workflow', () => {
    expect(examples.map((example) => example.name).sort()).toEqual(
      [
        'examples/ci-failure.yml',
        'examples/conversation.yml',
        'examples/fix.yml',
        'examples/fork-review.yml',
        'examples/review.yml',
        'examples/scheduled-audit.yml',
        'examples/verdict-gate.yml'
      ].sort()
    )
    for (const example of examples) {
      const workflow = parse(example.text)
      expect(workflow, example.name).toMatchObject({ on: expect.anything(), jobs: expect.any(Object) })
      // each one runs the action in at least one step
      expect(actionUses(workflow, example).length, example.name).toBeGreaterThan(0)
    }
  })

  it("the shortest, review.yml, is the README's first workflow, word for word", () => {
    const review = examples.find((example) => example.name === 'examples/review.yml')!
    expect(sources.find((source) => source.name.startsWith('README.md'))?.text).toBe(review.text.trimEnd())
  })

  it('are found in the README, examples/ and .github/workflows/', () => {
    expect(sources.filter((source) => source.name.startsWith('README.md')).length).toBeGreaterThanOrEqual(3)
    expect(workflows.length).toBeGreaterThanOrEqual(examples.length + 2)
    expect(uses.length).toBeGreaterThanOrEqual(examples.length + 2)
  })

  it('every YAML block and file parses', () => {
    expect(parsed.flatMap(({ result }) => ('problem' in result ? [result.problem] : []))).toEqual([])
  })

  it('every complete workflow validates against the GitHub workflow schema', () => {
    expect(
      workflows.flatMap(({ source, value }) => workflowSchemaProblems(value).map((p) => `${source.name}: ${p}`))
    ).toEqual([])
  })

  it("every use of the action gives inputs action.yml declares, with values the action's validation accepts", () => {
    expect(uses.flatMap((use) => inputProblems(use, examplesDir))).toEqual([])
  })

  it('all name the same release of the action, so a release or a rename is one change', () => {
    expect(new Set(uses.map((use) => use.uses).filter((ref) => ref !== './'))).toEqual(
      new Set(['OWNER/codex-thread-action@v1'])
    )
  })

  it('state the permissions and concurrency they need, queueing rather than cancelling a turn', () => {
    for (const { source, value } of workflows.filter(({ source }) => source.name.startsWith('examples/'))) {
      expect(value.permissions, source.name).toBeTypeOf('object')
      expect(value.concurrency, source.name).toMatchObject({ 'cancel-in-progress': false })
    }
  })

  it('share one concurrency group wherever they continue the PR thread', () => {
    const prThreadGroups = uses
      .filter((use) => use.where.startsWith('examples/') && !('thread-key' in use.with))
      .map((use) => (use.concurrency as { group: string }).group)
    expect(prThreadGroups.length).toBeGreaterThanOrEqual(4)
    // codex-pr-<n> under every event that carries PR n; a run of no PR (a fork's workflow_run) gets
    // a group of its own (github.run_id), never one shared by every such run
    const prNumber = new Set([
      'github.event.pull_request.number',
      'github.event.issue.number',
      'github.event.workflow_run.pull_requests[0].number'
    ])
    for (const group of prThreadGroups) {
      const alternatives = /^codex-pr-\$\{\{ (.+) \}\}$/.exec(group)?.[1]?.split(' || ') ?? []
      if (alternatives.at(-1) === 'github.run_id') alternatives.pop()
      expect(alternatives.length, group).toBeGreaterThan(0)
      expect(
        alternatives.filter((path) => !prNumber.has(path)),
        group
      ).toEqual([])
    }
    expect(new Set(prThreadGroups)).toContain(
      'codex-pr-${{ github.event.pull_request.number || github.event.issue.number }}'
    )
  })
})

describe('the checks catch a broken example', () => {
  const review = examples.find((example) => example.name === 'examples/review.yml')!
  const broken = (change: (text: string) => string): YamlSource => ({
    ...review,
    name: 'broken.yml',
    file: 'broken.yml',
    text: change(review.text)
  })

  it('the old README line: an expression in a flow mapping is not YAML', () => {
    const problems = problemsOf(
      broken((text) =>
        text.replace(
          /^concurrency:\n.*\n.*\n/m,
          'concurrency: { group: codex-${{ github.event.pull_request.number }}, cancel-in-progress: false }\n'
        )
      )
    )
    expect(problems).toEqual([expect.stringMatching(/^broken\.yml:\d+:\d+: .*flow-map/)])
  })

  it('a key GitHub does not know', () => {
    expect(problemsOf(broken((text) => text.replace('runs-on:', 'runs_on:')))).toContain(
      "/jobs/review must have required property 'runs-on'"
    )
  })

  it('an input the action does not declare, a value it refuses, an output it does not set', () => {
    const problems = problemsOf(
      broken((text) => text.replace('mode: review', 'mode: reveiw').replace('openai-api-key:', 'openai-key:'))
    )
    expect(problems).toEqual([
      'broken.yml job review: "openai-key" is not an input of action.yml',
      'broken.yml job review on pull_request: Input "mode": "reveiw" is not one of turn, review'
    ])
    const gate = examples.find((example) => example.name === 'examples/verdict-gate.yml')!
    expect(
      problemsOf({ ...gate, name: 'gate.yml', text: gate.text.replace('outputs.structured-output', 'outputs.verdict') })
    ).toEqual(['gate.yml job verdict: "verdict" is not an output of action.yml'])
  })

  it('a prompt missing where one is required, on the event that requires it', () => {
    expect(
      problemsOf(broken((text) => text.replace('mode: review', 'mode: turn').replace(/^ +prompt:.*$/m, '')))
    ).toEqual([
      'broken.yml job review on pull_request: Input "prompt": is required (or give prompt-file), except with mode: review, on comment events and on workflow_run events'
    ])
  })
})

describe('action.yml', () => {
  it('validates against the action metadata schema, node24 included', () => {
    const manifest = parse(read('action.yml')) as { runs: Record<string, unknown> }
    expect(manifest.runs.using).toBe('node24')
    expect(actionSchemaProblems(manifest)).toEqual([])
    expect(actionSchemaProblems({ ...manifest, runs: { ...manifest.runs, using: 'node14' } })).not.toEqual([])
  })
})
