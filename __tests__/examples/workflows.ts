import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Ajv, type ErrorObject } from 'ajv'
import { parse, YAMLParseError } from 'yaml'
import { InputError } from '../../src/action/core/errors.js'
import { readSettings } from '../../src/action/settings/settings.js'
import { isPlainObject } from '../../src/shared/checks.js'
import { projectRoot } from '../support/runAction.js'

/** Checks the workflows people copy (examples/, the README, .github/workflows/) against what GitHub and the action accept. */

type Mapping = Record<string, unknown>

export interface ActionManifest {
  inputs: Record<string, { default?: string }>
  outputs: Record<string, unknown>
}

/** One YAML text as it stands in a file: the README's blocks keep the line they start on. */
export interface YamlSource {
  name: string
  text: string
  /** The file and the line the text starts on, for parse errors. */
  file: string
  line: number
}

/** A step that uses this action, with what the runner would give it. */
export interface ActionUse {
  where: string
  uses: string
  id?: string
  with: Mapping
  /** Workflow, job and step env, innermost last. */
  env: Mapping
  /** The events that can run it; a README fragment is read as a pull_request workflow. */
  events: string[]
  /** The text of the step's job (or fragment), where `steps.<id>.outputs.<name>` may be read. */
  jobText: string
  /** The workflow's `concurrency`, when the step is in a complete workflow. */
  concurrency?: unknown
}

const schemaDir = path.join(projectRoot, '__tests__', 'schemas')
// SchemaStore's schemas are draft-07 written for editors: strict mode would refuse their loose typing
const ajv = new Ajv({ allErrors: true, strict: false })
const loadSchema = (file: string) => ajv.compile(JSON.parse(readFileSync(path.join(schemaDir, file), 'utf8')))
const workflowSchema = loadSchema('github-workflow.json')
const actionSchema = loadSchema('github-action.json')

export const manifest = parse(readFileSync(path.join(projectRoot, 'action.yml'), 'utf8')) as ActionManifest

