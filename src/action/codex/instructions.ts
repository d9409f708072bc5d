import { lstat, readFile, readlink, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { execFileAsync } from '../../shared/exec.js'
import type { CodexConfigObject } from '../../sdk/index.js'

/** The files codex reads as instructions in each folder from the project root down to its cwd, first found wins. */
const INSTRUCTION_FILES = ['AGENTS.override.md', 'AGENTS.md']

/** One instruction file of the checkout as the PR has it: its bytes, the target of a link, or nothing. */
type Held = { kind: 'file'; bytes: Buffer; mode: number } | { kind: 'link'; target: string } | { kind: 'none' }

export interface InstructionOptions {
  workingDirectory: string
  /** The commit the PR merges into; undefined when the event does not say. */
  baseSha?: string
  /** The user's codex config overrides: `project_doc_fallback_filenames` names more instruction files. */
  config: CodexConfigObject
  log: { info(message: string): void; warning(message: string): void }
}

/** Puts the PR's instruction files back; never throws. */
export type RestoreInstructions = () => Promise<void>

/** The base branch's instruction files, read ahead of the turn: `use()` puts them in place of the PR's. */
export interface BaseInstructions {
  use(): Promise<RestoreInstructions>
}

/**
 * Reads the base branch's instruction files for the turn: codex reads AGENTS.md (and its override
 * and fallback names) from the checkout as instructions, outside the prompt's data block, and in a
 * PR checkout those are the PR author's. Only reads (git), so it runs while the session opens; the
 * PR's own files are looked at when they are swapped, by `use()`. When the base version cannot be
 * read, the PR's files are removed for the turn rather than trusted.
 */
export async function readBaseInstructions(options: InstructionOptions): Promise<BaseInstructions> {
  const { workingDirectory, baseSha, log } = options
  const { root, baseThere } = await repositoryOf(workingDirectory, baseSha)
  const base = root && baseSha && baseThere ? { root, sha: baseSha } : undefined
  const files = await instructionPaths(options, root)
  const baseVersions = base ? await Promise.all(files.map((file) => baseVersion(base.root, base.sha, file))) : []
  return {
    async use() {
      const swapped: Array<{ file: string; held: Held }> = []
      for (const [index, file] of files.entries()) {
        const held = await hold(file)
        if (!held) continue
        const baseBytes = baseVersions[index]
        if (held.kind === 'none' && !baseBytes) continue
        if (held.kind === 'file' && baseBytes && held.bytes.equals(baseBytes)) continue
        await rm(file, { force: true })
        if (baseBytes) await writeFile(file, baseBytes)
        swapped.push({ file, held })
      }
      if (!swapped.length) return async () => {}
      const names = swapped.map(({ file }) => path.relative(root ?? workingDirectory, file)).join(', ')
      if (base) log.info(`Instruction files from the base commit ${base.sha.slice(0, 12)} for this turn: ${names}`)
      else
        log.warning(
          `The base branch's instruction files cannot be read (${root ? 'the base commit is not in the checkout' : 'no git repository'}): ` +
            `the PR's ${names} are removed for this turn. Check out with fetch-depth: 2 or more, or set trust-pr-instructions`
        )
      return async () => {
        for (const { file, held } of swapped) {
          try {
            await rm(file, { force: true })
            await put(file, held)
          } catch (error) {
            log.warning(`Could not put the PR's ${file} back: ${(error as Error).message}`)
          }
        }
      }
    }
  }
}

/** Every file codex could read as instructions: the names above in each folder from the root down to the cwd. */
async function instructionPaths(options: InstructionOptions, root: string | undefined): Promise<string[]> {
  const cwd = await realpath(options.workingDirectory)
  const top = root && !path.relative(root, cwd).startsWith('..') ? root : cwd
  const folders = [top]
  for (const part of path.relative(top, cwd).split(path.sep).filter(Boolean))
    folders.push(path.join(folders.at(-1)!, part))
  const fallbacks = options.config.project_doc_fallback_filenames
  const names = [
    ...INSTRUCTION_FILES,
    ...(Array.isArray(fallbacks) ? fallbacks.filter((name): name is string => typeof name === 'string') : [])
  ]
  return folders.flatMap((folder) => names.map((name) => path.join(folder, name)))
}

/**
 * The working directory's repository root, and whether the base commit is in it, asked of one git
 * process (one less on the way to codex's start): rev-parse prints the root before it verifies the
 * commit, and fails quietly (1) when the commit is missing, loudly (128) outside a repository.
 */
async function repositoryOf(dir: string, sha: string | undefined): Promise<{ root?: string; baseThere: boolean }> {
  const asked = sha !== undefined && /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i.test(sha)
  const args = ['-C', dir, 'rev-parse', '--show-toplevel', ...(asked ? ['--verify', '-q', `${sha}^{commit}`] : [])]
  let printed: string
  let baseThere = asked
  try {
    printed = (await execFileAsync('git', args)).stdout
  } catch (error) {
    printed = (error as { stdout?: string }).stdout ?? ''
    baseThere = false
  }
  const top = printed.split('\n')[0]?.trim()
  return { root: top ? await realpath(top).catch(() => undefined) : undefined, baseThere }
}

/** The file's bytes at the base commit; undefined when the base has none there. */
async function baseVersion(root: string, sha: string, file: string): Promise<Buffer | undefined> {
  const spec = `${sha}:${path.relative(root, file).split(path.sep).join('/')}`
  try {
    const { stdout } = await execFileAsync('git', ['-C', root, 'cat-file', 'blob', spec], {
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024
    })
    return stdout
  } catch {
    return undefined
  }
}

/** The PR's version of the file; undefined for a folder of that name, which codex does not read. */
async function hold(file: string): Promise<Held | undefined> {
  const stats = await lstat(file).catch(() => undefined)
  if (!stats) return { kind: 'none' }
  if (stats.isSymbolicLink()) return { kind: 'link', target: await readlink(file) }
  return stats.isFile() ? { kind: 'file', bytes: await readFile(file), mode: stats.mode & 0o777 } : undefined
}

async function put(file: string, held: Held): Promise<void> {
  if (held.kind === 'file') await writeFile(file, held.bytes, { mode: held.mode })
  else if (held.kind === 'link') await symlink(held.target, file)
}
