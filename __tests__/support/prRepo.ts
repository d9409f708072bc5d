import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pullRequestEvent } from './github/events.js'
import { pullFile, type GitHubServer } from './githubServer.js'
import { tempRepo } from './tempDirs.js'

/**
 * A checkout with a real PR history — a base commit on main and commits on a feature branch — that
 * registers the PR's files (with the patches git computes) on the GitHub test server, so a review
 * can be checked against the same diff the agent sees.
 */
export class PrRepo {
  readonly dir: string
  readonly base: string

  constructor(files: Record<string, string>) {
    this.dir = tempRepo(files)
    this.base = this.git('rev-parse', 'HEAD')
    this.git('checkout', '-q', '-b', 'feature')
  }

  get head(): string {
    return this.git('rev-parse', 'HEAD')
  }

  /** Commits `files` on the branch; returns the new head. */
  commit(files: Record<string, string>, message = 'change'): string {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(this.dir, name)), { recursive: true })
      writeFileSync(path.join(this.dir, name), text)
    }
    this.git('add', '.')
    this.git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', message)
    return this.head
  }

  /** Rewrites the branch from the base with `files`, as a force-push does: the old commits leave its history. */
  forcePush(files: Record<string, string>): string {
    this.git('reset', '-q', '--hard', this.base)
    return this.commit(files, 'rewritten')
  }

  /** Tells the test server the PR's head, base and files as they are now. */
  publish(github: GitHubServer, pr: number): void {
    github.setPull(pr, { head: { sha: this.head, ref: 'feature' }, base: { sha: this.base, ref: 'main' } })
    // -z: a path with a line break or a quote in it as it is, not C-quoted
    const names = this.git('diff', '--name-only', '-z', `${this.base}...HEAD`).split('\0').filter(Boolean)
    github.setPullFiles(
      pr,
      names.map((name) => {
        const diff = this.git('diff', `${this.base}...HEAD`, '--', name)
        return pullFile(name, { patch: diff.slice(diff.indexOf('@@')) })
      })
    )
  }

  /** A pull_request event for the PR at its current head. */
  payload(pr: number): Record<string, unknown> {
    return pullRequestEvent({
      number: pr,
      base: { ref: 'main', sha: this.base },
      head: { ref: 'feature', sha: this.head }
    })
  }

  private git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8' }).trim()
  }
}
