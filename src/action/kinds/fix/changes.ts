import { lstat, readFile, realpath } from 'node:fs/promises'
import path from 'node:path'
import { execFileAsync } from '../../../shared/exec.js'
import { isWorkflowPath, type FileChange } from '../../github/commitOnBranch.js'

/** The largest file a fix commits (createCommitOnBranch carries each file base64-encoded in one request). */
export const MAX_FILE_BYTES = 1024 * 1024
/** The most a fix commits in all. */
export const MAX_COMMIT_BYTES = 4 * 1024 * 1024

/** What the agent changed in the checkout since `start`, and what of it cannot be committed. */
export interface WorkingChanges {
  changes: FileChange[]
  /** Changes a fix never commits, each with why; any of them stops the commit. */
  refused: Array<{ path: string; why: string }>
  /** Files the agent created on ignored paths: never part of a fix. */
  ignored: string[]
  /** Every change as a git patch (binary files included), for a reply or the job summary. */
  patch: string
}

/*
 * git runs in a checkout the agent wrote to: its sandbox keeps .git read-only, and git is told to
 * start no helper (fsmonitor, external diff, textconv) the working tree's attributes could name.
 */
const SAFE_GIT = ['-c', 'core.fsmonitor=false', '-c', 'core.hooksPath=/dev/null', '-c', 'diff.external=']

export async function git(root: string, args: readonly string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', [...SAFE_GIT, ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024
  })
  return stdout
}

/** The checkout's root and the commit it is at, before the turn. */
export async function checkoutOf(workingDirectory: string): Promise<{ root: string; head: string; dirty: string[] }> {
  const root = (await git(workingDirectory, ['rev-parse', '--show-toplevel'])).trim()
  const head = (await git(root, ['rev-parse', 'HEAD'])).trim()
  return { root, head, dirty: (await statusOf(root)).map((entry) => entry.path) }
}

interface StatusEntry {
  code: string
  path: string
}

async function statusOf(root: string, ignored = false): Promise<StatusEntry[]> {
  const args = ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames']
  const text = await git(root, ignored ? [...args, '--ignored=matching'] : args)
  return text
    .split('\0')
    .filter(Boolean)
    .map((entry) => ({ code: entry.slice(0, 2), path: entry.slice(3) }))
}

/**
 * Exactly what the agent changed in the working tree against `start` (the commit it began from):
 * every path git reports changed, its new contents or its deletion. Symbolic links, submodules,
 * changed file modes, files over MAX_FILE_BYTES and workflow files are refused: createCommitOnBranch
 * writes regular files only, and GITHUB_TOKEN may not change workflows.
 */
export async function collectChanges(root: string, start: string): Promise<WorkingChanges> {
  const head = (await git(root, ['rev-parse', 'HEAD'])).trim()
  const entries = await statusOf(root, true)
  const result: WorkingChanges = { changes: [], refused: [], ignored: [], patch: '' }
  if (head !== start)
    result.refused.push({
      path: '.',
      why: `HEAD moved from ${start.slice(0, 12)} to ${head.slice(0, 12)} during the turn`
    })
  const tracked = entries.filter((entry) => entry.code !== '??' && entry.code !== '!!').map((entry) => entry.path)
  const modes = await modesAt(root, start, tracked)
  const realRoot = await realpath(root)
  const tooBig: string[] = []
  let total = 0
  for (const entry of entries) {
    if (entry.code === '!!') {
      result.ignored.push(entry.path)
      continue
    }
    const refuse = (why: string): void => void result.refused.push({ path: entry.path, why })
    // git's bytes that are not UTF-8 read as U+FFFD: that name is no file, and would be taken for deleted
    if (entry.path.includes('\ufffd')) {
      refuse('a name that is not UTF-8, which a commit through the API cannot hold')
      continue
    }
    const file = path.join(root, entry.path)
    // a folder the agent replaced with a link (on an ignored path, git says nothing of it) would
    // make the file below read from wherever the link points
    const folder = await realpath(path.dirname(file)).catch(() => undefined)
    if (folder !== undefined && folder !== path.join(realRoot, path.dirname(entry.path))) {
      refuse('inside a folder that is a symbolic link, which a commit through the API cannot hold')
      continue
    }
    const stat = await lstat(file).catch(() => undefined)
    if (isWorkflowPath(entry.path))
      refuse(
        'a workflow file, which GitHub lets neither the workflow token nor an app without the workflows permission change'
      )
    if (!stat) {
      result.changes.push({ path: entry.path, deleted: true })
      continue
    }
    if (stat.isSymbolicLink()) refuse('a symbolic link, which a commit through the API cannot hold')
    else if (!stat.isFile()) refuse('not a regular file (a submodule or a folder)')
    else if (stat.size > MAX_FILE_BYTES) {
      refuse(`${stat.size} bytes, over the ${MAX_FILE_BYTES} a fix commits (left out of the patch too)`)
      tooBig.push(entry.path)
    } else {
      const executable = (stat.mode & 0o111) !== 0
      const before = modes.get(entry.path)
      if ((before === '100755') !== executable && (before !== undefined || executable))
        refuse('its executable bit changed, which a commit through the API cannot carry')
      total += stat.size
      // past the total nothing is committed: the files are not read (the patch still shows them)
      if (total <= MAX_COMMIT_BYTES) result.changes.push({ path: entry.path, contents: await readFile(file) })
    }
  }
  if (total > MAX_COMMIT_BYTES)
    result.refused.push({ path: '.', why: `${total} bytes changed in all, over the ${MAX_COMMIT_BYTES} a fix commits` })
  result.patch = await patchOf(root, start, entries, tooBig)
  return result
}

/** The file modes of `paths` at `commit` (absent for paths it does not have). */
async function modesAt(root: string, commit: string, paths: string[]): Promise<Map<string, string>> {
  if (!paths.length) return new Map()
  const text = await git(root, ['ls-tree', '-z', commit, '--', ...paths])
  return new Map(
    text
      .split('\0')
      .filter(Boolean)
      .map((line) => [line.slice(line.indexOf('\t') + 1), line.split(' ')[0]!] as const)
  )
}

/**
 * The tracked changes against `start` and each new file, as one patch `git apply` takes; the files
 * in `tooBig` left out (refused, and named with their size), so that the patch is read whole.
 */
async function patchOf(root: string, start: string, entries: StatusEntry[], tooBig: string[]): Promise<string> {
  const diff = ['diff', '--no-ext-diff', '--no-textconv', '--binary', '--no-renames']
  const parts = [await git(root, [...diff, start, '--', '.', ...tooBig.map((file) => `:(exclude,literal)${file}`)])]
  for (const entry of entries.filter((item) => item.code === '??' && !tooBig.includes(item.path)))
    parts.push(
      await git(root, [...diff, '--no-index', '--', '/dev/null', entry.path]).catch(
        (error: { code?: unknown; stdout?: string }) => {
          // --no-index exits 1 when the files differ, which they always do here; anything else is a failure
          if (error.code !== 1 || error.stdout === undefined) throw error
          return error.stdout
        }
      )
    )
  return parts.join('')
}
