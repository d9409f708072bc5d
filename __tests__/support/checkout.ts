import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pullRequestEvent } from './github/events.js'
import { pullFile, type GitHubServer } from './githubServer.js'
import { tempDir, tempRepo } from './tempDirs.js'

const author = ['-c', 'user.name=t', '-c', 'user.email=t@example.com']

function gitIn(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim()
}

/**
 * A pull request's repository as GitHub holds it: `main`, the PR's branch `feature`, and the refs
 * GitHub keeps for PR `number` (refs/pull/N/head, and refs/pull/N/merge: the head merged into the
 * base tip). Like GitHub it serves any commit it holds by its SHA, so a shallow checkout can fetch
 * one. `checkout` clones it as actions/checkout does.
 */
export class PullRequestOrigin {
  readonly dir: string

  constructor(
    readonly number: number,
    files: Record<string, string>
  ) {
    this.dir = tempRepo(files)
    this.git('config', 'uploadpack.allowAnySHA1InWant', 'true')
    this.git('branch', 'feature')
  }

  sha(ref: string): string {
    return this.git('rev-parse', ref)
  }

  get base(): string {
    return this.sha('main')
  }

  get head(): string {
    return this.sha('feature')
  }

  /** Commits `files` on `branch`; returns the new tip. */
  commit(branch: 'main' | 'feature', files: Record<string, string>, message = 'change'): string {
    this.git('checkout', '-q', branch)
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(this.dir, name)), { recursive: true })
      writeFileSync(path.join(this.dir, name), text)
    }
    this.git('add', '.')
    this.git(...author, 'commit', '-q', '-m', message)
    return this.sha('HEAD')
  }

  /** GitHub's "Update branch": main merged into the PR's branch. */
  updateBranch(): string {
    this.git('checkout', '-q', 'feature')
    this.git(...author, 'merge', '-q', '--no-edit', 'main')
    return this.head
  }

  /** The PR's branch rebased onto main and force-pushed. */
  rebase(): string {
    this.git('checkout', '-q', 'feature')
    this.git(...author, 'rebase', '-q', 'main')
    return this.head
  }

  /** Drops what no ref reaches any more, as GitHub eventually does with force-pushed commits. */
  collectGarbage(): void {
    this.git('reflog', 'expire', '--expire=now', '--all')
    this.git('gc', '-q', '--prune=now')
  }

  /**
   * Publishes the PR as GitHub would after a push: its refs, and on the test server its head, base
   * and files with the patches git computes; `state` closes it.
   */
  publish(github: GitHubServer, spec: { state?: 'open' | 'closed'; merged?: boolean } = {}): void {
    const { base, head, number } = this
    const merge = this.git('merge-tree', '--write-tree', base, head).split('\n')[0]!
    const mergeCommit = this.git(
      ...author,
      'commit-tree',
      merge,
      '-p',
      base,
      '-p',
      head,
      '-m',
      `Merge ${head} into ${base}`
    )
    this.git('update-ref', `refs/pull/${number}/head`, head)
    this.git('update-ref', `refs/pull/${number}/merge`, mergeCommit)
    github.setPull(number, { head: { sha: head, ref: 'feature' }, base: { sha: base, ref: 'main' }, ...spec })
    const names = this.git('diff', '--name-only', '-z', `${base}...${head}`).split('\0').filter(Boolean)
    github.setPullFiles(
      number,
      names.map((name) => {
        const diff = this.git('diff', `${base}...${head}`, '--', name)
        return pullFile(name, { patch: diff.slice(diff.indexOf('@@')) })
      })
    )
  }

  /** The merge commit GitHub made for the PR's current head (the event's GITHUB_SHA). */
  get mergeRef(): string {
    return this.sha(`refs/pull/${this.number}/merge`)
  }

  /** A pull_request event for the PR at its current head and base (or the ones given). */
  payload(at: { head?: string; base?: string } = {}): Record<string, unknown> {
    return pullRequestEvent({
      number: this.number,
      base: { ref: 'main', sha: at.base ?? this.base },
      head: { ref: 'feature', sha: at.head ?? this.head }
    })
  }

  /**
   * A new workspace checked out as actions/checkout does it: `ref` is the merge ref (its default on
   * pull_request), the head, or main; `depth` its fetch-depth (0: all branches' whole history).
   */
  checkout(options: { ref?: 'merge' | 'head' | 'main'; depth: number }): string {
    const { number } = this
    const dir = tempDir('checkout')
    const git = (...args: string[]) => gitIn(dir, ...args)
    git('init', '-q')
    git('remote', 'add', 'origin', `file://${this.dir}`)
    const ref = options.ref ?? 'merge'
    const sha = ref === 'merge' ? this.mergeRef : ref === 'head' ? this.head : this.base
    const target = ref === 'merge' ? `refs/remotes/pull/${number}/merge` : `refs/remotes/origin/checkout`
    const depth = options.depth > 0 ? [`--depth=${options.depth}`] : []
    if (!depth.length)
      git('fetch', '-q', '--prune', '--no-recurse-submodules', 'origin', '+refs/heads/*:refs/remotes/origin/*')
    git(
      '-c',
      'protocol.version=2',
      'fetch',
      '-q',
      '--no-tags',
      '--prune',
      '--no-recurse-submodules',
      ...depth,
      'origin',
      `+${sha}:${target}`
    )
    git('checkout', '-q', '--force', target)
    return dir
  }

  private git(...args: string[]): string {
    return gitIn(this.dir, ...args)
  }
}
