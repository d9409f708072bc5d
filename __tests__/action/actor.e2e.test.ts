import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { usePrHarness } from '../support/prHarness.js'
import { outputJson, pullRequestPayload, type ActionRun } from '../support/runAction.js'
import { tempDir } from '../support/tempDirs.js'

const harness = usePrHarness(5)
beforeEach(async () => {
  await harness.serve(() => ({ message: 'Reviewed.' }))
})

/** A PR event sent by `sender`, run from dist/index.js against the GitHub REST test server. */
function runAs(
  sender: { login: string; type?: string },
  inputs: Record<string, string> = {},
  env: Record<string, string> = {}
): Promise<ActionRun> {
  return harness.runServed(inputs, { payload: { ...pullRequestPayload(5), sender: { type: 'User', ...sender } }, env })
}

/** Forgets what earlier runs in the same test did. */
function reset(): void {
  harness.github.comments.length = 0
  harness.github.requests.length = 0
  harness.model.requests.length = 0
}

function expectRan(run: ActionRun): void {
  expect(run.exitCode, run.log).toBe(0)
  expect(run.outputs.conclusion).toBe('success')
  expect(harness.model.requests.length).toBeGreaterThan(0)
  expect(harness.github.comments).toHaveLength(1)
}

/** Refused: the step succeeds as skipped, with a warning naming the actor and the input, and nothing else happens. */
function expectRefused(run: ActionRun, actor: string, input: string): void {
  expect(run.exitCode, run.log).toBe(0)
  expect(run.outputs.conclusion).toBe('skipped')
  expect(run.outputs['final-response']).toBe('')
  expect(run.outputs['thread-id']).toBe('')
  expect(run.outputs['comment-url']).toBe('')
  expect(outputJson(run, 'usage')).toEqual({
    input_tokens: 0,
    cached_input_tokens: 0,
    cache_write_input_tokens: 0,
    output_tokens: 0,
    reasoning_output_tokens: 0
  })
  const warning = run.log.split('\n').find((line) => line.startsWith('::warning::Skipped: '))
  expect(warning, run.log).toContain(actor)
  expect(warning).toContain(input)
  expect(harness.model.requests).toHaveLength(0)
  expect(harness.github.comments).toHaveLength(0)
  expect(harness.github.requests.filter((request) => request.method !== 'GET')).toEqual([])
  expect(run.log).not.toContain('::error::')
}

describe('who may start a turn, end to end', () => {
  it('lets a user with write access start a turn, after asking GitHub', async () => {
    const run = await runAs({ login: 'alice' })
    expectRan(run)
    expect(run.log).toContain('alice has write access to octo/demo')
    expect(harness.github.requests.map((request) => request.path)).toContain(
      '/repos/octo/demo/collaborators/alice/permission'
    )
  })

  it('lets maintainers and admins start a turn', async () => {
    harness.github.permissions.set('maya', 'maintain')
    expectRan(await runAs({ login: 'maya' }))
    reset()
    harness.github.permissions.set('ada', 'admin')
    expectRan(await runAs({ login: 'ada' }))
  })

  it('refuses read and triage access without calling the model or posting', async () => {
    harness.github.permissions.set('mallory', 'read')
    expectRefused(await runAs({ login: 'mallory' }), 'mallory', 'allow-users')
    harness.github.permissions.set('trent', 'triage')
    expectRefused(await runAs({ login: 'trent' }), 'trent', 'allow-users')
  })

  it('refuses a stranger, as on a pull request from a fork', async () => {
    const run = await runAs({ login: 'stranger' })
    expectRefused(run, 'stranger', 'allow-users')
    expect(run.log).toContain('stranger has no access to octo/demo')
  })

  it('lets users listed in allow-users start a turn whatever their access, and * lets anyone', async () => {
    harness.github.permissions.set('mallory', 'read')
    expectRan(await runAs({ login: 'mallory' }, { 'allow-users': 'bob, Mallory' }))
    reset()
    expectRan(await runAs({ login: 'stranger' }, { 'allow-users': '*' }))
  })

  it('refuses bots, by type or by login, unless allow-bots lists them', async () => {
    harness.github.permissions.set('dependabot[bot]', 'write')
    expectRefused(await runAs({ login: 'dependabot[bot]', type: 'Bot' }), 'dependabot[bot]', 'allow-bots')
    expectRefused(await runAs({ login: 'renovate', type: 'Bot' }), 'renovate', 'allow-bots')
    // allow-users does not admit a bot
    expectRefused(await runAs({ login: 'renovate', type: 'Bot' }, { 'allow-users': '*' }), 'renovate', 'allow-bots')

    const allowed = await runAs({ login: 'dependabot[bot]', type: 'Bot' }, { 'allow-bots': 'dependabot' })
    expectRan(allowed)
    expect(allowed.log).toContain('dependabot[bot] is listed in allow-bots')
  })

  it('judges a re-run by whoever re-ran it', async () => {
    harness.github.permissions.set('mallory', 'read')
    // a maintainer re-running an outside contributor's run vouches for it
    expectRan(await runAs({ login: 'mallory' }, {}, { GITHUB_TRIGGERING_ACTOR: 'alice', GITHUB_RUN_ATTEMPT: '2' }))
    reset()
    // and someone without write access cannot re-run a trusted one into acting for them
    expectRefused(
      await runAs({ login: 'alice' }, {}, { GITHUB_TRIGGERING_ACTOR: 'mallory', GITHUB_RUN_ATTEMPT: '2' }),
      'mallory',
      'allow-users'
    )
  })

  // codex is prepared and the thread read while the actor is checked (issue 33): a refusal must
  // still be exactly what it was, however that preparation went
  it('prepares codex beside the gate, but a refused run says nothing of it and calls no model', async () => {
    harness.github.permissions.set('alice', 'write')
    const allowed = await runAs({ login: 'alice' })
    expectRan(allowed)
    expect(allowed.log).toMatch(/codex \S+ from codex-path/)
    reset()
    const refused = await runAs({ login: 'stranger' })
    expectRefused(refused, 'stranger', 'allow-users')
    expect(refused.log).not.toMatch(/from codex-path|Thread pr-5/)
  })

  it('refuses a stranger even when codex could not have started, and fails an allowed run on it', async () => {
    // a program that is there but is no codex: only preparing codex finds out
    const broken = path.join(tempDir('broken-codex'), 'codex')
    writeFileSync(broken, '#!/bin/sh\nexit 3\n', { mode: 0o755 })
    expectRefused(await runAs({ login: 'stranger' }, { 'codex-path': broken }), 'stranger', 'allow-users')
    reset()
    harness.github.permissions.set('alice', 'write')
    const allowed = await runAs({ login: 'alice' }, { 'codex-path': broken })
    expect(allowed.exitCode).not.toBe(0)
    expect(allowed.outputs.conclusion).toBe('failure')
    expect(allowed.log).toContain(broken)
    expect(harness.model.requests).toHaveLength(0)
  })
})
