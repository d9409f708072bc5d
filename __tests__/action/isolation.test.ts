import { execFileSync, spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import {
  createAgentUserCommand,
  spawnAsAgentUser,
  type SpawnPlan,
  type Switcher
} from '../../src/action/codex/isolation.js'

const AGENT_USER = 'cta-agent-test'
const SECRET = 'sk-isolation-secret-0123456789'
const isRoot = process.getuid?.() === 0
const has = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0

/** Creating a system user needs root: elsewhere (a developer's machine) the test is skipped. */
function ensureAgentUser(): number {
  if (spawnSync('id', ['-u', AGENT_USER]).status !== 0) {
    const [command, ...args] = createAgentUserCommand(AGENT_USER)
    execFileSync(command!, args)
  }
  return Number(execFileSync('id', ['-u', AGENT_USER], { encoding: 'utf8' }).trim())
}

/**
 * Starts a parent holding SECRET in its environment, as the action holds its inputs, and has it run
 * the plan with `{parent}` replaced by its own pid: what the child printed comes back.
 */
function runUnderParent(plan: SpawnPlan): string {
  const parent = `
    const { spawnSync } = require('node:child_process')
    const plan = JSON.parse(process.argv[1])
    const args = plan.args.map((arg) => arg.replaceAll('{parent}', String(process.pid)))
    const child = spawnSync(plan.command, args, { env: plan.env, encoding: 'utf8' })
    process.stdout.write(child.stdout + child.stderr)`
  return execFileSync(process.execPath, ['-e', parent, JSON.stringify(plan)], {
    env: { PATH: process.env.PATH ?? '', INPUT_OPENAI_API_KEY: SECRET },
    encoding: 'utf8'
  })
}

/** What the agent would try: the parent's environment, then who it is and what it was given. */
const probe = ['sh', '-c', 'cat /proc/{parent}/environ | tr "\\0" "\\n"; echo "uid=$(id -u)"; env']
const agentEnv = { PATH: '/usr/bin:/bin', HOME: '/nonexistent', CODEX_HOME: '/tmp/agent-home' }

describe.runIf(isRoot)('running codex as the agent user', () => {
  it('lets a process of the same user read the parent environment: what the isolation must prevent', () => {
    const output = runUnderParent({ command: probe[0]!, args: probe.slice(1), env: agentEnv })
    expect(output).toContain(`INPUT_OPENAI_API_KEY=${SECRET}`)
  })

  const switchers: Switcher[] = ['setpriv', ...(has('sudo') ? (['sudo'] as const) : [])]
  it.each(switchers)('keeps the parent environment out of reach when switched with %s', (switcher) => {
    const uid = ensureAgentUser()
    const [command, ...args] = probe
    const plan = spawnAsAgentUser(command!, args, agentEnv, { name: AGENT_USER, switcher })
    const output = runUnderParent(plan)

    expect(output).toMatch(/environ: Permission denied/)
    expect(output).not.toContain(SECRET)
    expect(output).toContain(`uid=${uid}`)
    // the agent's environment is the one given, and the secret is not on any command line
    expect(output).toContain('CODEX_HOME=/tmp/agent-home')
    expect(JSON.stringify(plan.args)).not.toContain(SECRET)
  })

  it('gives the agent user no way back to root', () => {
    ensureAgentUser()
    const plan = spawnAsAgentUser('sh', ['-c', 'sudo -n true 2>&1; echo "sudo=$?"'], agentEnv, {
      name: AGENT_USER,
      switcher: 'setpriv'
    })
    const output = runUnderParent(plan)
    expect(output).toMatch(/sudo=[1-9]/)
  })
})
