import type { Octokit } from './octokit.js'

/** A pull request's head and base as the fix command needs them: which repository and branch a commit would go to. */
export interface PullHead {
  headRef: string
  headSha: string
  /** owner/name of the repository the head branch lives in. */
  headRepository: string
  baseRef: string
  /** The repository's default branch, which a fix never commits to. */
  defaultBranch: string
  /** The head branch lives in another repository than the PR: this workflow's token cannot write to it. */
  fork: boolean
}

export async function readPullHead(octokit: Octokit, owner: string, repo: string, number: number): Promise<PullHead> {
  const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: number })
  const headRepository = data.head.repo?.full_name ?? ''
  return {
    headRef: data.head.ref,
    headSha: data.head.sha,
    headRepository,
    baseRef: data.base.ref,
    defaultBranch: data.base.repo.default_branch,
    // a deleted fork's branch has no repository: nothing can be committed to it either
    fork: headRepository.toLowerCase() !== `${owner}/${repo}`.toLowerCase()
  }
}

/** A file's new contents, or its deletion, relative to the repository's root. */
export type FileChange = { path: string; contents: Buffer } | { path: string; deleted: true }

export interface BranchCommit {
  /** owner/name */
  repository: string
  branch: string
  /** The commit the branch must still point to: GitHub refuses the commit when it has moved. */
  expectedHeadOid: string
  headline: string
  body: string
  changes: readonly FileChange[]
}

export interface CreatedCommit {
  oid: string
  url: string
}

/** Why GitHub refused a commit, as the fix command explains it. */
export type CommitRefusal =
  | { cause: 'moved'; headOid?: string; message: string }
  | { cause: 'forbidden'; message: string }
  | { cause: 'workflow'; message: string }
  | { cause: 'refused'; message: string }

export class CommitRefusedError extends Error {
  constructor(readonly refusal: CommitRefusal) {
    super(refusal.message)
  }
}

const MUTATION = `mutation($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid url } }
}`

const HEAD_QUERY = `query($owner: String!, $name: String!, $ref: String!) {
  repository(owner: $owner, name: $name) { ref(qualifiedName: $ref) { target { oid } } }
}`

/**
 * One commit on `branch` through GraphQL's createCommitOnBranch: GitHub writes and signs it, and
 * takes it only while the branch still points to `expectedHeadOid`, so a push that came meanwhile is
 * never overwritten. Refusals throw CommitRefusedError with their cause.
 */
export async function commitOnBranch(octokit: Octokit, commit: BranchCommit): Promise<CreatedCommit> {
  const input = {
    branch: { repositoryNameWithOwner: commit.repository, branchName: commit.branch },
    expectedHeadOid: commit.expectedHeadOid,
    message: { headline: commit.headline, body: commit.body },
    fileChanges: {
      additions: commit.changes.flatMap((change) =>
        'contents' in change ? [{ path: change.path, contents: change.contents.toString('base64') }] : []
      ),
      deletions: commit.changes.flatMap((change) => ('deleted' in change ? [{ path: change.path }] : []))
    }
  }
  try {
    const answer = await octokit.graphql<{ createCommitOnBranch: { commit: CreatedCommit | null } }>(MUTATION, {
      input
    })
    const created = answer.createCommitOnBranch.commit
    if (!created) throw new CommitRefusedError({ cause: 'refused', message: 'GitHub created no commit' })
    return created
  } catch (error) {
    if (error instanceof CommitRefusedError) throw error
    throw new CommitRefusedError(await refusalOf(octokit, commit, error))
  }
}

/**
 * What a refusal means. The branch is read again rather than the message parsed: a branch that no
 * longer points to the expected commit is the race, whatever words GitHub chose for it.
 */
async function refusalOf(octokit: Octokit, commit: BranchCommit, error: unknown): Promise<CommitRefusal> {
  const message = (error as Error).message
  const types = ((error as { errors?: Array<{ type?: string }> }).errors ?? []).map((entry) => entry.type)
  const [owner = '', name = ''] = commit.repository.split('/')
  const headOid = await octokit
    .graphql<{ repository: { ref: { target: { oid: string } } | null } | null }>(HEAD_QUERY, {
      owner,
      name,
      ref: `refs/heads/${commit.branch}`
    })
    .then(
      (answer) => answer.repository?.ref?.target.oid,
      () => undefined
    )
  if (headOid !== undefined && headOid !== commit.expectedHeadOid) return { cause: 'moved', headOid, message }
  if (/workflow/i.test(message) && commit.changes.some((change) => isWorkflowPath(change.path)))
    return { cause: 'workflow', message }
  if (types.includes('FORBIDDEN') || /not accessible|permission|forbidden/i.test(message))
    return { cause: 'forbidden', message }
  return { cause: 'refused', message }
}

/** GitHub lets a GitHub App's token (GITHUB_TOKEN among them) change these only with the workflows permission. */
export function isWorkflowPath(file: string): boolean {
  return file.startsWith('.github/workflows/')
}
