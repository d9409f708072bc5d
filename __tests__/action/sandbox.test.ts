import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { ensureSandboxCanStart, type SandboxHost } from '../../src/action/codex/sandbox.js'
import { tempDir } from '../support/tempDirs.js'

const hosted = { RUNNER_ENVIRONMENT: 'github-hosted' }
const selfHosted = { RUNNER_ENVIRONMENT: 'self-hosted' }

let file: string
let commands: string[]
let logged: string[]
/** A Linux host whose sysctl file is a temp file, and whose sudo writes it as the real one would. */
let host: SandboxHost
beforeEach(() => {
  file = path.join(tempDir('proc'), 'apparmor_restrict_unprivileged_userns')
  commands = []
  logged = []
  host = {
    platform: 'linux',
    file,
    run: async (command, args) => {
      commands.push([command, ...args].join(' '))
      writeFileSync(file, '0\n')
    }
  }
})
const log = (message: string): number => logged.push(message)

describe('the sandbox check before a turn', () => {
  it('lifts the AppArmor restriction with sudo on a GitHub-hosted runner, and says so', async () => {
    writeFileSync(file, '1\n')
    await ensureSandboxCanStart('read-only', hosted, log, host)
    expect(commands).toEqual(['sudo -n sysctl -w kernel.apparmor_restrict_unprivileged_userns=0'])
    expect(readFileSync(file, 'utf8')).toBe('0\n')
    expect(logged).toEqual([expect.stringContaining('Lifted AppArmor')])
  })

  it('fails on a self-hosted runner, changing nothing and saying what to change', async () => {
    writeFileSync(file, '1\n')
    await expect(ensureSandboxCanStart('workspace-write', selfHosted, log, host)).rejects.toThrow(
      /workspace-write sandbox needs unprivileged user namespaces.*is 1\)\. On the runner's host, run `sudo sysctl -w kernel\.apparmor_restrict_unprivileged_userns=0`/
    )
    expect(commands).toEqual([])
    expect(readFileSync(file, 'utf8')).toBe('1\n')
  })

  it('fails rather than run unsandboxed when sudo cannot lift it', async () => {
    writeFileSync(file, '1\n')
    host.run = async () => {
      throw new Error('sudo: a password is required')
    }
    await expect(ensureSandboxCanStart('read-only', hosted, log, host)).rejects.toThrow(
      /Could not lift AppArmor's restriction .*: sudo: a password is required/
    )
    host.run = async () => {}
    await expect(ensureSandboxCanStart('read-only', hosted, log, host)).rejects.toThrow(/is still 1 after/)
  })

  it('leaves alone a machine without the restriction, and a turn without a sandbox', async () => {
    await ensureSandboxCanStart('read-only', selfHosted, log, host) // no such file: no AppArmor switch
    writeFileSync(file, '0\n')
    await ensureSandboxCanStart('read-only', selfHosted, log, host)
    writeFileSync(file, '1\n')
    await ensureSandboxCanStart('danger-full-access', selfHosted, log, host)
    await ensureSandboxCanStart('read-only', selfHosted, log, { ...host, platform: 'darwin' })
    expect(commands).toEqual([])
    expect(logged).toEqual([])
  })
})
