import { execFileSync } from 'node:child_process'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { takeViolations } from './github/contract.js'
import { OWNER, REPO, startGitHubServer, type GitHubServer } from './githubServer.js'
import { tempDir, tempRepo } from './tempDirs.js'

const PR = 3
let server: GitHubServer
let bare: string
let base: string

const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', ['--git-dir', dir, ...args], { encoding: 'utf8' }).trim()

const MUTATION = `mutation($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid url } }
}`

interface Answer {
  data?: { createCommitOnBranch: { commit: { oid: string; url: string } } | null }
  errors?: Array<{ type?: string; message: string }>
}

async function commit(input: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'token ghs_test' },
    body: JSON.stringify({ query: MUTATION, variables: { input } })
  })
  return (await response.json()) as Answer
}

const input = (files: Record<string, string>, expectedHeadOid = base) => ({
  branch: { repositoryNameWithOwner: `${OWNER}/${REPO}`, branchName: 'feature' },
  expectedHeadOid,
  message: { headline: 'Fix it', body: 'Because.' },
  fileChanges: {
    additions: Object.entries(files).map(([path, text]) => ({ path, contents: Buffer.from(text).toString('base64') }))
  }
})

beforeEach(async () => {
  server = await startGitHubServer()
  const work = tempRepo({ 'a.txt': 'a\n', 'run.sh': '#!/bin/sh\n' })
  execFileSync('chmod', ['+x', `${work}/run.sh`])
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qam', 'executable'], { cwd: work })
  bare = tempDir('bare')
  execFileSync('git', ['clone', '-q', '--bare', work, bare])
  base = git(bare, 'rev-parse', 'HEAD')
  git(bare, 'branch', 'feature', base)
  server.git = { bare, contents: 'write', protectedBranches: [] }
  server.setPull(PR, { head: { ref: 'feature', sha: base } })
})

afterEach(async () => {
  await server.close()
})

describe('createCommitOnBranch on the test server', () => {
  it('writes one commit on the branch of the bare repository, keeping file modes, and moves the PR head', async () => {
    const answer = await commit(input({ 'a.txt': 'b\n', 'run.sh': '#!/bin/sh\necho\n', 'new/b.txt': 'new\n' }))
    const oid = answer.data!.createCommitOnBranch!.commit.oid
    expect(git(bare, 'rev-parse', 'refs/heads/feature')).toBe(oid)
    expect(git(bare, 'rev-parse', `${oid}^`)).toBe(base)
    expect(git(bare, 'log', '-1', '--format=%B', oid)).toBe('Fix it\n\nBecause.')
    expect(
      git(bare, 'ls-tree', '-r', oid)
        .split('\n')
        .map((line) => line.split(/\s/)[0])
    ).toEqual(['100644', '100644', '100755'])
    expect((server.pulls.get(PR)!.head as { sha: string }).sha).toBe(oid)
  })

  it('refuses a stale expectedHeadOid, a workflow file from an app token, a read-only token and a protected branch', async () => {
    const stale = await commit(input({ 'a.txt': 'b\n' }, '0'.repeat(40)))
    expect(stale.errors?.[0]?.message).toContain('Expected branch to point to')
    const workflow = await commit(input({ '.github/workflows/ci.yml': 'on: push\n' }))
    expect(workflow.errors?.[0]).toMatchObject({
      type: 'FORBIDDEN',
      message: expect.stringContaining('`workflows` permission')
    })
    server.git!.contents = 'read'
    expect((await commit(input({ 'a.txt': 'b\n' }))).errors?.[0]?.type).toBe('FORBIDDEN')
    server.git = { bare, contents: 'write', protectedBranches: ['feature'] }
    expect((await commit(input({ 'a.txt': 'b\n' }))).errors?.[0]?.message).toContain('Repository rule violations')
    expect(git(bare, 'rev-parse', 'refs/heads/feature')).toBe(base)
    // a user's token may change workflows
    server.token = { kind: 'user', login: 'alice' }
    server.git = { bare, contents: 'write', protectedBranches: [] }
    expect((await commit(input({ '.github/workflows/ci.yml': 'on: push\n' }))).errors).toBeUndefined()
  })

  it('checks the mutation against GitHub’s schema', async () => {
    const answer = await commit({ branch: { branchName: 'feature' }, message: { headline: 'x' } })
    expect(answer.errors?.[0]?.message).toMatch(/expectedHeadOid/)
    expect(takeViolations().length).toBeGreaterThan(0)
  })
})
