import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  isolateAgent,
  type AgentIsolation,
  type IsolationRequest,
  type Lending
} from '../../src/action/codex/isolation.js'
import { tempDir } from '../support/tempDirs.js'

// Issue 33 (isolation that does not grow with the checkout) and issue 28 (concurrent jobs under one
// parent): what isolateAgent lends the agent, and that everything is as before once it is given back.

const USER = 'cta-agent-test'
const isRoot = process.getuid?.() === 0
const systemPath = process.env.PATH ?? ''

/**
 * A PATH whose `mount` binds but ignores X-mount.idmap, as util-linux before 2.39 does: the
 * id-mapped mount is unavailable, so the chown fallback is used.
 */
function pathWithoutIdmap(): string {
  const dir = tempDir('no-idmap')
  const real = execFileSync('sh', ['-c', 'command -v mount'], { encoding: 'utf8', env: { PATH: systemPath } }).trim()
  // called as: mount --bind -o OPTIONS DIR DIR
  writeFileSync(path.join(dir, 'mount'), `#!/bin/sh\nexec ${real} --bind "$4" "$5"\n`, { mode: 0o755 })
  return `${dir}${path.delimiter}${systemPath}`
}

/** A PATH whose `mount` id-maps (util-linux 2.39+): the system's, or IDMAP_MOUNT_DIR's; undefined without one. */
function pathWithIdmap(): string | undefined {
  const search = process.env.IDMAP_MOUNT_DIR
    ? `${process.env.IDMAP_MOUNT_DIR}${path.delimiter}${systemPath}`
    : systemPath
  const version = spawnSync('mount', ['--version'], { env: { PATH: search }, encoding: 'utf8' }).stdout ?? ''
  return version.includes('idmapping') ? search : undefined
}

/** The ways this machine can lend, with the PATH that makes isolateAgent pick each (idmap needs util-linux 2.39+). */
const lendings = (
  [
    ['idmap', pathWithIdmap()],
    ['chown', pathWithoutIdmap()]
  ] as Array<[Lending, string | undefined]>
).filter((lending): lending is [Lending, string] => lending[1] !== undefined)

/** Every entry under `dir` (itself included) with what isolation must leave as it was. */
function snapshot(dir: string): Record<string, string> {
  const entries: Record<string, string> = {}
  const walk = (file: string): void => {
    const found = lstatSync(file, { bigint: true })
    entries[path.relative(dir, file) || '.'] =
      `${found.mode.toString(8)} ${found.uid}:${found.gid} ctime ${found.ctimeNs}`
    if (found.isDirectory()) for (const name of readdirSync(file)) walk(path.join(file, name))
  }
  walk(dir)
  return entries
}

/** A closed parent (0750) holding checkouts as actions/checkout leaves them: 0755 folders, 0644 files, and a 4755 tool. */
function checkouts(count: number): { parent: string; workspaces: string[] } {
  const parent = tempDir('parent')
  chmodSync(parent, 0o750)
  const workspaces = Array.from({ length: count }, (_, index) => {
    const workspace = path.join(parent, `work-${index}`)
    mkdirSync(path.join(workspace, 'src'), { recursive: true, mode: 0o755 })
    chmodSync(workspace, 0o755)
    writeFileSync(path.join(workspace, 'src', 'main.ts'), 'export const x = 1\n', { mode: 0o644 })
    writeFileSync(path.join(workspace, 'tool'), '#!/bin/sh\necho tool\n', { mode: 0o755 })
    chmodSync(path.join(workspace, 'tool'), 0o4755)
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: workspace })
    execFileSync('git', ['add', '.'], { cwd: workspace })
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init'], {
      cwd: workspace
    })
    return workspace
  })
  return { parent, workspaces }
}

const given: AgentIsolation[] = []
afterEach(async () => {
  for (const agent of given.splice(0)) await agent.giveBack().catch(() => undefined)
})

/** The request prepareCodex would make for a turn in `workspace`, with /bin/sh as its "codex". */
function requestFor(workspace: string, writes: boolean, waysDir: string): IsolationRequest {
  return {
    isolation: 'agent-user',
    executable: '/bin/sh',
    pathDirs: [],
    codexHome: tempDir('codex-home'),
    workingDirectory: workspace,
    writes,
    tempDir: tempDir('runner-temp'),
    warn: (message) => {
      throw new Error(message)
    },
    user: USER,
    waysDir
  }
}

