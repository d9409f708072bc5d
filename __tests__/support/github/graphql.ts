import { bodyOf, OWNER, REPO } from './http.js'
import type { ReviewThread, Route, StoredReviewComment } from './types.js'

/*
 * POST /graphql, for the two operations the action needs: listing a pull request's review threads and
 * resolving one. This is no GraphQL server: it recognises the operation by `reviewThreads` or
 * `resolveReviewThread` in the query text, reads arguments from `variables` (or a literal in the query),
 * and answers with every field the action could ask for, whatever the selection. GitHub answers GraphQL
 * errors with HTTP 200 and an `errors` list, which is what octokit's graphql client turns into an exception.
 */

interface GraphQLError {
  type: string
  message: string
  path: string[]
  locations?: Array<{ line: number; column: number }>
  extensions?: Record<string, unknown>
}

/** A variable by any of the names a query may give it, else a literal `name: value` in the query text. */
function argument(query: string, variables: Record<string, unknown>, names: string[]): unknown {
  for (const name of names) if (variables[name] !== undefined) return variables[name]
  const input = variables.input as Record<string, unknown> | undefined
  for (const name of names) if (input?.[name] !== undefined) return input[name]
  for (const name of names) {
    const literal = new RegExp(`\\b${name}\\s*:\\s*(?:"([^"]*)"|(\\d+))`).exec(query)
    if (literal) return literal[1] ?? Number(literal[2])
  }
  return undefined
}

/** `first:` of a connection field named in the query, from a literal or a variable. */
function first(query: string, variables: Record<string, unknown>, field: string, fallback: number): number {
  const match = new RegExp(`${field}\\s*\\(([^)]*)\\)`).exec(query)
  const args = match?.[1] ?? ''
  const literal = /first\s*:\s*(\d+)/.exec(args)
  if (literal) return Number(literal[1])
  const variable = /first\s*:\s*\$(\w+)/.exec(args)
  const value = variable ? variables[variable[1]!] : undefined
  return typeof value === 'number' ? value : fallback
}

/** The comment's author as GraphQL shows it: a Bot's login has no "[bot]" suffix there, unlike REST. */
function author(comment: StoredReviewComment): { login: string; __typename: string } {
  const bot = comment.user.login.endsWith('[bot]')
  return { login: comment.user.login.replace(/\[bot\]$/, ''), __typename: bot ? 'Bot' : 'User' }
}

const cursor = (index: number): string => Buffer.from(`cursor:v2:${index}`).toString('base64')
const fromCursor = (value: unknown): number =>
  typeof value === 'string' ? Number(Buffer.from(value, 'base64').toString('utf8').split(':').pop()) + 1 : 0

function threadNode(thread: ReviewThread, commentsFirst: number, canResolve: boolean): Record<string, unknown> {
  const comments = thread.comments.slice(0, commentsFirst)
  return {
    __typename: 'PullRequestReviewThread',
    id: thread.id,
    isResolved: thread.isResolved,
    isOutdated: false,
    isCollapsed: thread.isResolved,
    path: thread.path,
    line: thread.line,
    originalLine: thread.line,
    startLine: thread.startLine,
    diffSide: thread.diffSide,
    viewerCanResolve: canResolve && !thread.isResolved,
    viewerCanUnresolve: canResolve && thread.isResolved,
    comments: {
      totalCount: thread.comments.length,
      nodes: comments.map((comment) => ({
        __typename: 'PullRequestReviewComment',
        id: comment.node_id,
        databaseId: comment.id,
        body: comment.body,
        author: author(comment),
        url: comment.html_url,
        path: comment.path,
        line: comment.line,
        createdAt: comment.created_at,
        replyTo: comment.in_reply_to_id === undefined ? null : { databaseId: comment.in_reply_to_id }
      })),
      pageInfo: {
        hasNextPage: thread.comments.length > comments.length,
        endCursor: comments.length ? cursor(comments.length - 1) : null
      }
    }
  }
}

export function handleGraphQL(route: Route): boolean {
  if (route.url.pathname !== '/graphql' || route.method !== 'POST') return false
  graphql(route)
  return true
}

function graphql(route: Route): void {
  const { state } = route
  const request = bodyOf(route)
  const query = typeof request.query === 'string' ? request.query : ''
  const variables = (request.variables ?? {}) as Record<string, unknown>
  const answer = (data: unknown, errors?: GraphQLError[]): void => route.send(200, errors ? { data, errors } : { data })

  const mutation = /\b(resolveReviewThread|unresolveReviewThread)\b/.exec(query)?.[1]
  if (mutation) {
    const threadId = argument(query, variables, ['threadId', 'id'])
    const rootId = typeof threadId === 'string' ? Number(/^PRRT_(\d+)$/.exec(threadId)?.[1]) : NaN
    const thread = Number.isNaN(rootId)
      ? undefined
      : state.reviewComments.find((comment) => comment.id === rootId && comment.in_reply_to_id === undefined)
    if (state.resolveForbidden)
      // the shape GitHub gives an installation token lacking permission (seen in fpicalausa/remove-stale-branches#49)
      return answer({ [mutation]: null }, [
        {
          type: 'FORBIDDEN',
          path: [mutation],
          extensions: { saml_failure: false },
          locations: [{ line: 2, column: 3 }],
          message: 'Resource not accessible by integration'
        }
      ])
    if (!thread)
      return answer({ [mutation]: null }, [
        {
          type: 'NOT_FOUND',
          path: [mutation],
          locations: [{ line: 2, column: 3 }],
          message: `Could not resolve to a node with the global id of '${String(threadId)}'`
        }
      ])
    if (mutation === 'resolveReviewThread') state.resolvedThreads.add(thread.id)
    else state.resolvedThreads.delete(thread.id)
    const resolved = state.reviewThreads(thread.pull_number).find((entry) => entry.id === threadId)!
    return answer({ [mutation]: { thread: threadNode(resolved, 100, true) } })
  }

  if (/\breviewThreads\b/.test(query)) {
    const owner = argument(query, variables, ['owner'])
    const name = argument(query, variables, ['name', 'repo', 'repository'])
    const number = Number(argument(query, variables, ['number', 'pr', 'prNumber', 'pull', 'pullNumber', 'pull_number']))
    if (owner !== OWNER || name !== REPO)
      return answer({ repository: null }, [
        {
          type: 'NOT_FOUND',
          path: ['repository'],
          message: `Could not resolve to a Repository with the name '${String(owner)}/${String(name)}'.`
        }
      ])
    if (!state.pulls.has(number) && !state.pullFiles.has(number))
      return answer({ repository: { pullRequest: null } }, [
        {
          type: 'NOT_FOUND',
          path: ['repository', 'pullRequest'],
          message: `Could not resolve to a PullRequest with the number of ${number}.`
        }
      ])
    const threads = state.reviewThreads(number)
    const start = fromCursor(argument(query, variables, ['after', 'cursor']))
    const page = threads.slice(start, start + Math.min(100, first(query, variables, 'reviewThreads', 100)))
    const commentsFirst = Math.min(100, first(query, variables, 'comments', 100))
    return answer({
      repository: {
        pullRequest: {
          number,
          reviewThreads: {
            totalCount: threads.length,
            nodes: page.map((thread) => threadNode(thread, commentsFirst, !state.resolveForbidden)),
            pageInfo: {
              hasNextPage: start + page.length < threads.length,
              endCursor: page.length ? cursor(start + page.length - 1) : null
            }
          }
        }
      }
    })
  }

  route.send(200, {
    errors: [{ message: `the GitHub test server does not answer this query: ${query.slice(0, 200)}` }]
  })
}
