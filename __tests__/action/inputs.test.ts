import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_CODEX_VERSION } from '../../src/action/core/constants.js'
import { projectRoot } from '../support/runAction.js'
import { refusalOf, settingsFrom, VALID_INPUTS } from '../support/settings.js'
import { tempDir } from '../support/tempDirs.js'

const workspace = tempDir('inputs')
writeFileSync(path.join(workspace, 'prompt.md'), 'Prompt from a file')
writeFileSync(
  path.join(workspace, 'schema.json'),
  '{"type":"object","properties":{},"required":[],"additionalProperties":false}'
)
const executable = path.join(workspace, 'codex')
writeFileSync(executable, '#!/bin/sh\n')
chmodSync(executable, 0o755)
const notExecutable = path.join(workspace, 'plain')
writeFileSync(notExecutable, '')
mkdirSync(path.join(workspace, 'sub'))

const settings = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
  settingsFrom(inputs, { GITHUB_WORKSPACE: workspace, ...env })
const valid = VALID_INPUTS
const error = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): string =>
  refusalOf(inputs, { GITHUB_WORKSPACE: workspace, ...env }).message

/** The @openai/codex the package depends on: the version its tests ran against. */
const testedCodexVersion = (
  JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
).dependencies['@openai/codex']

describe('readSettings', () => {
  it('defaults codex-version to the @openai/codex the package depends on and is tested with', () => {
    expect(testedCodexVersion).toMatch(/^\d+\.\d+\.\d+$/)
    expect(DEFAULT_CODEX_VERSION).toBe(testedCodexVersion)
  })

  it('applies the documented defaults', () => {
    const result = settings(valid)
    expect(result).toMatchObject({
      prompt: 'Review',
      apiKey: 'sk-1234',
      sandbox: 'read-only',
      workingDirectory: workspace,
      codexVersion: testedCodexVersion,
      timeoutMs: 30 * 60_000,
      config: {},
      isolation: 'auto'
    })
    expect(result.postComment).toBeUndefined()
    expect(result.outputSchema).toBeUndefined()
  })

  it('reads every input', () => {
    const result = settings(
      {
        'prompt-file': 'prompt.md',
        'base-url': 'https://proxy.example.com/v1',
        model: 'gpt-5',
        effort: 'high',
        sandbox: 'workspace-write',
        'working-directory': workspace,
        'output-schema-file': 'schema.json',
        'codex-version': '0.170.0-alpha.1',
        'codex-path': executable,
        'codex-home': 'sub',
        config:
          'model_verbosity = "low"\n# a comment\nsandbox_workspace_write.network_access = true\ntools.list = [1, 2]',
        'github-token': 'ghs_x',
        comment: 'false',
        'timeout-minutes': '1.5',
        isolation: 'agent-user'
      },
      { OPENAI_API_KEY: 'sk-from-env' }
    )
    expect(result).toMatchObject({
      prompt: 'Prompt from a file',
      apiKey: 'sk-from-env',
      baseUrl: 'https://proxy.example.com/v1',
      model: 'gpt-5',
      effort: 'high',
      sandbox: 'workspace-write',
      codexVersion: '0.170.0-alpha.1',
      codexPath: executable,
      githubToken: 'ghs_x',
      postComment: false,
      timeoutMs: 90_000,
      isolation: 'agent-user',
      config: { model_verbosity: 'low', sandbox_workspace_write: { network_access: true }, tools: { list: [1, 2] } }
    })
    expect(result.outputSchema?.schema).toMatchObject({ type: 'object' })
    expect(result.outputSchema?.validate({})).toEqual([])
    expect(result.outputSchema?.validate([])).toEqual(['(root): Invalid input: expected object, received array'])
    expect(result.codexHome).toBe(path.resolve('sub'))
  })

  it('takes the key from CODEX_API_KEY, and none with a keyless base-url', () => {
    expect(settings({ prompt: 'x' }, { CODEX_API_KEY: 'sk-codex' }).apiKey).toBe('sk-codex')
    expect(settings({ prompt: 'x', 'base-url': 'http://127.0.0.1:8080/v1' }).apiKey).toBeUndefined()
  })

  it('makes the prompt optional in review mode and on comment events, with the review inputs defaulted', () => {
    expect(settings({ 'openai-api-key': 'k', mode: 'review' })).toMatchObject({
      mode: 'review',
      prompt: '',
      triggerPhrase: '@codex',
      failOnSeverity: undefined
    })
    expect(settings({ 'openai-api-key': 'k' }, { GITHUB_EVENT_NAME: 'pull_request_review_comment' }).prompt).toBe('')
    expect(settings({ ...valid, 'fail-on-severity': 'major', 'trigger-phrase': '/ask' })).toMatchObject({
      mode: 'turn',
      failOnSeverity: 'major',
      triggerPhrase: '/ask'
    })
  })

  it('reads the noise dial: min-severity, max-comments, ignore-paths with the default ignores on or off', () => {
    expect(settings(valid)).toMatchObject({
      minSeverity: 'nit',
      maxComments: 20,
      ignorePaths: { globs: [], defaults: true }
    })
    expect(
      settings({
        ...valid,
        'min-severity': 'major',
        'max-comments': '0',
        'ignore-paths': 'docs/**, **/*.snap\n!defaults\ngen/*.ts'
      })
    ).toMatchObject({
      minSeverity: 'major',
      maxComments: 0,
      ignorePaths: { globs: ['docs/**', '**/*.snap', 'gen/*.ts'], defaults: false }
    })
  })

  it.each([
    [{ 'openai-api-key': 'k' }, 'Input "prompt": is required (or give prompt-file)'],
    [{ ...valid, 'prompt-file': 'prompt.md' }, 'Input "prompt": give either prompt or prompt-file, not both'],
    [{ 'openai-api-key': 'k', 'prompt-file': 'missing.md' }, 'Input "prompt-file": cannot read missing.md (ENOENT)'],
    [{ prompt: 'x' }, 'Input "openai-api-key": is required'],
    [{ ...valid, 'output-schema': '{not json' }, 'Input "output-schema": is not JSON'],
    [{ ...valid, 'output-schema': '[1]' }, 'Input "output-schema": must be a JSON Schema object'],
    [{ ...valid, 'output-schema': '{"type":"nonsense"}' }, 'Input "output-schema": is not a valid JSON Schema'],
    [
      { ...valid, 'output-schema': '{"type":"object","properties":{"a":{"type":"string"}}}' },
      'Input "output-schema": would be rejected by the Responses API\'s strict mode'
    ],
    [{ ...valid, 'output-schema': '{}', 'output-schema-file': 'schema.json' }, 'Input "output-schema": give either'],
    [{ ...valid, 'output-schema-file': 'nope.json' }, 'Input "output-schema-file": cannot read nope.json'],
    [{ ...valid, mode: 'audit' }, 'Input "mode": "audit" is not one of turn, review'],
    [{ ...valid, isolation: 'sudo' }, 'Input "isolation": "sudo" is not one of auto, agent-user, none'],
    [
      { ...valid, mode: 'review', 'output-schema': '{}' },
      'Input "output-schema": cannot be given with mode: review, whose response follows the built-in findings schema'
    ],
    [
      { ...valid, 'fail-on-severity': 'high' },
      'Input "fail-on-severity": "high" is not one of critical, major, minor, nit'
    ],
    [{ ...valid, 'trigger-phrase': 'hey codex' }, 'Input "trigger-phrase": "hey codex" holds white space'],
    [
      { ...valid, sandbox: 'none' },
      'Input "sandbox": "none" is not one of read-only, workspace-write, danger-full-access'
    ],
    [{ ...valid, effort: 'max' }, 'Input "effort": "max" is not one of minimal, low, medium, high, xhigh'],
    [{ ...valid, 'timeout-minutes': 'ten' }, 'Input "timeout-minutes": "ten" is not a positive number of minutes'],
    [{ ...valid, 'timeout-minutes': '0' }, 'Input "timeout-minutes": "0" is not a positive number'],
    [{ ...valid, 'timeout-minutes': '-5' }, 'Input "timeout-minutes": "-5" is not a positive number'],
    [{ ...valid, config: 'no equals sign' }, 'Input "config": line 1 ("no equals sign") is not key=value'],
    [
      { ...valid, config: 'a = 1\nb = [unclosed' },
      'Input "config": line 2 ("b = [unclosed") has a value that is not TOML'
    ],
    [{ ...valid, 'codex-path': 'does/not/exist' }, 'Input "codex-path": does/not/exist does not exist'],
    [{ ...valid, 'codex-path': notExecutable }, `Input "codex-path": ${notExecutable} is not executable`],
    [{ ...valid, 'codex-path': workspace }, `Input "codex-path": ${workspace} is not a file`],
    [
      { ...valid, 'working-directory': '/no/such/dir' },
      'Input "working-directory": /no/such/dir is not an existing directory'
    ],
    [{ ...valid, comment: 'sometimes' }, 'Input "comment": "sometimes" is not true or false'],
    [{ ...valid, 'base-url': 'ftp://x' }, 'Input "base-url": "ftp://x" is not an http(s) URL'],
    [
      { ...valid, 'codex-version': '1.0 --registry=evil' },
      'Input "codex-version": "1.0 --registry=evil" is not a version'
    ],
    [{ ...valid, 'min-severity': 'low' }, 'Input "min-severity": "low" is not one of critical, major, minor, nit'],
    [{ ...valid, 'max-comments': '-1' }, 'Input "max-comments": "-1" is not a whole number of comments from 0 to 9999'],
    [{ ...valid, 'max-comments': 'ten' }, 'Input "max-comments": "ten" is not a whole number'],
    [{ ...valid, 'ignore-paths': '!docs/**' }, 'Input "ignore-paths": "!docs/**": negations are not supported'],
    [
      { ...valid, 'ignore-paths': '/etc/*' },
      'Input "ignore-paths": "/etc/*" is not a glob relative to the repository root'
    ],
    [{ ...valid, 'ignore-paths': 'a/../b' }, 'Input "ignore-paths": "a/../b" is not a glob relative'],
    [{ ...valid, 'ignore-paths': "x'; rm -rf ~; '" }, 'Input "ignore-paths": "x\'; rm -rf ~; \'" holds a quote'],
    [{ ...valid, 'compact-at-tokens': '-1' }, 'Input "compact-at-tokens": "-1" is not a whole number of tokens'],
    [{ ...valid, 'compact-at-tokens': '1e5' }, 'Input "compact-at-tokens": "1e5" is not a whole number of tokens'],
    [{ ...valid, 'compact-at-tokens': '2.5' }, 'Input "compact-at-tokens": "2.5" is not a whole number of tokens'],
    [
      { ...valid, 'compact-at-tokens': '99999999999999999999' },
      'Input "compact-at-tokens": "99999999999999999999" is not a whole number of tokens'
    ],
    [
      { ...valid, 'thread-token-budget': 'lots' },
      'Input "thread-token-budget": "lots" is not a positive whole number of tokens'
    ],
    [
      { ...valid, 'thread-token-budget': '-100' },
      'Input "thread-token-budget": "-100" is not a positive whole number of tokens'
    ],
    [
      { ...valid, 'thread-token-budget': '0' },
      'Input "thread-token-budget": "0" is not a positive whole number of tokens'
    ],
    [
      { ...valid, 'thread-token-budget': '1,000' },
      'Input "thread-token-budget": "1,000" is not a positive whole number of tokens'
    ]
  ])('refuses %j with one line naming the input', (inputs, message) => {
    const text = error(inputs)
    expect(text).toContain(message)
    expect(text).not.toContain('\n')
  })
})

