import http from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A small stand-in for the GitHub REST API on 127.0.0.1: issue comments, the token's identity,
 * pull requests, collaborator permissions, and the artifacts and caches the thread stores list and
 * delete, with injectable failures.
 */
export interface StoredComment {
  id: number
  issue: number
  body: string
  user: { login: string; type: string }
  html_url: string
}

export interface RecordedRequest {
  method: string
  path: string
  body: unknown
}

export interface Failure {
  method: string
  path: RegExp
  status: number
  /** How many matching requests fail before they succeed again. */
  times: number
  headers?: Record<string, string>
}

/** An artifact or a cache entry as the REST API lists it. */
export interface StoredArtifact {
  id: number
  name: string
  created_at: string
  expires_at: string
  expired: boolean
  workflow_run: { id: number }
}

export interface StoredCache {
  id: number
  key: string
  ref: string
  created_at: string
}

export interface GitHubServer {
  url: string
  comments: StoredComment[]
  requests: RecordedRequest[]
  /** The login the token acts as; undefined makes GET /user answer 403, as for GITHUB_TOKEN. */
  viewer: string | undefined
  /** Each login's role (admin, maintain, write, triage, read); alice, the default sender, has write. */
  permissions: Map<string, string>
  pulls: Map<number, Record<string, unknown>>
  artifacts: StoredArtifact[]
  caches: StoredCache[]
  fail(failure: Failure): void
  addComment(issue: number, body: string, login: string): StoredComment
  close(): Promise<void>
}

export const OWNER = 'octo'
export const REPO = 'demo'

export async function startGitHubServer(): Promise<GitHubServer> {
  const failures: Failure[] = []
  let nextId = 1000
  const state: Omit<GitHubServer, 'url' | 'close'> = {
    comments: [],
    requests: [],
    viewer: 'codex-bot',
    permissions: new Map([['alice', 'write']]),
    pulls: new Map(),
    artifacts: [],
    caches: [],
    fail: (failure) => failures.push({ ...failure }),
    addComment(issue, body, login) {
      const comment = {
        id: nextId++,
        issue,
        body,
        user: { login, type: login.endsWith('[bot]') ? 'Bot' : 'User' },
        html_url: `https://github.com/${OWNER}/${REPO}/pull/${issue}#issuecomment-${nextId}`
      }
      state.comments.push(comment)
      return comment
    }
  }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost')
      const text = Buffer.concat(chunks).toString('utf8')
      const body: unknown = text ? JSON.parse(text) : undefined
      const method = req.method ?? 'GET'
      state.requests.push({ method, path: url.pathname, body })
      const send = (status: number, data: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers })
        res.end(JSON.stringify(data))
      }
      const failure = failures.find(
        (entry) => entry.times > 0 && entry.method === method && entry.path.test(url.pathname)
      )
      if (failure) {
        failure.times--
        send(failure.status, { message: `scripted failure ${failure.status}` }, failure.headers)
        return
      }
      const repoPath = `/repos/${OWNER}/${REPO}`
      let match: RegExpExecArray | null
      if (method === 'GET' && url.pathname === '/user') {
        if (state.viewer === undefined) send(403, { message: 'Resource not accessible by integration' })
        else send(200, { login: state.viewer, type: 'User' })
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
          const login = state.viewer ?? 'github-actions[bot]'
          send(201, state.addComment(issue, (body as { body: string }).body, login))
        } else send(405, {})
      } else if (
        (match = new RegExp(`^${repoPath}/issues/comments/(\\d+)$`).exec(url.pathname)) &&
        method === 'PATCH'
      ) {
        const comment = state.comments.find((entry) => entry.id === Number(match![1]))
        if (!comment) send(404, { message: 'Not Found' })
        else {
          comment.body = (body as { body: string }).body
          send(200, comment)
        }
      } else if ((match = new RegExp(`^${repoPath}/pulls/(\\d+)$`).exec(url.pathname)) && method === 'GET') {
        const pull = state.pulls.get(Number(match[1]))
        if (pull) send(200, pull)
        else send(404, { message: 'Not Found' })
      } else if (
        (match = new RegExp(`^${repoPath}/collaborators/([^/]+)/permission$`).exec(url.pathname)) &&
        method === 'GET'
      ) {
        const login = decodeURIComponent(match[1])
        const role = state.permissions.get(login)
        // as GitHub answers: role_name as given, permission folding maintain into write and triage into read
        const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role
        if (role) send(200, { permission, role_name: role, user: { login } })
        else send(404, { message: 'Not Found' })
      } else if (url.pathname === `${repoPath}/actions/artifacts` && method === 'GET') {
        const name = url.searchParams.get('name')
        const artifacts = state.artifacts.filter((artifact) => name === null || artifact.name === name)
        send(200, { total_count: artifacts.length, artifacts })
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
    })
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
