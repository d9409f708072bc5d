import { createHash } from 'node:crypto'
import type { GitHubUser, Route } from './types.js'

export const OWNER = 'octo'
export const REPO = 'demo'
export const REPO_PATH = `/repos/${OWNER}/${REPO}`
/** The repository's id, as runs of its own branches give it for head_repository_id. */
export const REPO_ID = 4200
export const HTML_REPO = `https://github.com/${OWNER}/${REPO}`
export const API_REPO = `https://api.github.com/repos/${OWNER}/${REPO}`

/** GitHub's limit on issue, review and review comment bodies. */
export const MAX_BODY = 65_536

/** Ids GitHub gave real accounts; other logins get a stable one from their name. */
const KNOWN_IDS: Record<string, number> = { 'github-actions[bot]': 41898282 }

/** An account as GitHub's REST API shows it (simple-user), e.g. as a comment's `user`. */
export function user(login: string): GitHubUser {
  const bot = login.endsWith('[bot]')
  const id = KNOWN_IDS[login] ?? parseInt(createHash('sha1').update(login).digest('hex').slice(0, 7), 16)
  const api = `https://api.github.com/users/${encodeURIComponent(login)}`
  return {
    login,
    id,
    node_id: `${bot ? 'BOT' : 'U'}_${Buffer.from(String(id)).toString('base64url')}`,
    avatar_url: `https://avatars.githubusercontent.com/${bot ? 'in' : 'u'}/${id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: bot ? `https://github.com/apps/${login.replace(/\[bot\]$/, '')}` : `https://github.com/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: bot ? 'Bot' : 'User',
    user_view_type: 'public',
    site_admin: false
  }
}

/** GET /user's answer for a user token: the public profile. */
export function profile(login: string): Record<string, unknown> {
  return {
    ...user(login),
    name: null,
    company: null,
    blog: '',
    location: null,
    email: null,
    hireable: null,
    bio: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: '2020-01-01T00:00:00Z',
    updated_at: '2020-01-01T00:00:00Z'
  }
}

/** GitHub's timestamps have whole seconds. */
export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** GitHub (Rails) counts characters, not UTF-16 units: an emoji is one. */
export function tooLong(body: string): boolean {
  return [...body].length > MAX_BODY
}

/**
 * Sends one page of `items` with `per_page` (default 30, at most 100, as GitHub caps it) and `page`,
 * and a `link` header naming the next and last pages while there are more.
 */
export function sendPage(route: Route, items: unknown[]): void {
  const perPage = Math.min(100, Math.max(1, Number(route.url.searchParams.get('per_page') ?? 30)))
  const page = Math.max(1, Number(route.url.searchParams.get('page') ?? 1))
  const slice = items.slice((page - 1) * perPage, page * perPage)
  const last = Math.max(1, Math.ceil(items.length / perPage))
  const link = (n: number, rel: string): string =>
    `<${route.baseUrl}${route.url.pathname}?per_page=${perPage}&page=${n}>; rel="${rel}"`
  const headers: Record<string, string> =
    page < last ? { link: `${link(page + 1, 'next')}, ${link(last, 'last')}` } : {}
  route.send(200, slice, headers)
}

/**
 * The 422 GitHub's pull request review endpoints answer with string errors, e.g.
 * `{"message":"Unprocessable Entity","errors":["Line could not be resolved"],"status":"422"}`.
 */
export function unprocessable(route: Route, errors: string[], doc: string): void {
  route.send(422, {
    message: 'Unprocessable Entity',
    errors,
    documentation_url: `https://docs.github.com/rest/${doc}`,
    status: '422'
  })
}

/**
 * The 422 of a record's failed validation, e.g. an issue comment body over the limit; `message` names a
 * custom error, and the codes GitHub documents (missing_field, invalid) come without one.
 */
export function validationFailed(
  route: Route,
  resource: string,
  field: string,
  message: string | { code: 'missing_field' | 'invalid' },
  doc: string
): void {
  const error =
    typeof message === 'string' ? { resource, code: 'custom', field, message } : { resource, field, ...message }
  route.send(422, {
    message: 'Validation Failed',
    errors: [error],
    documentation_url: `https://docs.github.com/rest/${doc}`,
    status: '422'
  })
}

export function notFound(route: Route): void {
  route.send(404, { message: 'Not Found', status: '404' })
}

export function bodyOf(route: Route): Record<string, unknown> {
  return typeof route.body === 'object' && route.body !== null ? (route.body as Record<string, unknown>) : {}
}
