import { execute, GraphQLError } from 'graphql'
import { commitResolvers, type TypedFailure } from './commits.js'
import { checkGraphQL, githubGraphQLSchema, recordViolations } from './contract.js'
import { OWNER, REPO } from './http.js'
import type { ReviewThread, Route, StoredReaction, StoredReviewComment } from './types.js'

/*
 * POST /graphql, executed by graphql-js over GitHub's own schema: a repository's pull requests, their review
 * threads (who resolved them), their comments (with `fullDatabaseId`, and the deprecated 32-bit `databaseId`,
 * which fails past 2^31 as GitHub's does) and the comments' reactions, and the resolveReviewThread,
 * unresolveReviewThread and addPullRequestReviewThreadReply mutations, as many as a document holds, run one
 * after another as GraphQL runs a mutation's fields. The answer holds exactly what the query selects, aliases
 * included; a field that fails is null with its error, and the others still run.
 * GitHub answers GraphQL errors with HTTP 200 and an `errors` list, each with a `type`.
 */

/** An error GitHub reports with a `type`, e.g. NOT_FOUND or FORBIDDEN. */
class TypedError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly extensions?: Record<string, unknown>
  ) {
    super(message)
  }
}

interface ConnectionArgs {
  first?: number
  last?: number
  after?: string
  before?: string
}

const cursor = (index: number): string => Buffer.from(`cursor:v2:${index}`).toString('base64')
const indexOf = (value: string): number => Number(Buffer.from(value, 'base64').toString('utf8').split(':').pop())

/** A connection over `items` as GitHub pages it: `first`/`after` from the start, `last`/`before` from the end. */
function connection<T>(items: T[], args: ConnectionArgs): Record<string, unknown> {
  let start = args.after === undefined ? 0 : indexOf(args.after) + 1
  let end = args.before === undefined ? items.length : indexOf(args.before)
  if (args.first !== undefined) end = Math.min(end, start + args.first)
  if (args.last !== undefined) start = Math.max(start, end - args.last)
  const nodes = items.slice(start, end)
  return {
    totalCount: items.length,
    nodes,
    edges: nodes.map((node, offset) => ({ node, cursor: cursor(start + offset) })),
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: nodes.length ? cursor(start) : null,
      endCursor: nodes.length ? cursor(end - 1) : null
    }
  }
}

/** An actor as GraphQL shows it: a Bot's login has no "[bot]" suffix there, unlike REST. */
function actor(login: string): { __typename: string; login: string } {
  const bot = login.endsWith('[bot]')
  return { __typename: bot ? 'Bot' : 'User', login: login.replace(/\[bot\]$/, '') }
}

const REACTIONS: Record<string, string> = {
  '+1': 'THUMBS_UP',
  '-1': 'THUMBS_DOWN',
  laugh: 'LAUGH',
  confused: 'CONFUSED',
  heart: 'HEART',
  hooray: 'HOORAY',
  rocket: 'ROCKET',
  eyes: 'EYES'
}

export function handleGraphQL(route: Route): boolean {
  if (route.url.pathname !== '/graphql' || route.method !== 'POST') return false
  const verdict = checkGraphQL(route.body)
  recordViolations(verdict.violations)
  const { document, variables } = verdict
  if (!document) {
    route.send(200, { errors: verdict.violations.map((violation) => ({ message: violation.detail })) })
    return true
  }
  const result = execute({
    schema: githubGraphQLSchema(),
    document,
    variableValues: variables,
    operationName: verdict.operation?.name?.value,
    rootValue: rootOf(route)
  }) as { data?: unknown; errors?: readonly GraphQLError[] }
  route.send(200, result.errors ? { data: result.data, errors: result.errors.map(githubError) } : { data: result.data })
  return true
}

function githubError(error: GraphQLError): Record<string, unknown> {
  const typed = error.originalError instanceof TypedError ? error.originalError : undefined
  return {
    ...(typed ? { type: typed.type } : {}),
    path: error.path,
    ...(typed?.extensions ? { extensions: typed.extensions } : {}),
    locations: error.locations,
    message: error.message
  }
}

