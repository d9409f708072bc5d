import { getOctokit } from '@actions/github'
import { paginateGraphQL, type paginateGraphQLInterface } from '@octokit/plugin-paginate-graphql'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'

export type Octokit = ReturnType<typeof getOctokit> & paginateGraphQLInterface

interface OctokitOptions {
  token: string
  apiUrl: string
  /** Where rate-limit notices go. */
  warn: (message: string) => void
}

/**
 * The one way the action reaches GitHub: octokit's own retry (5xx, network), throttling (429,
 * secondary rate limits) and GraphQL pagination plugins, so no call site carries a loop of its own.
 */
export function createOctokit(options: OctokitOptions): Octokit {
  const onLimit =
    (kind: string) =>
    (after: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      options.warn(`GitHub ${kind} on ${request.method} ${request.url}: retrying in ${after}s`)
      return retryCount < 3
    }
  // getOctokit types only the plugins it applies itself
  return getOctokit(
    options.token,
    {
      baseUrl: options.apiUrl,
      throttle: { onRateLimit: onLimit('rate limit'), onSecondaryRateLimit: onLimit('secondary rate limit') }
    },
    retry,
    throttling,
    paginateGraphQL
  ) as Octokit
}

/** The HTTP status of a failed request, when it got an answer. */
export function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status
  return typeof status === 'number' ? status : undefined
}
