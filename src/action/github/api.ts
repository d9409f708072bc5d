import type { PullRequestInfo } from '../core/context.js'
import { createOctokit, httpStatusOf, type Octokit } from './octokit.js'
import { createPullBodyApi, type PullBodyApi } from './pullBody.js'
import { createReviewApi, type ReviewApi } from './reviews.js'

export interface IssueComment {
  id: number
  body: string
  url: string
  author: string
}

interface RepositoryPermission {
  /** admin, maintain, write, triage, read, none, or an organization's custom role. */
  role: string
  /** The base permission: admin, write, read or none (maintain counts as write, triage as read). */
  permission: string
}

/** The GitHub calls the action makes, behind an interface tests can swap. */
export interface GitHubApi extends ReviewApi, PullBodyApi {
  /**
   * The login the action's writes appear under: the author GitHub reported for one of this run's
   * writes, else GraphQL's `viewer`, which answers every kind of token (GITHUB_TOKEN, an app
   * installation token, a user token; REST's GET /user refuses installation tokens). Undefined,
   * after one warning, when neither can tell.
   */
  viewer(): Promise<string | undefined>
  listComments(issueNumber: number): Promise<IssueComment[]>
  createComment(issueNumber: number, body: string): Promise<IssueComment>
  updateComment(commentId: number, body: string): Promise<IssueComment>
  /** The user's access to the repository; undefined for a login GitHub does not know. */
  permission(login: string): Promise<RepositoryPermission | undefined>
  /** Title, base and head of a pull request, for events that carry only its number. */
  pullRequest(number: number): Promise<PullRequestInfo>
}

function createGitHubApi(octokit: Octokit, owner: string, repo: string, warn: (message: string) => void): GitHubApi {
  let asked: Promise<string | undefined> | undefined
  /** The author of this run's own writes: what GitHub shows them under, whatever `viewer` said. */
  let written: string | undefined
  const toComment = (data: {
    id: number
    body?: string | null
    html_url: string
    user: { login: string } | null
  }): IssueComment => ({
    id: data.id,
    body: data.body ?? '',
    url: data.html_url,
    author: data.user?.login ?? ''
  })
  const ownWrite = (comment: IssueComment): IssueComment => {
    written = comment.author || written
    return comment
  }
  return {
    ...createReviewApi(octokit, owner, repo),
    ...createPullBodyApi(octokit, owner, repo),
    viewer() {
      if (written) return Promise.resolve(written)
      // the identity cannot change within a run: asked once, and a failure is one warning
      asked ??= octokit.graphql<{ viewer: { login: string } }>('query { viewer { login } }').then(
        ({ viewer }) => viewer.login,
        (error: Error) => {
          warn(
            `Could not learn which login github-token writes as (GraphQL viewer: ${error.message}). The action's ` +
              'own comments are still known by their signed markers, but its comments from before signed markers ' +
              'are not found again and its answers are not told apart from others as triggers: give github-token a ' +
              "token that may query GitHub's GraphQL API (GITHUB_TOKEN, an app installation token and a personal " +
              'access token all may)'
          )
          return undefined
        }
      )
      return asked
    },
    async listComments(issueNumber) {
      const comments = await octokit.paginate(octokit.rest.issues.listComments, {
        owner,
        repo,
        issue_number: issueNumber,
        per_page: 100
      })
      return comments.map(toComment)
    },
    async createComment(issueNumber, body) {
      return ownWrite(
        toComment((await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body })).data)
      )
    },
    async updateComment(commentId, body) {
      return ownWrite(
        toComment((await octokit.rest.issues.updateComment({ owner, repo, comment_id: commentId, body })).data)
      )
    },
    async permission(login) {
      try {
        const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: login })
        return { role: data.role_name, permission: data.permission }
      } catch (error) {
        if (httpStatusOf(error) === 404) return undefined
        throw error
      }
    },
    async pullRequest(number) {
      const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: number })
      return {
        number,
        title: data.title,
        baseRef: data.base.ref,
        baseSha: data.base.sha,
        headRef: data.head.ref,
        headSha: data.head.sha,
        state: data.merged ? 'merged' : data.state === 'open' ? 'open' : 'closed'
      }
    }
  }
}

/** The run's way to GitHub: one client, for the calls above and for the thread stores. */
export interface GitHubConnection {
  octokit: Octokit
  api: GitHubApi
}

export function connectGitHub(
  token: string,
  context: { apiUrl: string; repository: { owner: string; repo: string } },
  warn: (message: string) => void,
  pace: { mutationSpacingMs?: number } = {}
): GitHubConnection | undefined {
  if (!token) return undefined
  const octokit = createOctokit({ token, apiUrl: context.apiUrl, warn, ...pace })
  return { octokit, api: createGitHubApi(octokit, context.repository.owner, context.repository.repo, warn) }
}

/**
 * Comment and dispatch events name a PR by number only: its refs come from the API, so the prompt
 * can say how to see the change. Without them the turn still runs.
 */
export async function completePullRequest(
  pr: PullRequestInfo | undefined,
  github: GitHubApi | undefined,
  warn: (message: string) => void
): Promise<PullRequestInfo | undefined> {
  if (!pr || pr.baseSha || !github) return pr
  try {
    return await github.pullRequest(pr.number)
  } catch (error) {
    warn(`Could not read pull request #${pr.number}: ${(error as Error).message}`)
    return pr
  }
}