/** The agent for a turn in `workspace`, set up as prepareCodex does. */
async function agentFor(workspace: string, writes: boolean, waysDir: string): Promise<AgentIsolation> {
  const agent = await isolateAgent(requestFor(workspace, writes, waysDir))
  if (!agent) throw new Error('no agent')
  given.push(agent)
  return agent
}

/** Runs `script` as the agent through the launcher, in `cwd`, with codex's environment: what it printed. */
function asAgent(agent: AgentIsolation, cwd: string, script: string): string {
  const result = spawnSync(agent.launcher, ['-c', script], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: agent.home, ...agent.env },
    encoding: 'utf8'
  })
  return `${result.stdout}${result.stderr}`
}

describe.runIf(isRoot)('lending the checkout to the agent', () => {
  afterEach(() => {
    process.env.PATH = systemPath
  })

  it('lends a read-only turn nothing in the checkout: it reads it and runs git there, and nothing changes on disk', async () => {
    process.env.PATH = pathWithoutIdmap()
    const { parent, workspaces } = checkouts(1)
    const workspace = workspaces[0]!
    // the parent is opened (o+x) for the turn: its mode is checked, the checkout's every entry compared
    const before = { checkout: snapshot(workspace), mode: statSync(parent).mode }
    const agent = await agentFor(workspace, false, tempDir('ways'))
    await agent.lend()

    const output = asAgent(
      agent,
      workspace,
      'echo "user=$(id -un)"; cat src/main.ts; git log --format=%s; git status --short; echo changed > src/main.ts; echo "write=$?"'
    )
    expect(output).toContain(`user=${USER}`)
    expect(output).toContain('export const x = 1')
    // git trusts the checkout of another user through the environment only
    expect(output).toContain('init')
    expect(output).not.toMatch(/dubious ownership/)
    expect(output).toMatch(/cannot create src\/main.ts: Permission denied/)
    expect(output).toMatch(/write=[1-9]/)
    // not a single entry of the checkout was written, its ctime included
    expect(snapshot(workspace)).toEqual(before.checkout)
    await agent.giveBack()
    expect(snapshot(workspace)).toEqual(before.checkout)
    expect(statSync(parent).mode).toBe(before.mode)
  })

  it.each(lendings)(
    'lends a writing turn the checkout (%s): owners, modes and setuid bits exactly as before, nothing the agent set left',
    async (lending, search) => {
      process.env.PATH = search
      const { parent, workspaces } = checkouts(1)
      const workspace = workspaces[0]!
      // a file of another user in the checkout stays theirs
      writeFileSync(path.join(workspace, 'theirs'), 'x')
      chownSync(path.join(workspace, 'theirs'), 4242, 4242)
      const before = snapshot(parent)
      const agent = await agentFor(workspace, true, tempDir('ways'))
      await agent.lend()
      expect(agent.lending).toBe(lending)

      const output = asAgent(
        agent,
        workspace,
        [
          'echo "user=$(id -un)"',
          'echo more >> src/main.ts',
          'git status --short',
          'echo made > made.txt && mkdir -p made/closed && echo deep > made/closed/file && chmod 000 made/closed',
          'cp tool own-tool && chmod 4755 own-tool'
        ].join('\n')
      )
      expect(output).toContain(`user=${USER}`)
      expect(output).not.toMatch(/Permission denied|dubious/)
      expect(output).toContain(' M src/main.ts')
      await agent.giveBack()

      const after = snapshot(parent)
      const self = `${process.getuid!()}:${process.getgid!()}`
      for (const name of ['made.txt', 'made', 'made/closed', 'made/closed/file', 'own-tool', 'src/main.ts'])
        expect(after[`work-0/${name}`], name).toContain(` ${self} `)
      // the agent's own setuid file is not left setuid for anyone to run
      expect(after['work-0/own-tool']?.split(' ')[0]).toBe('100755')
      // what the agent did not touch is as it was: mode, owner, setuid bit
      const untouched = ['.', 'work-0', 'work-0/tool', 'work-0/theirs', 'work-0/src', 'work-0/.git/HEAD']
      const field = (entries: Record<string, string>, index: number) =>
        untouched.map((name) => `${name} ${entries[name]!.split(' ')[index]}`)
      expect(field(after, 0)).toEqual(field(before, 0))
      expect(field(after, 1)).toEqual(field(before, 1))
      // and id-mapped, not even its ctime changed (the parent was opened and closed; the checkout's folder got new entries)
      const ctimeKept = untouched.slice(2).map((name) => after[name]!.split(' ')[3] === before[name]!.split(' ')[3])
      expect(ctimeKept).toEqual(lending === 'idmap' ? [true, true, true, true] : [false, true, false, false])
      expect(after['work-0/tool']?.split(' ')[0]).toBe('104755')
    }
  )

  it.runIf(pathWithIdmap())(
    'ends what the agent left running in its namespace when the turn is given back',
    async () => {
      process.env.PATH = pathWithIdmap()!
      const { workspaces } = checkouts(1)
      const agent = await agentFor(workspaces[0]!, true, tempDir('ways'))
      await agent.lend()
      const output = asAgent(agent, workspaces[0]!, 'setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo "left=$!"')
      const pid = Number(/left=(\d+)/.exec(output)?.[1])
      expect(existsSync(`/proc/${pid}`)).toBe(true)
      await agent.giveBack()
      const state = existsSync(`/proc/${pid}/stat`)
        ? execFileSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' })
        : ''
      // gone, or a zombie its parent has not reaped
      expect(state === '' || / Z /.test(state), state).toBe(true)
    }
  )

  it.runIf(pathWithIdmap())(
    'on a GitHub-hosted runner leaves a setuid file the agent made, which gives it nothing in a later turn (no_new_privs)',
    async () => {
      process.env.PATH = pathWithIdmap()!
      const { workspaces } = checkouts(1)
      const workspace = workspaces[0]!
      const ways = tempDir('ways')
      const writing = await isolateAgent({ ...requestFor(workspace, true, ways), disposableMachine: true })
      given.push(writing!)
      await writing!.lend()
      asAgent(writing!, workspace, 'cp "$(command -v id)" own-id && chmod 4755 own-id')
      await writing!.giveBack()
      // on disk: this user's (root's here), setuid, for a machine nobody else uses
      expect(statSync(path.join(workspace, 'own-id')).mode & 0o7777).toBe(0o4755)
      expect(statSync(path.join(workspace, 'own-id')).uid).toBe(process.getuid!())

      const reading = await agentFor(workspace, false, ways)
      await reading.lend()
      const output = asAgent(reading, workspace, 'echo "euid=$(./own-id -u)"')
      await reading.giveBack()
      expect(output).toContain(`euid=${execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim()}`)
    }
  )

  it('keeps the way open for another run under the same parent until the last one gives back (issue 28)', async () => {
    process.env.PATH = pathWithoutIdmap()
    const { parent, workspaces } = checkouts(2)
    const modeBefore = statSync(parent).mode
    const ways = tempDir('ways')
    const first = await agentFor(workspaces[0]!, false, ways)
    const second = await agentFor(workspaces[1]!, false, ways)
    await first.lend()
    await second.lend()
    await first.giveBack()
    // the first run's end must not cut off the second run's agent
    expect(asAgent(second, workspaces[1]!, 'cat src/main.ts')).toContain('export const x = 1')
    expect(statSync(parent).mode).not.toBe(modeBefore)
    await second.giveBack()
    expect(statSync(parent).mode).toBe(modeBefore)
  })

  it('closes a folder held by a run that died without giving back, at the next run’s end', async () => {
    process.env.PATH = pathWithoutIdmap()
    const { parent, workspaces } = checkouts(1)
    const modeBefore = statSync(parent).mode
    const ways = tempDir('ways')
    const dead = spawnSync('true').pid
    writeFileSync(
      path.join(ways, 'ways.json'),
      JSON.stringify({ [parent]: { mode: modeBefore & 0o7777, holders: [`${dead}:x`] } })
    )
    chmodSync(parent, modeBefore | 0o001)
    const agent = await agentFor(workspaces[0]!, false, ways)
    await agent.lend()
    await agent.giveBack()
    expect(statSync(parent).mode).toBe(modeBefore)
  })
})
