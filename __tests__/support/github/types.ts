import type { Side } from '../diff.js'
import type { CiStore } from './actionsRuns.js'

/** GitHub's simple-user. */
export interface GitHubUser {
  login: string
  id: number
  node_id: string
  avatar_url: string
  gravatar_id: string
  url: string
  html_url: string
  followers_url: string
  following_url: string
  gists_url: string
  starred_url: string
  subscriptions_url: string
  organizations_url: string
  repos_url: string
  events_url: string
  received_events_url: string
  type: string
  user_view_type: string
  site_admin: boolean
}

export interface StoredComment {
  id: number
  node_id: string
  url: string
  /** The issue or pull request the comment is on (not part of GitHub's comment object). */
  issue: number
  body: string
  user: GitHubUser
  html_url: string
  issue_url: string
  author_association: string
  created_at: string
  updated_at: string
}

export interface RecordedRequest {
  method: string
  /** The API's own path: without the /api/v3 prefix (and /api/graphql as /graphql) of a GHES layout. */
  path: string
  body: unknown
  /** Set when the request came in GitHub Enterprise Server's layout. */
  mounted?: true
}

export interface Failure {
  method: string
  path: RegExp
  status: number
  /** How many matching requests fail before they succeed again. */
  times: number
  /** How many matching requests succeed before the failures start; none unless given. */
  after?: number
  headers?: Record<string, string>
}

/** An artifact or a cache entry as the REST API lists it. */
export interface StoredArtifact {
  id: number
  name: string
  created_at: string
  expires_at: string
  expired: boolean
  /** head_repository_id is a fork's for a fork PR's own runs; REPO_ID otherwise. */
  workflow_run: { id: number; repository_id: number; head_repository_id: number; head_branch: string; head_sha: string }
}

export interface StoredCache {
  id: number
  key: string
  ref: string
  created_at: string
}

export type FileStatus = 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged'

/** A pull request file as `GET /pulls/{n}/files` lists it; `patch` is absent for binary or huge files. */
export interface PullFile {
  sha: string
  filename: string
  status: FileStatus
  additions: number
  deletions: number
  changes: number
  blob_url: string
  raw_url: string
  contents_url: string
  patch?: string
  previous_filename?: string
}

export type ReviewState = 'PENDING' | 'COMMENTED' | 'APPROVED' | 'CHANGES_REQUESTED' | 'DISMISSED'

export interface StoredReview {
  id: number
  node_id: string
  /** The pull request the review belongs to (not part of GitHub's review object). */
  pull_number: number
  user: GitHubUser
  body: string
  state: ReviewState
  html_url: string
  pull_request_url: string
  _links: { html: { href: string }; pull_request: { href: string } }
  commit_id: string
  /** Absent while the review is PENDING, as GitHub leaves it out. */
  submitted_at?: string
  author_association: string
}

export interface StoredReviewComment {
  id: number
  node_id: string
  url: string
  /** The pull request the comment belongs to (not part of GitHub's comment object). */
  pull_number: number
  pull_request_review_id: number
  /** Set on replies only: the id of the thread's first comment. GitHub omits it on top-level comments. */
  in_reply_to_id?: number
  user: GitHubUser
  body: string
  path: string
  line: number | null
  start_line: number | null
  side: Side
  start_side: Side | null
  original_line: number | null
  original_start_line: number | null
  position: number | null
  original_position: number | null
  diff_hunk: string
  commit_id: string
  original_commit_id: string
  subject_type: 'line'
  html_url: string
  pull_request_url: string
  _links: { self: { href: string }; html: { href: string }; pull_request: { href: string } }
  author_association: string
  created_at: string
  updated_at: string
}

export type ReactionContent = '+1' | '-1' | 'laugh' | 'confused' | 'heart' | 'hooray' | 'rocket' | 'eyes'

export interface StoredReaction {
  id: number
  node_id: string
  /** What was reacted to (not part of GitHub's reaction object). */
  subject: 'issue_comment' | 'pull_request_review_comment'
  subject_id: number
  user: GitHubUser
  content: ReactionContent
  created_at: string
}

/** A review thread as GraphQL shows it: a top-level review comment and its replies. */
export interface ReviewThread {
  /** GraphQL node id, `PRRT_<id of the first comment>`. */
  id: string
  pull_number: number
  isResolved: boolean
  /** The login that resolved the thread, while it is resolved. */
  resolvedBy?: string
  path: string
  line: number | null
  startLine: number | null
  diffSide: Side
  comments: StoredReviewComment[]
}

