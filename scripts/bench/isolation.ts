import { execFileSync } from 'node:child_process'
import { chmodSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { AGENT_USER, isolateAgent, type AgentIsolation } from '../../src/action/codex/isolation.js'
import { tempDir } from '../../__tests__/support/tempDirs.js'
import type { Options } from './options.js'
import { ms, type Row, type SectionResult } from './report.js'
import { median } from './stats.js'

const ENTRIES_PER_FOLDER = 1000

/** A checkout of about `entries` entries: folders of 1,000 empty files (made with touch: a million in seconds). */
function makeCheckout(entries: number): string {
  const dir = tempDir(`isolation-${entries}`)
  chmodSync(dir, 0o755)
  const folders = Math.max(1, Math.round(entries / ENTRIES_PER_FOLDER))
  const perFolder = Math.min(entries, ENTRIES_PER_FOLDER) - 1
  execFileSync(
    'sh',
    [
      '-c',
      'i=0; while [ $i -lt "$1" ]; do mkdir d$i && (cd d$i && seq -f f%g "$2" | xargs touch); i=$((i+1)); done',
      'make-checkout',
      String(folders),
      String(perFolder)
    ],
    { cwd: dir }
  )
  return dir
}

/** Seconds git status takes in `dir` (a repository), its index already written. */
function gitStatusMs(dir: string): number {
  const started = performance.now()
  execFileSync('git', ['status', '--porcelain'], { cwd: dir, stdio: 'ignore' })
  return performance.now() - started
}

function commitAll(dir: string): void {
  const git = (...args: string[]): void => void execFileSync('git', args, { cwd: dir, stdio: 'ignore' })
  git('init', '-q')
  git('add', '-A')
  git('-c', 'user.name=b', '-c', 'user.email=b@example.com', 'commit', '-qm', 'bench')
  // the index as a checkout leaves it: stat data fresh, nothing to re-read
  git('status', '--porcelain')
}

/** What main did before issue 33: three chown -R passes over the checkout (lend, then owner and group back). */
function chownPasses(dir: string): void {
  const self = `${process.getuid!()}`
  const group = `${process.getgid!()}`
  const agentGid = execFileSync('id', ['-g', AGENT_USER], { encoding: 'utf8' }).trim()
  const chown = (from: string, to: string): void =>
    void execFileSync('chown', ['-R', '-h', '-P', `--from=${from}`, to, dir])
  chown(self, AGENT_USER)
  chown(AGENT_USER, self)
  chown(`:${agentGid}`, `:${group}`)
}

async function isolated(
  dir: string,
  writes: boolean,
  disposableMachine = false
): Promise<{ agent: AgentIsolation; ms: number }> {
  const agent = await isolateAgent({
    isolation: 'agent-user',
    executable: '/bin/sh',
    pathDirs: [],
    codexHome: tempDir('isolation-codex-home'),
    workingDirectory: dir,
    writes,
    disposableMachine,
    tempDir: tempDir('isolation-runner-temp'),
    warn: () => undefined
  })
  if (!agent) throw new Error('no agent user')
  const started = performance.now()
  await agent.lend()
  await agent.giveBack()
  return { agent, ms: performance.now() - started }
}

/** Entries of `dir` whose ctime is newer than `since`'s mtime: what a lending wrote. */
function rewritten(dir: string, since: string): number {
  return execFileSync('find', [dir, '-cnewer', since], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    .split('\n')
    .filter(Boolean).length
}

/**
 * Issue 33: what isolating the agent costs a turn against the checkout's size, as main did it
 * (chown -R there and back) and now (read-only: nothing; writing: an id-mapped mount where the
 * runner allows it, else chown), and what it costs the next `git status`.
 */
export async function isolationCost(options: Options): Promise<SectionResult> {
  const title = 'Isolation against checkout size (issue 33)'
  const rows: Row[] = []
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    return {
      title,
      rows: [{ item: 'isolation', measure: 'lend + give back', note: 'needs Linux and root: not measured' }],
      explanation: 'Isolation needs Linux and root (or passwordless sudo); this run had neither.'
    }
  }
  let lendings = ''
  for (const entries of options.isolationEntries) {
    process.stderr.write(`  isolation: ${entries} entries\n`)
    const dir = makeCheckout(entries)
    const withGit = entries <= 100_000
    if (withGit) commitAll(dir)
    const repeats = entries >= 1_000_000 ? 1 : 3
    const stamp = path.join(os.tmpdir(), `isolation-stamp-${process.pid}`)
    const series = async (
      label: string,
      run: () => Promise<number> | number
    ): Promise<{ ms: number; written: number; status?: number }> => {
      const times: number[] = []
      let written = 0
      let status: number | undefined
      for (let index = 0; index < repeats; index++) {
        writeFileSync(stamp, '')
        times.push(await run())
        written = rewritten(dir, stamp)
        if (withGit) status = gitStatusMs(dir)
      }
      const result = { ms: median(times), written, status }
      rows.push({
        item: `${entries.toLocaleString('en-US')} entries`,
        measure: label,
        median: ms(result.ms),
        note:
          `${written.toLocaleString('en-US')} entries rewritten` +
          (status === undefined ? '' : `; next git status ${ms(status)}`) +
          `; n=${repeats}`
      })
      return result
    }
    await series('before: chown -R ×3 (main)', () => {
      const started = performance.now()
      chownPasses(dir)
      return performance.now() - started
    })
    await series('after: read-only turn', async () => (await isolated(dir, false)).ms)
    let lending = ''
    await series('after: writing turn', async () => {
      const { agent, ms: took } = await isolated(dir, true)
      lending = agent.lending ?? ''
      return took
    })
    rows.at(-1)!.measure += ` (${lending}, self-hosted)`
    if (lending === 'idmap')
      await series('after: writing turn (idmap, GitHub-hosted)', async () => (await isolated(dir, true, true)).ms)
    lendings = lending
    rmSync(stamp, { force: true })
    rmSync(dir, { recursive: true, force: true })
  }
  return {
    title,
    rows,
    explanation:
      'Each row is one lend and give-back around an empty turn (no codex), over a checkout of folders of ' +
      '1,000 empty files. "before" is what main did: `chown -R` to the agent and two passes back; every ' +
      'entry is rewritten, so the next `git status` re-reads every file. A read-only turn now lends the ' +
      "checkout nothing (the agent reads it through the modes that let others read, git trusts it through GIT_CONFIG_* in codex's environment). " +
      `A writing turn here was lent by ${lendings === 'idmap' ? 'an id-mapped bind mount in a mount namespace of codex’s own (on a self-hosted runner one stat pass is left: the search for setuid/setgid bits the agent set, which on a GitHub-hosted runner, a machine of the job’s alone, protects no one)' : 'chown, as this machine has no mount that id-maps (util-linux 2.39+)'}. ` +
      '"entries rewritten": entries whose ctime changed; "next git status": the first status after the give-back.'
  }
}
