import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import type { PullRequestInfo } from './context.js'

export interface IssueComment {
  id: number
  body: string
  url: string
  author: string
}

export interface RepositoryPermission {
  /** admin, maintain, write, triage, read, none, or an organization's custom role. */
  role: string
  /** The base permission: admin, write, read or none (maintain counts as write, triage as read). */
  permission: string
}

/** The GitHub calls the action makes, behind an interface tests can swap. */
export interface GitHubApi {
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

export interface GitHubApiOptions {
  token: string
  apiUrl: string
  owner: string
  repo: string
  /** Where rate-limit and retry notices go. */
  warn: (message: string) => void
}

/** The login behind the workflow's GITHUB_TOKEN, which may not call GET /user. */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]'

/**
 * Octokit with octokit's own retry (5xx, network) and throttling (429, secondary rate limits)
 * plugins, so no call site carries a loop of its own.
 */
export function createGitHubApi(options: GitHubApiOptions): GitHubApi {
  const octokit = getOctokit(
    options.token,
    {
      baseUrl: options.apiUrl,
      throttle: {
        onRateLimit: (
          after: number,
          request: { method: string; url: string },
          _octokit: unknown,
          retryCount: number
        ) => {
          options.warn(`GitHub rate limit on ${request.method} ${request.url}: retrying in ${after}s`)
          return retryCount < 3
        },
        onSecondaryRateLimit: (
          after: number,
          request: { method: string; url: string },
          _octokit: unknown,
          retryCount: number
        ) => {
          options.warn(`GitHub secondary rate limit on ${request.method} ${request.url}: retrying in ${after}s`)
          return retryCount < 3
        }
      }
    },
    retry,
    throttling
  )
  const { owner, repo } = options
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
    async viewer() {
      try {
        return (await octokit.rest.users.getAuthenticated()).data.login
      } catch (error) {
        // Installation tokens (GITHUB_TOKEN, app tokens) may not read /user.
        return (error as { status?: number }).status === 403 ? ACTIONS_BOT_LOGIN : undefined
      }
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
        if ((error as { status?: number }).status === 404) return undefined
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