describe('compact-at-tokens and thread-token-budget', () => {
  it("sets codex's model_auto_compact_token_limit, 100000 by default, and leaves codex's own at 0", () => {
    expect(settings(valid).config).toEqual({ model_auto_compact_token_limit: 100_000 })
    expect(settings({ ...valid, 'compact-at-tokens': '18000' }).config).toEqual({
      model_auto_compact_token_limit: 18_000
    })
    expect(settings({ ...valid, 'compact-at-tokens': '0' }).config).toEqual({})
  })

  it('yields to a model_auto_compact_token_limit the config input sets', () => {
    const inputs = { ...valid, 'compact-at-tokens': '18000', config: 'model_auto_compact_token_limit = 50000' }
    expect(settings(inputs).config).toEqual({ model_auto_compact_token_limit: 50_000 })
  })

  it('reads the walkthrough and describe inputs: on and off by default, and placeholder only with a walkthrough', () => {
    expect(settings(valid)).toMatchObject({ walkthrough: true, describe: 'off' })
    expect(settings({ ...valid, walkthrough: 'false', describe: 'off' })).toMatchObject({
      walkthrough: false,
      describe: 'off'
    })
    expect(settings({ ...valid, describe: 'placeholder' })).toMatchObject({
      walkthrough: true,
      describe: 'placeholder'
    })
    expect(refusalOf({ ...valid, walkthrough: 'sometimes' }).message).toBe(
      'Input "walkthrough": "sometimes" is not true or false'
    )
    expect(refusalOf({ ...valid, describe: 'overwrite' }).message).toBe(
      'Input "describe": "overwrite" is not one of off, placeholder'
    )
    expect(refusalOf({ ...valid, walkthrough: 'false', describe: 'placeholder' }).message).toBe(
      'Input "describe": "placeholder" writes the walkthrough, which walkthrough: false turns off'
    )
  })

  it('reads the budget, none by default', () => {
    expect(settings(valid).threadTokenBudget).toBeUndefined()
    expect(settings({ ...valid, 'thread-token-budget': '250000' }).threadTokenBudget).toBe(250_000)
  })
})