/** The ```yaml blocks of a Markdown text, each named by its first line. */
export function yamlBlocks(markdown: string, file: string): YamlSource[] {
  const blocks: YamlSource[] = []
  const lines = markdown.split('\n')
  lines.forEach((line, index) => {
    if (!/^```ya?ml\s*$/.test(line)) return
    const end = lines.indexOf('```', index + 1)
    blocks.push({ name: `${file}:${index + 2}`, file, line: index + 2, text: lines.slice(index + 1, end).join('\n') })
  })
  return blocks
}

/** The YAML's value, or the parser's one-line complaint at the line of the file it is about. */
export function parseYaml(source: YamlSource): { value: unknown } | { problem: string } {
  try {
    return { value: parse(source.text) }
  } catch (error) {
    if (!(error instanceof YAMLParseError)) throw error
    const [position] = error.linePos ?? [{ line: 1, col: 1 }]
    const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')
    return { problem: `${source.file}:${source.line + position.line - 1}:${position.col}: ${message}` }
  }
}

/** A complete workflow, as opposed to a fragment shown in the README (a step, a permissions block). */
export function isWorkflow(value: unknown): value is Mapping {
  return isPlainObject(value) && 'on' in value && 'jobs' in value
}

const describeSchemaErrors = (errors: ErrorObject[] | null | undefined): string[] =>
  (errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? error.keyword}`)

/** What GitHub's workflow schema (SchemaStore's) says is wrong with the workflow. */
export function workflowSchemaProblems(workflow: unknown): string[] {
  return workflowSchema(workflow) ? [] : describeSchemaErrors(workflowSchema.errors)
}

/** What the action metadata schema (SchemaStore's) says is wrong with an action.yml. */
export function actionSchemaProblems(action: unknown): string[] {
  return actionSchema(action) ? [] : describeSchemaErrors(actionSchema.errors)
}

/** Whether a `uses:` names this action: the published one, or the checkout itself. */
export const usesThisAction = (uses: unknown): uses is string =>
  typeof uses === 'string' && (uses === './' || /^[^/]+\/codex-thread-action@/.test(uses))

/** Every step of this action in a parsed workflow or fragment. */
export function actionUses(value: unknown, source: YamlSource): ActionUse[] {
  if (isWorkflow(value)) {
    const jobs = isPlainObject(value.jobs) ? value.jobs : {}
    return Object.entries(jobs).flatMap(([jobName, job]) => {
      if (!isPlainObject(job) || !Array.isArray(job.steps)) return []
      return stepsOf(job.steps, {
        where: `${source.name} job ${jobName}`,
        env: { ...asMapping(value.env), ...asMapping(job.env) },
        events: eventsOf(value.on),
        jobText: JSON.stringify(job),
        concurrency: value.concurrency
      })
    })
  }
  const steps = Array.isArray(value) ? value : [value]
  return stepsOf(steps, { where: source.name, env: {}, events: ['pull_request'], jobText: source.text })
}

function stepsOf(steps: unknown[], context: Omit<ActionUse, 'uses' | 'with'>): ActionUse[] {
  return steps.flatMap((step) =>
    isPlainObject(step) && usesThisAction(step.uses)
      ? [
          {
            ...context,
            uses: step.uses,
            id: typeof step.id === 'string' ? step.id : undefined,
            with: asMapping(step.with),
            env: { ...context.env, ...asMapping(step.env) }
          }
        ]
      : []
  )
}

const asMapping = (value: unknown): Mapping => (isPlainObject(value) ? value : {})

function eventsOf(on: unknown): string[] {
  if (typeof on === 'string') return [on]
  if (Array.isArray(on)) return on.map(String)
  return Object.keys(asMapping(on))
}

/**
 * A plausible value for what a `${{ }}` expression gives an input at run time: the kinds the
 * action checks (a URL, a number, a boolean); any other text for the rest.
 */
const expressionValues: Record<string, string> = {
  'base-url': 'http://127.0.0.1:8080/v1',
  'timeout-minutes': '5',
  comment: 'true',
  resume: 'true'
}

/** An input's value as the runner passes it: a YAML scalar as text, each expression evaluated to a stand-in, trimmed. */
function runnerValue(name: string, value: unknown): string {
  return String(value)
    .replace(/\$\{\{[\s\S]*?\}\}/g, expressionValues[name] ?? 'placeholder')
    .trim()
}

/**
 * What the action would refuse in this step, on each event that can run it: `with:` keys
 * action.yml does not declare, values its own input validation rejects, and outputs the job reads
 * that action.yml does not declare. `workspace` is where `prompt-file` and the like resolve.
 */
export function inputProblems(use: ActionUse, workspace: string): string[] {
  const problems = Object.keys(use.with)
    .filter((name) => !(name in manifest.inputs))
    .map((name) => `${use.where}: "${name}" is not an input of action.yml`)
  const inputs = Object.fromEntries(
    Object.entries(manifest.inputs).map(([name, input]) => [
      name,
      runnerValue(name, use.with[name] ?? input.default ?? '')
    ])
  )
  const env = Object.fromEntries(Object.entries(use.env).map(([name, value]) => [name, runnerValue(name, value)]))
  for (const event of use.events) {
    try {
      readSettings((name) => inputs[name] ?? '', { ...env, GITHUB_EVENT_NAME: event, GITHUB_WORKSPACE: workspace })
    } catch (error) {
      if (!(error instanceof InputError)) throw error
      problems.push(`${use.where} on ${event}: ${error.message}`)
    }
  }
  if (use.id) {
    const read = use.jobText.matchAll(new RegExp(`steps\\.${use.id}\\.outputs\\.([A-Za-z0-9_-]+)`, 'g'))
    for (const [, output] of read) {
      if (output !== undefined && !(output in manifest.outputs))
        problems.push(`${use.where}: "${output}" is not an output of action.yml`)
    }
  }
  return problems
}
