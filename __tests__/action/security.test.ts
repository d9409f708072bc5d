import { describe, expect, it } from 'vitest'
import { admitActor } from '../../src/action/github/actor.js'
import { actorOf } from '../../src/action/github/context.js'
import {
  ACTION_ORIGINATOR,
  codexEnvironment,
  protectShellEnvironment,
  SECRET_NAME_PATTERNS
} from '../../src/action/codex/environment.js'
import type { GitHubApi } from '../../src/action/github/api.js'
import { Redactor } from '../../src/action/core/redact.js'
import { InputError } from '../../src/action/core/errors.js'
import { refusalOf, settingsFrom, VALID_INPUTS } from '../support/settings.js'
import { tempDir } from '../support/tempDirs.js'

const workspace = tempDir('security')
const settings = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
  settingsFrom({ ...VALID_INPUTS, ...inputs }, { GITHUB_WORKSPACE: workspace, ...env })

describe('the security inputs', () => {
  it('take commas or newlines', () => {
    const result = settings({
      'allow-users': 'alice, bob\ncarol',
      'allow-bots': 'dependabot[bot]\nrenovate',
      'allow-env': 'NPM_TOKEN,\nSENTRY_DSN',
      'secrets-to-redact': 'one-secret,\n two-secret '
    })
    expect(result).toMatchObject({
      allowUsers: ['alice', 'bob', 'carol'],
      allowBots: ['dependabot[bot]', 'renovate'],
      allowEnv: ['NPM_TOKEN', 'SENTRY_DSN'],
      secretsToRedact: ['one-secret', 'two-secret']
    })
    expect(settings({})).toMatchObject({ allowUsers: [], allowBots: [], allowEnv: [], secretsToRedact: [] })
    expect(settings({ 'allow-users': '*' }).allowUsers).toEqual(['*'])
  })

  it('refuse what would be ignored or would hand the agent the API key, naming the input', () => {
    const refusal = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
      refusalOf({ ...VALID_INPUTS, ...inputs }, { GITHUB_WORKSPACE: workspace, ...env })
    expect(refusal({ 'allow-users': 'not a login' }).message).toBe(
      'Input "allow-users": "not a login" is not a GitHub login'
    )
    expect(refusal({ 'allow-users': 'dependabot[bot]' }).message).toBe(
      'Input "allow-users": "dependabot[bot]" is a bot: list bots in allow-bots'
    )
    expect(refusal({ 'allow-bots': 'bad/bot' }).input).toBe('allow-bots')
    expect(refusal({ 'allow-env': 'CODEX_API_KEY' }).message).toMatch(
      /^Input "allow-env": CODEX_API_KEY holds the API key/
    )
    expect(refusal({ 'allow-env': 'OPENAI_API_KEY' }).input).toBe('allow-env')
    expect(refusal({ 'allow-env': 'MY_KEY' }, { MY_KEY: 'sk-1234' }).message).toMatch(/MY_KEY holds the API key/)
  })
})

describe("the agent's command environment", () => {
  const redactor = new Redactor()
  redactor.add('ghs_registered_token')
  const codexEnv = {
    PATH: '/bin',
    NPM_TOKEN: 'npm',
    OTHER_TOKEN: 'other',
    SOME_KEY: 'key',
    ALIAS: 'Bearer ghs_registered_token',
    HARMLESS: 'plain'
  }
  const policyOf = (allowEnv: string[], config = {}) =>
    protectShellEnvironment(config, { codexEnv, allowEnv, holdsSecret: (value) => redactor.holds(value) })
      .shell_environment_policy as Record<string, unknown>

  it('excludes secret-looking names by glob, and any variable holding a registered secret by name', () => {
    expect(policyOf([])).toEqual({
      inherit: 'all',
      ignore_default_excludes: true,
      exclude: [...SECRET_NAME_PATTERNS, 'ALIAS']
    })
  })

  it('drops a glob an allowed name matches, listing the others it caught by exact name', () => {
    const { exclude } = policyOf(['NPM_TOKEN'])
    expect(exclude).not.toContain('*TOKEN*')
    expect(exclude).not.toContain('NPM_TOKEN')
    expect(exclude).toEqual(expect.arrayContaining(['*KEY*', 'OTHER_TOKEN', 'ALIAS']))
    // CODEX_API_KEY, which the SDK adds to codex's environment, stays out even without its glob
    expect(policyOf(['SOME_KEY']).exclude).toEqual(expect.arrayContaining(['CODEX_API_KEY']))
    expect(policyOf(['SOME_KEY']).exclude).not.toContain('SOME_KEY')
  })

  it("adds the user's own policy to the exclusions rather than replacing them", () => {
    const config = { model: 'm', shell_environment_policy: { inherit: 'core', exclude: ['HARMLESS'] } }
    const result = protectShellEnvironment(config, { codexEnv, allowEnv: [], holdsSecret: () => false })
    expect(result.model).toBe('m')
    expect(result.shell_environment_policy).toEqual({
      inherit: 'core',
      ignore_default_excludes: true,
      exclude: [...SECRET_NAME_PATTERNS, 'HARMLESS']
    })
  })

  it("withholds the runner's credentials and the inputs from codex itself, unless allowed", () => {
    const env = {
      PATH: '/bin',
      GITHUB_TOKEN: 't',
      OPENAI_API_KEY: 'k',
      CODEX_API_KEY: 'k',
      ACTIONS_RUNTIME_TOKEN: 'r',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'i',
      ACTIONS_CACHE_URL: 'u',
      'INPUT_OPENAI-API-KEY': 'k'
    }
    expect(codexEnvironment(env, '/home')).toEqual({
      PATH: '/bin',
      ACTIONS_CACHE_URL: 'u',
      CODEX_HOME: '/home',
      CODEX_INTERNAL_ORIGINATOR_OVERRIDE: ACTION_ORIGINATOR
    })
    expect(codexEnvironment(env, '/home', ['GITHUB_TOKEN']).GITHUB_TOKEN).toBe('t')
  })
})

