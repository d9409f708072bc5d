import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, lstatSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { AGENT_USER } from '../../src/action/codex/isolation.js'
import { usePrHarness } from '../support/prHarness.js'
import { PrRepo } from '../support/prRepo.js'
import { tempDir, tempRepo } from '../support/tempDirs.js'
import { answersToolCall, startScriptedModel, type ModelRequest, type ModelScript } from '../support/scriptedModel.js'

// Issue 24, end to end through dist/index.js: the key lives only in the action's proxy, codex runs
// as its own user, and a fork's PR is reviewed read-only.

/** Fresh for each run of the suite, so no file on this machine (vitest's caches of this source) holds them. */
const API_KEY = `sk-proj-${randomBytes(12).toString('hex')}`
const GITHUB_TOKEN = `ghs_${randomBytes(12).toString('hex')}`
/** In the step's environment under an innocent name: codex's environment holds it, so the search must find it. */
const CANARY = `canary-${randomBytes(8).toString('hex')}`

/** Writes `value` into a command in two halves, so the command line itself never holds it whole. */
function split(value: string): string {
  const half = Math.floor(value.length / 2)
  return `"${value.slice(0, half)}""${value.slice(half)}"`
}

/**
 * The hunt a prompt-injected agent would run: every process environment it can open, its HOME,
 * the temp folders, CODEX_HOME and the workspace, for the key, the token and the canary. Each value
 * is reported by label, never printed.
 */
function hunt(places: string): string {
  return [
    'echo "user=$(id -un)"; echo made > agent-made.txt',
    `for pair in key=${split(API_KEY)} token=${split(GITHUB_TOKEN)} canary=${split(CANARY)}; do`,
    '  label=${pair%%=*}; value=${pair#*=}',
    '  echo "== $label:"',
    `  grep -rlsF -- "$value" ${places} 2>/dev/null | grep -v "^/proc/$$/"`,
    'done',
    'echo "environments read: $(for f in /proc/[0-9]*/environ; do cat "$f" >/dev/null 2>&1 && echo "$f"; done | wc -l)"'
  ].join('\n')
}
const EVERYWHERE = '/proc/[0-9]*/environ "$HOME" /tmp "$RUNNER_TEMP" "$CODEX_HOME" "$PWD"'

/** The last line a command run with `toTheEnd` prints, written so that no command line holds it whole. */
const FINISHED = 'COMMAND-FINISHED'
const WRITE_FINISHED = '"COMMAND-""FINISHED"'

/**
 * A script that has the agent run `command` to its end however long this machine takes, then
 * answers `message`. codex hands back a command still running after its yield time (10 s): the
 * command's output goes to a file, and the model asks for the file again until it ends with FINISHED.
 */
function toTheEnd(command: string, message: string): ModelScript {
  const file = '.command.out'
  return (request) => {
    if (!answersToolCall(request))
      return { command: `{\n${command}\n} > ${file} 2>&1; echo ${WRITE_FINISHED} >> ${file}; cat ${file}` }
    if (commandOutput(request).includes(FINISHED)) return { message }
    return { command: `until grep -q ${WRITE_FINISHED} ${file}; do sleep 1; done; cat ${file}` }
  }
}

/** The model's last request: it holds the output of the agent's last command. */
function lastRequest(): ModelRequest | undefined {
  return harness.model.requests.at(-1)
}

/** What the agent's command printed, as the model received it in its next request. */
function commandOutput(request: ModelRequest | undefined): string {
  const item = request?.body.input?.filter((entry) => entry.type === 'function_call_output').at(-1)
  if (!item) throw new Error('the model received no command output')
  return typeof item.output === 'string' ? item.output : JSON.stringify(item.output)
}

/** The files the hunt listed under `label`. */
function found(output: string, label: string): string[] {
  const section = output.split(`== ${label}:`)[1]?.split(/== \w+:|environments read:/)[0] ?? ''
  return section
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('/'))
}

const harness = usePrHarness(24)

