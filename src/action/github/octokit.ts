import { getOctokit } from '@actions/github'
import { paginateGraphQL, type paginateGraphQLInterface } from '@octokit/plugin-paginate-graphql'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck/light.js'

export type Octokit = ReturnType<typeof getOctokit> & paginateGraphQLInterface

interface OctokitOptions {
  token: string
  apiUrl: string
  /** Where rate-limit notices go. */
  warn: (message: string) => void
  /** The least time between the launches of two mutative requests; MUTATION_SPACING_MS unless a test says. */
  mutationSpacingMs?: number
}

/**
 * GitHub's guidance against secondary rate limits ("Best practices for using the REST API"): requests
 * serially, and at least one second between mutative ones (POST, PATCH, PUT, DELETE). It also caps
 * content-creating requests at 80 a minute, which one a second keeps under.
 */
export const MUTATION_SPACING_MS = 1000

/**
 * Bottleneck (under octokit's retry and throttling plugins, and the mutation spacing below) yields to
 * the event loop between the steps of each job with `setTimeout(0)`, which Node stretches to 1 ms:
 * ~5 ms a limiter, 15–20 ms a request through the three every request passes (SGrondin/bottleneck#144;
 * bottleneck is unmaintained since 2019). `setImmediate` yields just as well, unstretched; a wait it
 * is asked for (t > 0) still goes through the timer.
 */
let unstretched = false
function unstretchBottleneckYields(): void {
  if (unstretched) return
  unstretched = true
  const store = Object.getPrototypeOf((new Bottleneck() as unknown as { _store: object })._store) as {
    yieldLoop: (this: unknown, t?: number) => Promise<void>
  }
  const timed = store.yieldLoop
  store.yieldLoop = function (t = 0) {
    return t > 0 ? timed.call(this, t) : new Promise<void>((resolve) => setImmediate(resolve))
  }
}

/**
 * The one way the action reaches GitHub: octokit's own retry (5xx, network), throttling (429,
 * secondary rate limits) and GraphQL pagination plugins, so no call site carries a loop of its own.
 *
 * How fast each kind of call goes, after GitHub's guidance rather than the throttling plugin's own
 * defaults (every write and every GraphQL document, queries included, 1 s apart; writes that notify,
 * comments and reviews, 3 s apart):
 * - mutative requests (REST POST/PATCH/PUT/DELETE, GraphQL mutations) one at a time, launched at
 *   least MUTATION_SPACING_MS apart, as the guidance asks;
 * - GraphQL queries are reads (1 point each against the secondary limit, as a REST GET): no wait;
 * - REST reads: the plugin's global bucket, unchanged.
 * The plugin still retries on 429 and secondary rate limits after GitHub's retry-after.
 */
export function createOctokit(options: OctokitOptions): Octokit {
  unstretchBottleneckYields()
  const onLimit =
    (kind: string) =>
    (after: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      options.warn(`GitHub ${kind} on ${request.method} ${request.url}: retrying in ${after}s`)
      return retryCount < 3
    }
  // the plugin's write and notifications buckets only make a write wait its turn (they run a no-op
  // job): given buckets with no turn to wait, since the mutations limiter below spaces what needs
  // spacing, and it can tell a GraphQL query from a mutation, which the plugin cannot
  const unqueued = { key: () => ({ schedule: () => Promise.resolve() }) } as unknown as Bottleneck.Group
  // getOctokit types only the plugins it applies itself
  const octokit = getOctokit(
    options.token,
    {
      baseUrl: options.apiUrl,
      throttle: {
        onRateLimit: onLimit('rate limit'),
        onSecondaryRateLimit: onLimit('secondary rate limit'),
        write: unqueued,
        notifications: unqueued
      }
    },
    retry,
    throttling,
    paginateGraphQL
  ) as Octokit
  const mutations = new Bottleneck({ maxConcurrent: 1, minTime: options.mutationSpacingMs ?? MUTATION_SPACING_MS })
  octokit.hook.wrap('request', (request, endpoint) =>
    isMutative(endpoint) ? mutations.schedule(async () => request(endpoint)) : request(endpoint)
  )
  return octokit
}

/** Whether a request changes something on GitHub: a REST write, or a GraphQL document that is a mutation. */
function isMutative(endpoint: { method?: string; url?: string; query?: unknown }): boolean {
  const method = (endpoint.method ?? 'GET').toUpperCase()
  if (method === 'GET' || method === 'HEAD') return false
  if (!/\/graphql$/.test(endpoint.url ?? '')) return true
  return typeof endpoint.query === 'string' && /^\s*mutation\b/.test(endpoint.query)
}

/** The HTTP status of a failed request, when it got an answer. */
export function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status
  return typeof status === 'number' ? status : undefined
}
