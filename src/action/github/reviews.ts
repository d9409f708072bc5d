import type { Octokit } from './octokit.js'

/** A review comment (a comment on a diff line), or a reply in its thread. */
export interface ReviewComment {
  id: number
  body: string
  author: string
  url: string
  /** The comment this one replies to; undefined for the first comment of a thread. */
  inReplyTo?: number
  /** The file and line the comment is on (its original line once the diff moved past it). */
  path?: string
  line?: number
}

export interface PostedReview {
  id: number
  url: string
}

export interface ReviewThread {
  /** GraphQL node id, what resolveReviewThreads takes. */
  id: string
  isResolved: boolean
  /** The REST id of the thread's first comment. */
  firstCommentId?: number
  /** Who resolved the thread, while it is resolved (a bot's login without "[bot]", as GraphQL gives it). */
  resolvedBy?: string
  /** Who reacted 👎 to the thread's first comment. */
  thumbsDown: string[]
}

export interface ReviewDraft {
  commitId?: string
  body: string
  comments: Array<{
    path: string
    line: number
    start_line?: number
    side: 'RIGHT'
    start_side?: 'RIGHT'
    body: string
  }>
}

/** The pull request review calls: the PR's files, reviews, review comments and their threads. */
export interface ReviewApi {
  /** Each changed file's path and unified diff patch (absent for binary or very large files). */
  pullRequestFiles(number: number): Promise<Array<{ path: string; patch?: string }>>
  /** Posts one review with event COMMENT: never an approval, never a request for changes. */
  createReview(number: number, draft: ReviewDraft): Promise<PostedReview>
  listReviews(number: number): Promise<Array<{ id: number; body: string; author: string }>>
  listReviewComments(number: number): Promise<ReviewComment[]>
  replyToReviewComment(number: number, commentId: number, body: string): Promise<ReviewComment>
  reviewThreads(number: number): Promise<ReviewThread[]>
  /**
   * Replies `reply` in each thread and resolves it, in as few GraphQL documents as hold them; the
   * ids of the threads now resolved. A thread that fails is left out, with one warning per document.
   */
  resolveReviewThreads(
    threads: ReadonlyArray<{ id: string; reply: string }>,
    warn: (message: string) => void
  ): Promise<Set<string>>
  /** Reacts to an issue comment (`issue`) or a review comment (`review`). */
  react(kind: 'issue' | 'review', commentId: number, content: 'eyes'): Promise<void>
}

/**
 * `fullDatabaseId`, not `databaseId`: review comment ids are past 2^31, where GitHub's 32-bit `databaseId`
 * fails. The BigInt comes as a string; ids stay exact as numbers up to 2^53.
 */
/**
 * Threads replied to and resolved per GraphQL document: one request for what took two REST calls and
 * a mutation per thread, few enough replies per request to stay a modest burst of new comments.
 */
export const THREADS_PER_MUTATION = 20

const THREADS_QUERY = `query($owner: String!, $repo: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $cursor) {
        nodes {
          id isResolved resolvedBy { login }
          comments(first: 1) { nodes { fullDatabaseId reactions(first: 100, content: THUMBS_DOWN) { nodes { content user { login } } } } }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`

interface ThreadsAnswer {
  repository: {
    pullRequest: {
      reviewThreads: {
        nodes: Array<{
          id: string
          isResolved: boolean
          resolvedBy: { login: string } | null
          comments: {
            nodes: Array<{
              fullDatabaseId: string | null
              reactions: { nodes: Array<{ content: string; user: { login: string } | null }> }
            }>
          }
        }>
      }
    } | null
  } | null
}