/** What a test gives `setPull`; the rest of GitHub's pull request object gets defaults. */
export interface PullSpec {
  title?: string
  user?: string | GitHubUser
  head?: { sha?: string; ref?: string }
  base?: { sha?: string; ref?: string }
  state?: 'open' | 'closed'
  [field: string]: unknown
}

/** A review comment a test plants as if another user had written it. */
export interface ReviewCommentSpec {
  body: string
  /** The author; defaults to alice. */
  login?: string
  /** Replies to this review comment, taking its path and lines; then path and line are ignored. */
  in_reply_to?: number
  path?: string
  line?: number
  side?: Side
  start_line?: number
  start_side?: Side
  commit_id?: string
}

export type GitHubToken = { kind: 'actions' } | { kind: 'app'; slug: string } | { kind: 'user'; login: string }

export interface GitHubServer {
  url: string
  comments: StoredComment[]
  requests: RecordedRequest[]
  /**
   * Who the token acts as: the workflow's GITHUB_TOKEN and a GitHub App's installation token are app tokens
   * (GET /user answers 403, operations not enabled for GitHub Apps are contract violations, writes are authored
   * by `github-actions[bot]` or `<slug>[bot]`); a user token is its user. A user token by default.
   */
  token: GitHubToken
  /** Each login's role (admin, maintain, write, triage, read); alice, the default sender, has write. */
  permissions: Map<string, string>
  /** GET /pulls/{n} answers; `setPull` fills one in with GitHub's fields. */
  pulls: Map<number, Record<string, unknown>>
  artifacts: StoredArtifact[]
  /** The file each artifact's download serves, by artifact id (a raw file, not a zip). */
  artifactFiles: Map<number, { name: string; bytes: Buffer }>
  caches: StoredCache[]
  /**
   * Where an artifact's download redirects, when something else holds its blob (a signed URL of the
   * Actions services' stand-in); otherwise `artifactFiles` serves it.
   */
  artifactDownloadUrl?: (id: number) => string | undefined
  /** The token's `actions` permission: listing and downloading artifacts and caches needs read, deleting write. */
  actionsPermission: 'write' | 'read' | 'none'
  /** Each pull request's changed files, as `setPullFiles` set them. */
  pullFiles: Map<number, PullFile[]>
  reviews: StoredReview[]
  reviewComments: StoredReviewComment[]
  reactions: StoredReaction[]
  /** The login that resolved each resolved review thread, by the id of its first comment. */
  resolvedThreads: Map<number, string>
  /** Makes `resolveReviewThread` answer FORBIDDEN, as it does for a token without pull request write access. */
  resolveForbidden: boolean
  /**
   * Whether the repository lets GitHub Actions approve pull requests (Settings › Actions › General);
   * when false, an APPROVE review by github-actions[bot] gets 422.
   */
  actionsCanApprove: boolean
  /** The commit CI reads: workflow runs, their jobs and logs, check runs (./actionsRuns.ts). */
  ci: CiStore
  /** The repository's git side, for createCommitOnBranch (./commits.ts): unset, the mutation finds no branch. */
  git?: GitRemote
  fail(failure: Failure): void
  addComment(issue: number, body: string, login: string): StoredComment
  /** Sets GET /pulls/{n}, with defaults for what `spec` leaves out; returns the stored object. */
  setPull(pr: number, spec?: PullSpec): Record<string, unknown>
  setPullFiles(pr: number, files: PullFile[]): void
  /** Plants a published review comment (and its single-comment review); throws if the line is off the diff. */
  addReviewComment(pr: number, spec: ReviewCommentSpec): StoredReviewComment
  /** The pull request's review threads in the order GraphQL lists them. */
  reviewThreads(pr: number): ReviewThread[]
  close(): Promise<void>
}

export type ServerState = Omit<GitHubServer, 'url' | 'close'>

/** What a route handler gets for one request. */
export interface Route {
  method: string
  url: URL
  body: unknown
  state: ServerState
  /** The login writes with the token are authored by. */
  author: string
  baseUrl: string
  nextId(): number
  send(status: number, data: unknown, headers?: Record<string, string>): void
  /** Answers with `body` as it is, not JSON: what a redirect's target (a blob, a log) serves. */
  raw(status: number, headers: Record<string, string>, body: string | Buffer): void
}

/** The repository's branches as createCommitOnBranch sees them: a real bare repository, and what GitHub enforces on it. */
export interface GitRemote {
  /** A bare repository: the mutation writes its commits there with git plumbing, so the next fetch sees them. */
  bare: string
  /** The token's `contents` permission: a commit needs write. */
  contents: 'write' | 'read'
  /** Branches a ruleset or branch protection keeps from direct commits. */
  protectedBranches: string[]
}
