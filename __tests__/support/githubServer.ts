import http from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A small stand-in for the GitHub REST API on 127.0.0.1: issue comments, the token's identity,
 * pull requests and collaborator permissions, with injectable failures.
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

export interface GitHubServer {
  url: string
  comments: StoredComment[]
  requests: RecordedRequest[]
  /** The login the token acts as; undefined makes GET /user answer 403, as for GITHUB_TOKEN. */
  viewer: string | undefined
  permissions: Map<string, string>
  pulls: Map<number, Record<string, unknown>>
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
    permissions: new Map(),
    pulls: new Map(),
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
        const permission = state.permissions.get(login)
        if (permission) send(200, { permission, user: { login } })
        else send(404, { message: 'Not Found' })
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