export function createReviewApi(octokit: Octokit, owner: string, repo: string): ReviewApi {
  const toReviewComment = (data: {
    id: number
    body: string
    html_url: string
    user: { login: string } | null
    in_reply_to_id?: number
    path?: string
    line?: number | null
    original_line?: number | null
  }): ReviewComment => ({
    id: data.id,
    body: data.body,
    author: data.user?.login ?? '',
    url: data.html_url,
    inReplyTo: data.in_reply_to_id,
    path: data.path,
    line: data.line ?? data.original_line ?? undefined
  })
  return {
    async pullRequestFiles(number) {
      const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
        owner,
        repo,
        pull_number: number,
        per_page: 100
      })
      return files.map((file) => ({ path: file.filename, patch: file.patch }))
    },
    async createReview(number, draft) {
      const { data } = await octokit.rest.pulls.createReview({
        owner,
        repo,
        pull_number: number,
        commit_id: draft.commitId,
        body: draft.body,
        event: 'COMMENT',
        comments: draft.comments
      })
      return { id: data.id, url: data.html_url }
    },
    async listReviews(number) {
      const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, {
        owner,
        repo,
        pull_number: number,
        per_page: 100
      })
      return reviews.map((review) => ({ id: review.id, body: review.body, author: review.user?.login ?? '' }))
    },
    async listReviewComments(number) {
      const comments = await octokit.paginate(octokit.rest.pulls.listReviewComments, {
        owner,
        repo,
        pull_number: number,
        per_page: 100
      })
      return comments.map(toReviewComment)
    },
    async replyToReviewComment(number, commentId, body) {
      // The replies endpoint (POST .../comments/{id}/replies) is not enabled for GitHub Apps, so not for
      // GITHUB_TOKEN. This one is; GitHub ignores all but body and in_reply_to, yet its description requires
      // commit_id and path: the replied-to comment's.
      const { data: root } = await octokit.rest.pulls.getReviewComment({ owner, repo, comment_id: commentId })
      const { data } = await octokit.rest.pulls.createReviewComment({
        owner,
        repo,
        pull_number: number,
        in_reply_to: commentId,
        commit_id: root.commit_id,
        path: root.path,
        body
      })
      return toReviewComment(data)
    },
    async reviewThreads(number) {
      const answer = await octokit.graphql.paginate<ThreadsAnswer>(THREADS_QUERY, { owner, repo, number })
      return (answer.repository?.pullRequest?.reviewThreads.nodes ?? []).map((node) => {
        const first = node.comments.nodes[0]
        return {
          id: node.id,
          isResolved: node.isResolved,
          firstCommentId: first?.fullDatabaseId ? Number(first.fullDatabaseId) : undefined,
          resolvedBy: node.resolvedBy?.login,
          thumbsDown: (first?.reactions.nodes ?? []).flatMap((reaction) =>
            reaction.content === 'THUMBS_DOWN' && reaction.user ? [reaction.user.login] : []
          )
        }
      })
    },
    async resolveReviewThreads(threads, warn) {
      const resolved = new Set<string>()
      for (let start = 0; start < threads.length; start += THREADS_PER_MUTATION) {
        const chunk = threads.slice(start, start + THREADS_PER_MUTATION)
        const { document, variables } = resolveDocument(chunk)
        let data: Record<string, { thread?: { id: string; isResolved: boolean } | null } | null> | undefined
        try {
          data = await octokit.graphql(document, variables)
        } catch (error) {
          // GraphQL answers each alias on its own: what did resolve is in the error's partial data
          data = (error as { data?: typeof data }).data
          const which =
            chunk.length === 1
              ? 'the review thread of a fixed finding'
              : `the review threads of ${chunk.length} fixed findings`
          warn(`Could not resolve ${which} (the token needs pull-requests: write): ${(error as Error).message}`)
        }
        chunk.forEach((_, index) => {
          const thread = data?.[`resolve${index}`]?.thread
          if (thread?.isResolved) resolved.add(thread.id)
        })
      }
      return resolved
    },
    async react(kind, commentId, content) {
      if (kind === 'issue')
        await octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: commentId, content })
      else
        await octokit.rest.reactions.createForPullRequestReviewComment({ owner, repo, comment_id: commentId, content })
    }
  }
}

/** One mutation document: per thread, an aliased reply then an aliased resolution, each with its own variables. */
function resolveDocument(threads: ReadonlyArray<{ id: string; reply: string }>): {
  document: string
  variables: Record<string, string>
} {
  const variables: Record<string, string> = {}
  const declared: string[] = []
  const fields: string[] = []
  threads.forEach((thread, index) => {
    variables[`thread${index}`] = thread.id
    variables[`reply${index}`] = thread.reply
    declared.push(`$thread${index}: ID!`, `$reply${index}: String!`)
    fields.push(
      `reply${index}: addPullRequestReviewThreadReply(input: { pullRequestReviewThreadId: $thread${index}, body: $reply${index} }) { comment { id } }`,
      `resolve${index}: resolveReviewThread(input: { threadId: $thread${index} }) { thread { id isResolved } }`
    )
  })
  return { document: `mutation(${declared.join(', ')}) {\n  ${fields.join('\n  ')}\n}`, variables }
}
