import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { renderedDom } from '../support/markdownHtml.js'
import { itemAt } from '../support/lists.js'
import { usePrHarness } from '../support/prHarness.js'
import type { ActionRun } from '../support/runAction.js'
import { answersToolCall, type ModelRequest, type ModelScript } from '../support/scriptedModel.js'
import { tempDir } from '../support/tempDirs.js'

const API_KEY = 'sk-proj-e2e-api-key-0123456789'
const GITHUB_TOKEN = 'ghs_e2eGitHubToken0123456789'
/** Every value that must stay out of the agent's commands and out of everything published. */
const secrets = {
  API_KEY,
  GITHUB_TOKEN,
  RUNTIME_TOKEN: 'actions-runtime-token-value-42',
  ID_TOKEN_REQUEST: 'id-token-request-token-value-42',
  DEPLOY_PASSWORD: 'hunter2-deploy-password',
  LOWERCASE_SECRET: 'lowercase-secret-value-42',
  AWS_SESSION_KEY: 'aws-session-key-value-42',
  // caught by exact name once allow-env: NPM_TOKEN drops the *TOKEN* glob
  OTHER_TOKEN: 'other-token-value-42',
  EXTRA: 'extra-redacted-value-42',
  INNOCENT_NAME: 'value-of-an-innocent-name-42'
}

const harness = usePrHarness(11)

function runWithSecrets(script: ModelScript, inputs: Record<string, string> = {}, codexHome = tempDir('home')) {
  return harness.run(
    script,
    {
      'openai-api-key': API_KEY,
      'codex-home': codexHome,
      'github-token': GITHUB_TOKEN,
      'secrets-to-redact': `${secrets.EXTRA}\n${secrets.INNOCENT_NAME}`,
      ...inputs
    },
    {
      env: {
        // as a workflow passes them: the key and token in the step env too, and the runner's own tokens
        OPENAI_API_KEY: API_KEY,
        GITHUB_TOKEN,
        ACTIONS_RUNTIME_TOKEN: secrets.RUNTIME_TOKEN,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: secrets.ID_TOKEN_REQUEST,
        DEPLOY_PASSWORD: secrets.DEPLOY_PASSWORD,
        my_secret_thing: secrets.LOWERCASE_SECRET,
        AWS_SESSION_KEY: secrets.AWS_SESSION_KEY,
        SOME_OTHER_TOKEN: secrets.OTHER_TOKEN,
        INNOCENT: secrets.INNOCENT_NAME,
        NPM_TOKEN: 'npm-token-the-user-allowed',
        HARMLESS: 'harmless-visible-value'
      }
    }
  )
}

/** What the agent's command printed, as the model received it in its next request. */
function commandOutput(request: ModelRequest | undefined): string {
  const item = request?.body.input?.filter((entry) => entry.type === 'function_call_output').at(-1)
  if (!item) throw new Error('the model received no command output')
  return typeof item.output === 'string' ? item.output : JSON.stringify(item.output)
}

/** Everything the action published: outputs, summary and comments. */
function published(run: ActionRun): string {
  return [JSON.stringify(run.outputs), run.summary, ...harness.github.comments.map((comment) => comment.body)].join(
    '\n'
  )
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
}

describe('secrets, end to end through dist/index.js', () => {
  it('keeps secrets out of the environment of the commands the agent runs, except what allow-env names', async () => {
    const codexHome = tempDir('home')
    const script: ModelScript = (request) =>
      answersToolCall(request) ? { message: 'Looked at the environment.' } : { command: 'env' }
    const run = await runWithSecrets(
      script,
      // a user's own shell_environment_policy adds to the exclusions, never replaces them
      { 'allow-env': 'NPM_TOKEN', config: 'shell_environment_policy.exclude=["HARMLESS"]' },
      codexHome
    )
    expect(run.exitCode, run.log).toBe(0)

    const output = commandOutput(harness.model.requests[1])
    expect(output).toContain('PATH=')
    expect(output).toContain('NPM_TOKEN=npm-token-the-user-allowed')
    for (const [name, value] of Object.entries(secrets)) expect(output, name).not.toContain(value)
    expect(output).not.toMatch(/^(CODEX_API_KEY|OPENAI_API_KEY|GITHUB_TOKEN|INPUT_|ACTIONS_)/m)
    expect(output).not.toContain('harmless-visible-value')

    const text = published(run)
    expect(harness.github.comments).toHaveLength(1)
    for (const [name, value] of Object.entries(secrets)) expect(text, name).not.toContain(value)
    // never written to disk: codex's home holds sessions and logs, none with the key
    const files = filesUnder(codexHome)
    expect(files.some((file) => file.includes('sessions'))).toBe(true)
    for (const file of files) expect(readFileSync(file, 'latin1'), file).not.toContain(API_KEY)
  })

  it('masks the key, the token and secrets-to-redact when the model repeats them', async () => {
    const leak = `The key is ${API_KEY}, the token ${GITHUB_TOKEN}, and also ${secrets.EXTRA}.`
    const script: ModelScript = (request) =>
      answersToolCall(request) ? { message: leak } : { command: `echo 'echoed ${API_KEY}'` }
    const run = await runWithSecrets(script)
    expect(run.exitCode, run.log).toBe(0)

    expect(run.outputs['final-response']).toBe('The key is ***, the token ***, and also ***.')
    const text = published(run)
    for (const value of [API_KEY, GITHUB_TOKEN, secrets.EXTRA]) expect(text).not.toContain(value)
    // as people read them: the agent's asterisks are escaped in the Markdown
    expect(renderedDom(itemAt(harness.github.comments, 0).body).text).toContain('The key is ***')
    expect(renderedDom(run.summary).text).toContain('The key is ***')
    // the job log: every secret is registered for masking before anything could print it, and
    // the action's own lines carry none (the runner masks the ::add-mask:: lines themselves)
    const lines = run.log.split('\n')
    const firstMention = (value: string): number => lines.findIndex((line) => line.includes(value))
    for (const value of [API_KEY, GITHUB_TOKEN, secrets.EXTRA, secrets.INNOCENT_NAME]) {
      expect(lines[firstMention(value)]).toBe(`::add-mask::${value}`)
      expect(lines.filter((line) => line.includes(value))).toEqual([`::add-mask::${value}`])
    }
  })
})