function rootOf(route: Route): Record<string, unknown> {
  const { state } = route
  const reactionNode = (reaction: StoredReaction) => ({
    id: reaction.node_id,
    databaseId: reaction.id,
    content: REACTIONS[reaction.content],
    createdAt: reaction.created_at,
    user: { ...actor(reaction.user.login), __typename: 'User' }
  })
  const commentNode = (comment: StoredReviewComment): Record<string, unknown> => ({
    __typename: 'PullRequestReviewComment',
    id: comment.node_id,
    // an Int: graphql-js refuses past 2^31, as GitHub's field "does not support 64-bit signed integer identifiers"
    databaseId: comment.id,
    fullDatabaseId: String(comment.id),
    body: comment.body,
    author: actor(comment.user.login),
    url: comment.html_url,
    path: comment.path,
    line: comment.line,
    originalLine: comment.original_line,
    startLine: comment.start_line,
    diffHunk: comment.diff_hunk,
    createdAt: comment.created_at,
    updatedAt: comment.updated_at,
    replyTo: () => {
      const parent = state.reviewComments.find((entry) => entry.id === comment.in_reply_to_id)
      return parent ? commentNode(parent) : null
    },
    reactions: (args: ConnectionArgs) =>
      connection(
        state.reactions
          .filter(
            (reaction) => reaction.subject === 'pull_request_review_comment' && reaction.subject_id === comment.id
          )
          .map(reactionNode),
        args
      )
  })
  const canResolve = !state.resolveForbidden
  const threadNode = (thread: ReviewThread): Record<string, unknown> => ({
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
    subjectType: 'LINE',
    resolvedBy: thread.resolvedBy === undefined ? null : { ...actor(thread.resolvedBy), __typename: 'User' },
    viewerCanResolve: canResolve && !thread.isResolved,
    viewerCanUnresolve: canResolve && thread.isResolved,
    viewerCanReply: true,
    comments: (args: ConnectionArgs) => connection(thread.comments.map(commentNode), args)
  })
  const pullRequestNode = (number: number): Record<string, unknown> => ({
    __typename: 'PullRequest',
    number,
    reviewThreads: (args: ConnectionArgs) => connection(state.reviewThreads(number).map(threadNode), args)
  })
  const threadRoot = (threadId: string): StoredReviewComment => {
    const rootId = Number(/^PRRT_(\d+)$/.exec(threadId)?.[1])
    const root = state.reviewComments.find((comment) => comment.id === rootId && comment.in_reply_to_id === undefined)
    if (!root) throw new TypedError('NOT_FOUND', `Could not resolve to a node with the global id of '${threadId}'`)
    return root
  }
  const setResolved = (resolved: boolean) => (args: { input: { threadId: string } }) => {
    const { threadId } = args.input
    if (state.resolveForbidden)
      // the shape GitHub gives an installation token lacking permission (seen in fpicalausa/remove-stale-branches#49)
      throw new TypedError('FORBIDDEN', 'Resource not accessible by integration', { saml_failure: false })
    const root = threadRoot(threadId)
    if (resolved) state.resolvedThreads.set(root.id, route.author)
    else state.resolvedThreads.delete(root.id)
    const thread = state.reviewThreads(root.pull_number).find((entry) => entry.id === threadId)!
    return { clientMutationId: null, thread: threadNode(thread) }
  }
  const commits = commitResolvers(route, (failure: TypedFailure): never => {
    throw new TypedError(failure.type, failure.message)
  })
  const addReply = (args: { input: { pullRequestReviewThreadId: string; body: string } }) => {
    const root = threadRoot(args.input.pullRequestReviewThreadId)
    const reply = state.addReviewComment(root.pull_number, {
      in_reply_to: root.id,
      body: args.input.body,
      login: route.author
    })
    return { clientMutationId: null, comment: commentNode(reply) }
  }
  return {
    // the login REST shows the token's writes under, "[bot]" included for apps: GitHub answers `viewer` so to
    // installation tokens (fullsend-ai/fullsend#1953 saw "fullsend-ai-coder[bot]"), and to user tokens
    viewer: () => ({ __typename: 'User', login: route.author }),
    repository: ({ owner, name }: { owner: string; name: string }) => {
      if (owner !== OWNER || name !== REPO)
        throw new TypedError('NOT_FOUND', `Could not resolve to a Repository with the name '${owner}/${name}'.`)
      return {
        __typename: 'Repository',
        name: REPO,
        nameWithOwner: `${OWNER}/${REPO}`,
        ref: commits.ref,
        pullRequest: ({ number }: { number: number }) => {
          if (!state.pulls.has(number) && !state.pullFiles.has(number))
            throw new TypedError('NOT_FOUND', `Could not resolve to a PullRequest with the number of ${number}.`)
          return pullRequestNode(number)
        }
      }
    },
    resolveReviewThread: setResolved(true),
    unresolveReviewThread: setResolved(false),
    createCommitOnBranch: commits.createCommitOnBranch,
    addPullRequestReviewThreadReply: addReply
  }
}
