import { minimatch } from 'minimatch'
import { execFileAsync } from '../../../shared/exec.js'
import type { Settings } from '../../settings/settings.js'

/** Lockfiles of the common package managers: ignored by default, at any depth. */
export const LOCKFILES = [
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lock',
  'bun.lockb',
  'deno.lock',
  'Cargo.lock',
  'Gemfile.lock',
  'poetry.lock',
  'Pipfile.lock',
  'uv.lock',
  'pdm.lock',
  'composer.lock',
  'go.sum',
  'flake.lock',
  'Podfile.lock',
  'pubspec.lock',
  'mix.lock',
  'packages.lock.json',
  'gradle.lockfile'
] as const

/** The linguist attributes that mark a file as not the team's own code. */
const SKIPPED_ATTRIBUTES = ['linguist-generated', 'linguist-vendored']

/** The files a review leaves out: as globs relative to the repository root, one set for git and for findings. */
export interface IgnoreRules {
  globs: string[]
  /** Whether `path` (relative to the repository root) is left out. */
  ignores: (path: string) => boolean
  /** git pathspecs leaving the ignored ones of `paths` out of a diff, each quoted as one shell word. */
  excludes: (paths: readonly string[]) => string[]
}

/**
 * The ignore-paths globs, and by default the lockfiles and the files the base commit's root
 * .gitattributes marks linguist-generated or linguist-vendored. The base's, never the PR's: the PR
 * author could otherwise hide any file from the review.
 */
export async function readIgnoreRules(
  ignorePaths: Settings['ignorePaths'],
  baseSha: string | undefined,
  workingDirectory: string
): Promise<IgnoreRules> {
  const globs = [...ignorePaths.globs]
  if (ignorePaths.defaults) {
    globs.push(...LOCKFILES.map((name) => `**/${name}`))
    if (baseSha) globs.push(...skippedByAttributes(await baseAttributes(baseSha, workingDirectory)))
  }
  const matchers = globs.map((glob) => ({ glob, matcher: new minimatch.Minimatch(glob, { dot: true }) }))
  return {
    globs,
    ignores: (path) => matchers.some(({ matcher }) => matcher.match(path)),
    // only the globs that match a changed file, so the command stays short
    excludes: (paths) =>
      matchers
        .filter(({ matcher }) => paths.some((path) => matcher.match(path)))
        .map(({ glob }) => `':(top,exclude,glob)${glob}'`)
  }
}

async function baseAttributes(baseSha: string, cwd: string): Promise<string> {
  try {
    return (await execFileAsync('git', ['show', `${baseSha}:.gitattributes`], { cwd })).stdout
  } catch {
    // no .gitattributes in the base commit (or the commit is not fetched): nothing marked
    return ''
  }
}

/**
 * The patterns of .gitattributes lines that set linguist-generated or linguist-vendored, as globs
 * from the repository root: a pattern without a slash matches at any depth, as git reads it.
 * Patterns that could not be one quoted shell word are skipped.
 */
export function skippedByAttributes(text: string): string[] {
  const globs: string[] = []
  for (const line of text.split('\n')) {
    const [pattern, ...attributes] = line.trim().split(/\s+/)
    if (!pattern || pattern.startsWith('#') || pattern.startsWith('"') || /['$`\\]/.test(pattern)) continue
    const marked = attributes.some((attribute) => {
      const [name, value] = attribute.split('=')
      return SKIPPED_ATTRIBUTES.includes(name ?? '') && (value === undefined || value === 'true')
    })
    if (!marked) continue
    globs.push(pattern.includes('/') ? pattern.replace(/^\//, '') : `**/${pattern}`)
  }
  return globs
}
