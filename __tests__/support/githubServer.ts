import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createCiStore, handleActionsRuns } from './github/actionsRuns.js'
import { checkRequest, checkResponse, recordViolations } from './github/contract.js'
import { handleGraphQL } from './github/graphql.js'
import {
  API_REPO,
  HTML_REPO,
  now,
  OWNER,
  profile,
  REPO,
  REPO_ID,
  REPO_PATH,
  tooLong,
  user,
  validationFailed
} from './github/http.js'
import { handleReactions } from './github/reactions.js'
import { createReviewStore } from './github/reviewStore.js'
import { handleReviews } from './github/reviews.js'
import type { Failure, GitHubServer, GitHubToken, Route, ServerState, StoredArtifact } from './github/types.js'

/**
 * A small stand-in for the GitHub REST API on 127.0.0.1: issue comments, the token's identity,
 * pull requests with their files, reviews, review comments and reactions, review threads over GraphQL,
 * collaborator permissions, the artifacts and caches the thread stores list and delete, and a commit's
 * workflow runs, jobs, job logs and check runs (./github/actionsRuns.ts), with
 * injectable failures. Routes beyond the first few live in ./github/. Every request is checked against
 * GitHub's published API description, and every answer too (./github/contract.ts): a request GitHub would
 * refuse gets GitHub's refusal, and each broken rule is recorded for the test's end to fail on.
 */
export type {
  Failure,
  GitHubServer,
  GitHubToken,
  GitHubUser,
  PullFile,
  PullSpec,
  RecordedRequest,
  ReactionContent,
  ReviewCommentSpec,
  ReviewState,
  ReviewThread,
  StoredArtifact,
  StoredCache,
  StoredComment,
  StoredReaction,
  StoredReview,
  StoredReviewComment
} from './github/types.js'
export { blobSha, pullFile, type FileChange } from './github/files.js'
export { LINE_NOT_RESOLVED, START_MUST_PRECEDE, START_SAME_HUNK } from './github/reviewStore.js'
export { OWNER, REPO, REPO_ID }

/** What the stored objects keep of where they belong, which GitHub's objects do not carry. */
const INTERNAL_FIELDS = new Set(['issue', 'pull_number', 'subject', 'subject_id'])

/** A stored object as GitHub sends it. */
function withoutInternalFields(data: unknown): unknown {
  if (typeof data !== 'object' || data === null) return data
  return Object.fromEntries(Object.entries(data).filter(([key]) => !INTERNAL_FIELDS.has(key)))
}

/** GitHub's ids passed 2^31 (review comments in 2024): ids start past it, so no test gets a 32-bit one. */
export const FIRST_ID = 2 ** 31 + 1000

export interface GitHubServerOptions {
  /** The id of the first object the server creates; FIRST_ID by default. */
  firstId?: number
  /** Each answer waits this long, as a round trip to api.github.com would (benchmarks only); 0 by default. */
  latencyMs?: number
}

/** The login writes with `token` are authored by. */
export function authorOf(token: GitHubToken): string {
  if (token.kind === 'actions') return 'github-actions[bot]'
  return token.kind === 'app' ? `${token.slug}[bot]` : token.login
}

