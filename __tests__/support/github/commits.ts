import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { HTML_REPO, OWNER, REPO } from './http.js'
import type { GitRemote, Route } from './types.js'

/*
 * createCommitOnBranch over a real bare repository (ServerState.git), written with git plumbing so the
 * next clone or fetch sees the commit, and Repository.ref for reading a branch's head. As GitHub does:
 * the commit goes on only while the branch points to expectedHeadOid (the ref is compared and swapped
 * in one `update-ref`), an app token (GITHUB_TOKEN among them) may not touch .github/workflows/, a
 * token without contents: write and a protected branch are refused, and each file keeps its mode.
 */

/** An error GitHub reports with a `type`; graphql.ts renders it. */
export interface TypedFailure {
  type: string
  message: string
}

interface CommitInput {
  branch: { repositoryNameWithOwner?: string; branchName?: string; id?: string }
  expectedHeadOid: string
  message: { headline: string; body?: string }
  fileChanges?: { additions?: Array<{ path: string; contents: string }>; deletions?: Array<{ path: string }> }
}

function git(remote: GitRemote, args: string[], options: { input?: Buffer; env?: Record<string, string> } = {}) {
  return execFileSync('git', ['--git-dir', remote.bare, ...args], {
    input: options.input,
    env: { ...process.env, ...options.env },
    encoding: 'utf8'
  }).trim()
}

function branchHead(remote: GitRemote, branch: string): string | undefined {
  try {
    return git(remote, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`])
  } catch {
    return undefined
  }
}

/** The resolvers this file adds to the GraphQL root and to Repository; `fail` throws GitHub's typed error. */
export function commitResolvers(route: Route, fail: (failure: TypedFailure) => never) {
  const { state } = route
  const commitNode = (oid: string) => ({ __typename: 'Commit', oid, url: `${HTML_REPO}/commit/${oid}` })
  return {
    ref: ({ qualifiedName }: { qualifiedName: string }) => {
      const branch = qualifiedName.replace(/^refs\/heads\//, '')
      const oid = state.git && branchHead(state.git, branch)
      return oid ? { __typename: 'Ref', name: branch, prefix: 'refs/heads/', target: commitNode(oid) } : null
    },
    createCommitOnBranch: ({ input }: { input: CommitInput }) => {
      const remote = state.git
      const name = input.branch.branchName ?? ''
      if (input.branch.repositoryNameWithOwner?.toLowerCase() !== `${OWNER}/${REPO}`.toLowerCase())
        fail({
          type: 'NOT_FOUND',
          message: `Could not resolve to a Repository with the name '${input.branch.repositoryNameWithOwner}'.`
        })
      const head = remote && branchHead(remote, name)
      if (!remote || !head)
        return fail({ type: 'NOT_FOUND', message: `Could not resolve to a Ref with the name '${name}'.` })
      if (remote.contents !== 'write') fail({ type: 'FORBIDDEN', message: 'Resource not accessible by integration' })
      const additions = input.fileChanges?.additions ?? []
      const deletions = input.fileChanges?.deletions ?? []
      const workflow = [...additions, ...deletions].find((file) => file.path.startsWith('.github/workflows/'))
      if (workflow && state.token.kind !== 'user')
        fail({
          type: 'FORBIDDEN',
          message: `refusing to allow a GitHub App to create or update workflow \`${workflow.path}\` without \`workflows\` permission`
        })
      if (remote.protectedBranches.includes(name))
        fail({
          type: 'UNPROCESSABLE',
          message: 'Repository rule violations found\n\nChanges must be made through a pull request.'
        })
      if (head !== input.expectedHeadOid)
        fail({
          type: 'STALE_DATA',
          message: `Expected branch to point to "${input.expectedHeadOid}" but it did not. Pull and try again.`
        })
      const oid = writeCommit(remote, head, input, route.author)
      // the PR whose head is this branch moves with it, as GitHub's does
      for (const pull of state.pulls.values()) {
        const pullHead = pull.head as { ref?: string; sha?: string }
        if (pullHead.ref === name) pullHead.sha = oid
      }
      return {
        clientMutationId: null,
        commit: commitNode(oid),
        ref: { __typename: 'Ref', name, prefix: 'refs/heads/' }
      }
    }
  }
}

/** The commit on top of `head`, through a temporary index; the ref moves only if it is still `head`. */
function writeCommit(remote: GitRemote, head: string, input: CommitInput, author: string): string {
  const scratch = mkdtempSync(path.join(tmpdir(), 'github-commit-'))
  const env = {
    GIT_INDEX_FILE: path.join(scratch, 'index'),
    GIT_AUTHOR_NAME: author,
    GIT_AUTHOR_EMAIL: `${author.replace(/\[bot\]$/, '')}@users.noreply.github.com`,
    GIT_COMMITTER_NAME: 'GitHub',
    GIT_COMMITTER_EMAIL: 'noreply@github.com'
  }
  try {
    git(remote, ['read-tree', head], { env })
    for (const file of input.fileChanges?.additions ?? []) {
      const blob = git(remote, ['hash-object', '-w', '--stdin'], { input: Buffer.from(file.contents, 'base64'), env })
      const mode = git(remote, ['ls-tree', head, '--', file.path]).split(' ')[0] || '100644'
      git(remote, ['update-index', '--add', '--cacheinfo', `${mode},${blob},${file.path}`], { env })
    }
    for (const file of input.fileChanges?.deletions ?? [])
      git(remote, ['update-index', '--force-remove', '--', file.path], { env })
    const tree = git(remote, ['write-tree'], { env })
    const message = input.message.body ? `${input.message.headline}\n\n${input.message.body}` : input.message.headline
    const oid = git(remote, ['commit-tree', tree, '-p', head, '-F', '-'], { input: Buffer.from(message), env })
    git(remote, ['update-ref', `refs/heads/${input.branch.branchName}`, oid, head])
    return oid
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