/**
 * Where the action can start codex as its own user (Linux, as root or with passwordless sudo: CI, a
 * hosted runner); elsewhere, as in a contributor's own `npm test`, it falls back with a warning.
 */
const canSwitchUsers =
  process.platform === 'linux' && (process.getuid?.() === 0 || spawnSync('sudo', ['-n', 'true']).status === 0)

function runHunt(places: string, inputs: Record<string, string> = {}, workspace = tempRepo()) {
  return harness.run(
    toTheEnd(hunt(places), 'Searched.'),
    { sandbox: 'danger-full-access', 'openai-api-key': API_KEY, 'github-token': GITHUB_TOKEN, ...inputs },
    // as a workflow passes them: the key and the token in the step's environment too
    { env: { OPENAI_API_KEY: API_KEY, GITHUB_TOKEN, INNOCENT: CANARY }, workspace }
  )
}

describe('the key and the token out of the agent’s reach, end to end', () => {
  it('under danger-full-access the agent, its own user, finds neither the key nor the token anywhere; the model gets the key', async ({
    skip
  }) => {
    skip(!canSwitchUsers, 'codex cannot run as its own user on this machine')
    const workspace = tempRepo()
    const modeBefore = statSync(workspace).mode
    const run = await runHunt(EVERYWHERE, {}, workspace)
    expect(run.exitCode, run.log).toBe(0)

    const output = commandOutput(lastRequest())
    expect(output).toContain(`user=${AGENT_USER}`)
    // the search works: it finds what codex's environment holds, in codex's process and its own shell
    expect(found(output, 'canary').filter((file) => file.startsWith('/proc/')).length, output).toBeGreaterThan(0)
    expect(found(output, 'key'), output).toEqual([])
    expect(found(output, 'token'), output).toEqual([])
    expect(output).not.toContain(API_KEY)
    expect(output).not.toContain(GITHUB_TOKEN)
    // the proxy sent the real key on; codex itself only ever had the per-run token
    for (const request of harness.model.requests) expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`)
    expect(run.log).not.toMatch(/isolation: codex runs as this step's user/)
    // the workspace is this user's again, what the agent made in it included, and as closed as before
    expect(statSync(path.join(workspace, 'agent-made.txt')).uid).toBe(process.getuid?.())
    expect(statSync(path.join(workspace, 'README.md')).uid).toBe(process.getuid?.())
    expect(statSync(workspace).mode).toBe(modeBefore)
  })

  it('with isolation: none the same search finds the key in the action process: what the agent user prevents', async () => {
    const run = await runHunt('/proc/[0-9]*/environ', { isolation: 'none' })
    expect(run.exitCode, run.log).toBe(0)

    const output = commandOutput(lastRequest())
    expect(output).not.toContain(`user=${AGENT_USER}`)
    expect(
      found(output, 'key').some((file) => /^\/proc\/\d+\/environ$/.test(file)),
      output
    ).toBe(true)
    expect(
      found(output, 'token').some((file) => /^\/proc\/\d+\/environ$/.test(file)),
      output
    ).toBe(true)
  })

  it('refuses a call to the proxy without the per-run token, made from the agent’s own commands', async () => {
    // the proxy's address is on codex's command line, which every local user can read: this run's
    // codex, an ancestor of the agent's shell (other runs on the machine have proxies of their own)
    const probe = [
      'pid=$$; url=""',
      'while [ -z "$url" ] && [ "$pid" -gt 1 ]; do',
      '  url=$(tr "\\0" "\\n" < /proc/$pid/cmdline 2>/dev/null | sed -n "s/.*base_url *= *\\"\\(http[^\\"]*\\)\\".*/\\1/p" | head -1)',
      '  pid=$(sed -n "s/^PPid:[[:space:]]*//p" /proc/$pid/status)',
      'done',
      'echo "proxy=$url"',
      'echo "without=$(curl -s -o /dev/null -w "%{http_code}" -X POST -d "{}" "$url/responses")"',
      'echo "wrong=$(curl -s -o /dev/null -w "%{http_code}" -X POST -H "authorization: Bearer guess" -d "{}" "$url/responses")"'
    ].join('\n')
    const run = await harness.run(toTheEnd(probe, 'Probed.'), {
      sandbox: 'danger-full-access',
      'openai-api-key': API_KEY
    })
    expect(run.exitCode, run.log).toBe(0)

    const output = commandOutput(lastRequest())
    expect(output).toMatch(/proxy=http:\/\/127\.0\.0\.1:\d+/)
    expect(output).toContain('without=401')
    expect(output).toContain('wrong=401')
    // nothing of the probes (a body of {}) reached the model: every request it got is codex's
    for (const request of harness.model.requests) expect(request.body.input).toBeDefined()
  })

  it('reaches a base-url with a path prefix through the proxy, keyless too', async () => {
    const model = await harness.serve(() => ({ message: 'Through the prefix.' }))
    const prefixed = model.url.replace(/\/v1$/, '/openai/deployments/review/v1')
    const keyed = await harness.runServed({ 'base-url': prefixed })
    expect(keyed.exitCode, keyed.log).toBe(0)
    expect(keyed.outputs['final-response']).toBe('Through the prefix.')
    expect(model.requests[0]?.path).toBe('/openai/deployments/review/v1/responses')
    expect(model.requests[0]?.headers.authorization).toMatch(/^Bearer sk-test/)

    const keyless = await harness.runServed({ 'base-url': prefixed, 'openai-api-key': '' })
    expect(keyless.exitCode, keyless.log).toBe(0)
    expect(model.requests[1]?.path).toBe('/openai/deployments/review/v1/responses')
    // codex's per-run token stops at the proxy
    expect(model.requests[1]?.headers.authorization).toBeUndefined()
  })
})

/** `command` again until one run of it ends within codex's yield time: for a read-only turn, which can keep no output file. */
function untilItEnds(command: string, message: string): ModelScript {
  return (request) =>
    answersToolCall(request) && commandOutput(request).includes(FINISHED)
      ? { message }
      : { command: `${command}\necho ${WRITE_FINISHED}` }
}

/** Every entry of `dir` with its mode, owner and ctime: what a read-only turn must not touch. */
function entries(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .concat('.')
    .map((name) => {
      const found = lstatSync(path.join(dir, name), { bigint: true })
      return `${name} ${found.mode.toString(8)} ${found.uid}:${found.gid} ${found.ctimeNs}`
    })
    .sort()
}

/** Checkouts in one parent folder that others cannot pass through, as on a machine with several runners. */
function checkoutsUnderOneParent(count: number): { parent: string; workspaces: string[] } {
  const parent = tempDir('runners')
  chmodSync(parent, 0o750)
  const workspaces = Array.from({ length: count }, (_, index) => {
    const source = tempRepo({ 'README.md': `# checkout ${index}\n` })
    const workspace = path.join(parent, `runner-${index}`)
    renameSync(source, workspace)
    chmodSync(workspace, 0o755)
    return workspace
  })
  return { parent, workspaces }
}

describe('what isolation lends, end to end (issues 33 and 28)', () => {
  it('a read-only turn reads the checkout and runs git there as its own user, and not one entry of it changes', async () => {
    const { parent, workspaces } = checkoutsUnderOneParent(1)
    const workspace = workspaces[0]!
    const before = { entries: entries(workspace), mode: statSync(parent).mode }
    const read = 'echo "user=$(id -un)"; cat README.md; git log --format=%s; git status --short; echo "status=$?"'
    const run = await harness.run(untilItEnds(read, 'Read.'), { sandbox: 'read-only' }, { workspace })
    expect(run.exitCode, run.log).toBe(0)

    const output = commandOutput(lastRequest())
    expect(output).toContain(`user=${AGENT_USER}`)
    expect(output).toContain('# checkout 0')
    expect(output).toContain('init')
    expect(output).toContain('status=0')
    expect(output).not.toMatch(/dubious ownership/)
    expect(run.log).toContain(`isolation: codex runs as ${AGENT_USER}; nothing of the checkout is lent`)
    expect(entries(workspace)).toEqual(before.entries)
    expect(statSync(parent).mode).toBe(before.mode)
  })

  it('two isolated turns at once under one parent: the first to end does not cut off the other, and the parent closes after both', async () => {
    const { parent, workspaces } = checkoutsUnderOneParent(2)
    const [first, second] = workspaces as [string, string]
    const modeBefore = statSync(parent).mode
    const ownersBefore = [first, second].map((dir) => statSync(path.join(dir, 'README.md')).uid)
    // the first turn ends only once the second's agent is at work; the second goes on after the first run has ended
    const firstModel = await harness.serve(
      toTheEnd(`until [ -e ${second}/.started ]; do sleep 1; done; echo "user=$(id -un)"`, 'First done.')
    )
    const secondModel = await startScriptedModel(
      toTheEnd(
        'touch .started; until [ -e .go ]; do sleep 1; done; echo "user=$(id -un)"; cat "$PWD/README.md"',
        'Second done.'
      )
    )
    try {
      const turn = (workspace: string, url: string) =>
        harness.runServed({ sandbox: 'workspace-write', 'base-url': url }, { workspace })
      const secondRun = turn(second, secondModel.url)
      const firstRun = await turn(first, firstModel.url)
      expect(firstRun.exitCode, firstRun.log).toBe(0)
      writeFileSync(path.join(second, '.go'), '')
      const secondDone = await secondRun
      expect(secondDone.exitCode, secondDone.log).toBe(0)

      const output = commandOutput(secondModel.requests.at(-1))
      expect(output).toContain(`user=${AGENT_USER}`)
      expect(output).toContain('# checkout 1')
      expect(output).not.toMatch(/Permission denied/)
    } finally {
      await secondModel.close()
    }
    expect(statSync(parent).mode).toBe(modeBefore)
    expect([first, second].map((dir) => statSync(path.join(dir, 'README.md')).uid)).toEqual(ownersBefore)
  })
})

/** A pull_request_target event for `repo`'s PR, whose head is in `mallory`'s fork. */
function forkPayload(repo: PrRepo): Record<string, unknown> {
  const payload = repo.payload(24) as { pull_request: { head: { repo: Record<string, unknown> } } }
  const head = payload.pull_request.head
  head.repo = { ...head.repo, full_name: 'mallory/Hello-World' }
  return payload
}

describe('fork PRs on pull_request_target, end to end', () => {
  const review = JSON.stringify({ summary: 'Read only, looks fine.', findings: [], resolved: [] })
  const runFork = (inputs: Record<string, string>) => {
    const repo = new PrRepo({ 'calc.ts': 'export const x = 1\n' })
    repo.commit({ 'calc.ts': 'export const x = 2\n' })
    repo.publish(harness.github, 24)
    return harness.run(
      () => ({ message: review }),
      { mode: 'review', prompt: '', ...inputs },
      {
        eventName: 'pull_request_target',
        payload: forkPayload(repo),
        workspace: repo.dir
      }
    )
  }

  it.each([
    [{ sandbox: 'workspace-write' }, 'Input "sandbox": must be read-only on pull_request_target for a PR from a fork'],
    [
      { sandbox: 'danger-full-access' },
      'Input "sandbox": must be read-only on pull_request_target for a PR from a fork'
    ],
    [
      { 'trust-pr-instructions': 'true' },
      'Input "trust-pr-instructions": cannot be true on pull_request_target for a PR from a fork'
    ]
  ])('refuses %o before any model call', async (inputs, message) => {
    const run = await runFork(inputs)
    expect(run.exitCode).toBe(1)
    expect(run.log).toContain(`::error::${message}`)
    expect(harness.model.requests).toHaveLength(0)
  })

  it('reviews it with sandbox: read-only', async () => {
    const run = await runFork({})
    expect(run.exitCode, run.log).toBe(0)
    expect(run.outputs.conclusion).toBe('success')
    expect(run.outputs['findings-count']).toBe('0')
    expect(harness.model.requests).toHaveLength(1)
  })
})