export async function startGitHubServer(options: GitHubServerOptions = {}): Promise<GitHubServer> {
  const failures: Failure[] = []
  let nextId = options.firstId ?? FIRST_ID
  const ids = (): number => nextId++
  const state: ServerState = {
    comments: [],
    requests: [],
    token: { kind: 'actions' },
    permissions: new Map([['alice', 'write']]),
    pulls: new Map(),
    artifacts: [],
    artifactFiles: new Map(),
    caches: [],
    actionsPermission: 'write',
    pullFiles: new Map(),
    reviews: [],
    reviewComments: [],
    reactions: [],
    resolvedThreads: new Map(),
    resolveForbidden: false,
    actionsCanApprove: true,
    ci: createCiStore(ids),
    fail: (failure) => failures.push({ ...failure }),
    addComment(issue, body, login) {
      const id = ids()
      const time = now()
      const comment = {
        id,
        node_id: `IC_${Buffer.from(String(id)).toString('base64url')}`,
        url: `${API_REPO}/issues/comments/${id}`,
        issue,
        body,
        user: user(login),
        html_url: `${HTML_REPO}/pull/${issue}#issuecomment-${id}`,
        issue_url: `${API_REPO}/issues/${issue}`,
        author_association: state.permissions.has(login) ? 'COLLABORATOR' : 'NONE',
        created_at: time,
        updated_at: time
      }
      state.comments.push(comment)
      return comment
    },
    setPull: (pr, spec) => store.setPull(pr, spec),
    setPullFiles: (pr, files) => store.setPullFiles(pr, files),
    addReviewComment: (pr, spec) => store.addReviewComment(pr, spec),
    reviewThreads: (pr) => store.reviewThreads(pr)
  }
  const store = createReviewStore(state, ids)
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    const answer = (): void => {
      const url = new URL(req.url ?? '/', 'http://localhost')
      // GitHub Enterprise Server's layout: REST under /api/v3, GraphQL at /api/graphql
      const mounted = /^\/api\/(v3\/|graphql$)/.test(url.pathname)
      if (mounted) url.pathname = url.pathname === '/api/graphql' ? '/graphql' : url.pathname.slice('/api/v3'.length)
      const text = Buffer.concat(chunks).toString('utf8')
      const body: unknown = text ? JSON.parse(text) : undefined
      const method = req.method ?? 'GET'
      state.requests.push({ method, path: url.pathname, body, ...(mounted && { mounted }) })
      const write = (status: number, data: unknown, headers: Record<string, string> = {}): void => {
        if (status === 204) res.writeHead(204, headers).end()
        else {
          res.writeHead(status, { 'content-type': 'application/json', ...headers })
          res.end(JSON.stringify(data))
        }
      }
      // /graphql is checked by its handler; artifact and job-log downloads redirect to a blob store, not the API
      const verdict =
        url.pathname === '/graphql' || url.pathname.startsWith('/_blobs/') || url.pathname.startsWith('/_logs/')
          ? undefined
          : checkRequest(method, url, body, state.token.kind === 'user' ? 'user' : 'installation')
      recordViolations(verdict?.violations ?? [])
      if (verdict?.answer) return write(verdict.answer.status, verdict.answer.data)
      const failure = failures.find(
        (entry) => entry.times > 0 && entry.method === method && entry.path.test(url.pathname)
      )
      if (failure?.after) failure.after--
      else if (failure) {
        failure.times--
        return write(failure.status, { message: `scripted failure ${failure.status}` }, failure.headers)
      }
      const send = (status: number, data: unknown, headers?: Record<string, string>): void => {
        const wire = Array.isArray(data) ? data.map(withoutInternalFields) : withoutInternalFields(data)
        if (verdict?.operation)
          recordViolations(checkResponse(`${method} ${url.pathname}${url.search}`, verdict.operation, status, wire))
        write(status, wire, headers)
      }
      const author = authorOf(state.token)
      const raw = (status: number, headers: Record<string, string>, data: string | Buffer): void => {
        res.writeHead(status, headers).end(data)
      }
      const route: Route = { method, url, body, state, author, baseUrl: serverUrl(), nextId: ids, send, raw }
      if (handleReviews(route, store) || handleReactions(route) || handleGraphQL(route) || handleActionsRuns(route))
        return
      const repoPath = REPO_PATH
      let match: RegExpExecArray | null
      if (method === 'GET' && url.pathname === '/user') {
        // an app token never gets here: the contract refuses it the operation, with GitHub's 403
        send(200, profile(author))
      } else if ((match = new RegExp(`^${repoPath}/issues/(\\d+)/comments$`).exec(url.pathname))) {
        const issue = Number(match[1])
        if (method === 'GET') {
          const perPage = Number(url.searchParams.get('per_page') ?? 30)
          const page = Number(url.searchParams.get('page') ?? 1)
          const all = state.comments.filter((comment) => comment.issue === issue)
          const slice = all.slice((page - 1) * perPage, page * perPage)
          const headers: Record<string, string> =
            page * perPage < all.length
              ? { link: `<${serverUrl()}${url.pathname}?per_page=${perPage}&page=${page + 1}>; rel="next"` }
              : {}
          send(200, slice, headers)
        } else if (method === 'POST') {
          const text = (body as { body: string }).body
          if (tooLong(text)) commentTooLong(route, 'issues/comments#create-an-issue-comment')
          else send(201, state.addComment(issue, text, author))
        } else send(405, {})
      } else if (
        (match = new RegExp(`^${repoPath}/issues/comments/(\\d+)$`).exec(url.pathname)) &&
        method === 'PATCH'
      ) {
        const comment = state.comments.find((entry) => entry.id === Number(match![1]))
        const text = (body as { body: string }).body
        if (!comment) send(404, { message: 'Not Found' })
        else if (tooLong(text)) commentTooLong(route, 'issues/comments#update-an-issue-comment')
        else {
          comment.body = text
          comment.updated_at = now()
          send(200, comment)
        }
      } else if ((match = new RegExp(`^${repoPath}/pulls/(\\d+)$`).exec(url.pathname)) && method === 'GET') {
        const pull = state.pulls.get(Number(match[1]))
        if (pull) send(200, pull)
        else send(404, { message: 'Not Found' })
      } else if ((match = new RegExp(`^${repoPath}/pulls/(\\d+)$`).exec(url.pathname)) && method === 'PATCH') {
        updatePull(route, Number(match[1]))
      } else if (
        (match = new RegExp(`^${repoPath}/collaborators/([^/]+)/permission$`).exec(url.pathname)) &&
        method === 'GET'
      ) {
        const login = decodeURIComponent(match[1]!)
        const role = state.permissions.get(login)
        // as GitHub answers: role_name as given, permission folding maintain into write and triage into read
        const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role
        if (role) send(200, { permission, role_name: role, user: { ...user(login), role_name: role } })
        else send(404, { message: 'Not Found' })
      } else if (
        new RegExp(`^${repoPath}/actions/(artifacts|caches)\\b`).test(url.pathname) &&
        !(method === 'DELETE' ? state.actionsPermission === 'write' : state.actionsPermission !== 'none')
      ) {
        send(403, { message: 'Resource not accessible by integration' })
      } else if (url.pathname === `${repoPath}/actions/artifacts` && method === 'GET') {
        const name = url.searchParams.get('name')
        const artifacts = state.artifacts.filter((artifact) => name === null || artifact.name === name)
        send(200, { total_count: artifacts.length, artifacts: artifacts.map(asListed) })
      } else if ((match = new RegExp(`^${repoPath}/actions/artifacts/(\\d+)/zip$`).exec(url.pathname))) {
        // as GitHub does: a redirect to the blob, which @actions/artifact saves as the file it names
        const signed = state.artifactDownloadUrl?.(Number(match[1]))
        if (signed) send(302, {}, { location: signed })
        else if (state.artifactFiles.has(Number(match[1])))
          send(302, {}, { location: `${serverUrl()}/_blobs/${match[1]}` })
        else send(404, { message: 'Not Found' })
      } else if ((match = /^\/_blobs\/(\d+)$/.exec(url.pathname))) {
        const file = state.artifactFiles.get(Number(match[1]))!
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-disposition': `attachment; filename=${file.name}`
        })
        res.end(file.bytes)
      } else if (url.pathname === `${repoPath}/actions/caches` && method === 'GET') {
        const prefix = url.searchParams.get('key') ?? ''
        const caches = state.caches.filter((entry) => entry.key.startsWith(prefix))
        send(200, { total_count: caches.length, actions_caches: caches })
      } else if (
        (match = new RegExp(`^${repoPath}/actions/(artifacts|caches)/(\\d+)$`).exec(url.pathname)) &&
        method === 'DELETE'
      ) {
        const list: Array<{ id: number }> = match[1] === 'artifacts' ? state.artifacts : state.caches
        const index = list.findIndex((entry) => entry.id === Number(match![2]))
        if (index === -1) send(404, { message: 'Not Found' })
        else {
          list.splice(index, 1)
          res.writeHead(204).end()
        }
      } else {
        send(404, { message: `no route for ${method} ${url.pathname}` })
      }
    }
    req.on('end', () => (options.latencyMs ? setTimeout(answer, options.latencyMs) : answer()))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const serverUrl = (): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return Object.assign(state, {
    url: serverUrl(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  })
}

