import type { PullRequestInfo } from '../core/context.js'
import { createOctokit, httpStatusOf, type Octokit } from './octokit.js'
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
export interface GitHubApi extends ReviewApi {
  /** The login the token acts as; undefined when it cannot be told. */
  viewer(): Promise<string | undefined>
  listComments(issueNumber: number): Promise<IssueComment[]>
  createComment(issueNumber: number, body: string): Promise<IssueComment>
  updateComment(commentId: number, body: string): Promise<IssueComment>
  /** The user's access to the repository; undefined for a login GitHub does not know. */
  permission(login: string): Promise<RepositoryPermission | undefined>
  /** Title, base and head of a pull request, for events that carry only its number. */
  pullRequest(number: number): Promise<PullRequestInfo>
}

/** The login behind the workflow's GITHUB_TOKEN, which may not call GET /user. */
const ACTIONS_BOT_LOGIN = 'github-actions[bot]'

function createGitHubApi(octokit: Octokit, owner: string, repo: string): GitHubApi {
  let viewer: Promise<string | undefined> | undefined
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
  return {
    ...createReviewApi(octokit, owner, repo),
    viewer() {
      // the identity cannot change within a run: asked once
      viewer ??= octokit.rest.users.getAuthenticated().then(
        ({ data }) => data.login,
        // Installation tokens (GITHUB_TOKEN, app tokens) may not read /user.
        (error: unknown) => (httpStatusOf(error) === 403 ? ACTIONS_BOT_LOGIN : undefined)
      )
      return viewer
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
      return toComment((await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body })).data)
    },
    async updateComment(commentId, body) {
      return toComment((await octokit.rest.issues.updateComment({ owner, repo, comment_id: commentId, body })).data)
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
        headSha: data.head.sha
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
  warn: (message: string) => void
): GitHubConnection | undefined {
  if (!token) return undefined
  const octokit = createOctokit({ token, apiUrl: context.apiUrl, warn })
  return { octokit, api: createGitHubApi(octokit, context.repository.owner, context.repository.repo) }
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