describe('who started the run', () => {
  const pr = { sender: { login: 'alice', type: 'User' } }

  it('is the sender, or whoever re-ran it', () => {
    expect(actorOf(pr, {})).toEqual({ login: 'alice', bot: false })
    expect(actorOf(pr, { GITHUB_TRIGGERING_ACTOR: 'alice' })).toEqual({ login: 'alice', bot: false })
    expect(actorOf(pr, { GITHUB_TRIGGERING_ACTOR: 'bob' })).toEqual({ login: 'bob', bot: false })
    expect(actorOf(pr, { GITHUB_TRIGGERING_ACTOR: 'github-actions[bot]' })).toEqual({
      login: 'github-actions[bot]',
      bot: true
    })
    expect(actorOf({ sender: { login: 'renovate', type: 'Bot' } }, {})).toEqual({ login: 'renovate', bot: true })
    expect(actorOf({}, { GITHUB_ACTOR: 'carol' })).toEqual({ login: 'carol', bot: false })
    expect(actorOf({}, {})).toBeUndefined()
  })

  const lists = { allowUsers: [], allowBots: [] }
  const github = (permission: GitHubApi['permission']): GitHubApi => ({ permission }) as GitHubApi

  it('fails the step, rather than guess, when GitHub cannot say or there is no token to ask with', async () => {
    const failing = github(async () => {
      throw new Error('Server Error')
    })
    await expect(admitActor({ login: 'alice', bot: false }, lists, 'o/r', failing, 'pull_request')).rejects.toThrow(
      "Could not check alice's permission on o/r: Server Error"
    )
    await expect(admitActor({ login: 'alice', bot: false }, lists, 'o/r', undefined, 'pull_request')).rejects.toThrow(
      InputError
    )
  })

  it('trusts a custom role by the permission it is based on', async () => {
    const custom = github(async () => ({ role: 'release-manager', permission: 'write' }))
    expect(await admitActor({ login: 'alice', bot: false }, lists, 'o/r', custom, 'pull_request')).toEqual({
      allowed: true,
      reason: 'alice has release-manager access to o/r'
    })
  })

  it('asks GitHub nothing for events only writers can cause, but still keeps bots out', async () => {
    const unreachable = github(async () => {
      throw new Error('must not be asked')
    })
    for (const event of ['push', 'workflow_dispatch', 'schedule', 'repository_dispatch']) {
      expect(await admitActor({ login: 'carol', bot: false }, lists, 'o/r', unreachable, event)).toEqual({
        allowed: true,
        reason: `carol started a ${event} run, which takes write access to the repository`
      })
      expect(await admitActor({ login: 'carol', bot: false }, lists, 'o/r', undefined, event)).toMatchObject({
        allowed: true
      })
      expect((await admitActor({ login: 'renovate[bot]', bot: true }, lists, 'o/r', undefined, event)).allowed).toBe(
        false
      )
    }
    for (const event of ['pull_request', 'pull_request_target', 'issue_comment', 'workflow_run']) {
      await expect(admitActor({ login: 'carol', bot: false }, lists, 'o/r', unreachable, event)).rejects.toThrow(
        'must not be asked'
      )
    }
  })

  it('refuses a run no one is named for', async () => {
    expect((await admitActor(undefined, lists, 'o/r', undefined, 'push')).allowed).toBe(false)
  })
})