/** An artifact as GitHub lists it: what the test stored, and the fields it leaves to GitHub. */
function asListed(artifact: StoredArtifact): Record<string, unknown> {
  const url = `${API_REPO}/actions/artifacts/${artifact.id}`
  return {
    node_id: `MDg6QXJ0aWZhY3Q${artifact.id}`,
    size_in_bytes: 1024,
    url,
    archive_download_url: `${url}/zip`,
    updated_at: artifact.created_at,
    ...artifact
  }
}

/**
 * PATCH /pulls/{n} (pulls/update): the fields given replace the PR's, the rest stay; the answer is
 * the whole pull request, as GET gives it. A body over GitHub's limit is refused as issues' are.
 */
function updatePull(route: Route, pr: number): void {
  const pull = route.state.pulls.get(pr)
  const changes = route.body as { title?: string; body?: string; state?: string; base?: string }
  if (!pull) return route.send(404, { message: 'Not Found' })
  if (changes.body !== undefined && tooLong(changes.body))
    return validationFailed(
      route,
      'PullRequest',
      'body',
      'body is too long (maximum is 65536 characters)',
      'pulls/pulls#update-a-pull-request'
    )
  if (changes.title !== undefined) pull.title = changes.title
  if (changes.body !== undefined) pull.body = changes.body
  if (changes.state !== undefined) pull.state = changes.state
  pull.updated_at = now()
  route.send(200, pull)
}

/** An issue comment over 65,536 characters: the answer seen in the wild is a record validation failure. */
function commentTooLong(route: Route, doc: string): void {
  validationFailed(route, 'IssueComment', 'body', 'body is too long (maximum is 65536 characters)', doc)
}
