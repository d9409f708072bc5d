import { GITHUB_BODY_LIMIT } from '../core/constants.js'
import { keyMarkerStanding, proveMarkers, readRecordMarker, type MarkerProof } from '../core/markers.js'
import type { GitHubApi, IssueComment } from './api.js'
import { httpStatusOf } from './octokit.js'

/** The calls a sticky comment makes. */
export type CommentApi = Pick<GitHubApi, 'viewer' | 'listComments' | 'createComment' | 'updateComment'>

/** Progress edits are at most this frequent, to stay far from GitHub's rate limits. */
const PROGRESS_INTERVAL_MS = 5000

/**
 * The first progress edit waits this long, so a turn that ends sooner gets one write, its final text:
 * octokit's throttling spaces writes 1 s apart, so a progress edit would hold the final one back.
 */
const FIRST_PROGRESS_DELAY_MS = 3000

/**
 * One comment per thread key on a PR, found again by its hidden marker and edited in place. The
 * marker counts when its proof holds (the earliest such comment: a later copy of ours, proof and
 * all, takes nothing over); a comment from before proofs (an unsigned marker) counts only when
 * written by the token's own identity, and only while no proven one exists. Anyone can paste one.
 */
export class StickyComment {
  #comment?: IssueComment
  #searched = false
  #writing: Promise<void> = Promise.resolve()
  /** When the next progress edit may be sent; set by the first progress call. */
  #nextWrite?: number
  #pendingRender?: () => string
  #timer?: NodeJS.Timeout
  #failed = false

  constructor(
    private readonly api: CommentApi,
    private readonly issueNumber: number,
    private readonly key: string,
    private readonly proof: MarkerProof,
    private readonly warn: (message: string) => void,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
    private readonly firstDelayMs = FIRST_PROGRESS_DELAY_MS
  ) {}

  /**
   * The comment of `key` on the run's PR, when one is wanted and can be written: `comment` defaults
   * to true on PR events. Why none is written is a warning.
   */
  static open(
    comment: boolean | undefined,
    prNumber: number | undefined,
    api: CommentApi | undefined,
    key: string,
    proof: MarkerProof,
    warn: (message: string) => void
  ): StickyComment | undefined {
    const wanted = comment ?? prNumber !== undefined
    if (!wanted) return undefined
    if (prNumber === undefined)
      warn('Input "comment" is true, but this run is not about a pull request: no comment is written')
    else if (!api) warn('Input "github-token" is empty: no PR comment is written')
    else return new StickyComment(api, prNumber, key, proof, warn)
    return undefined
  }

  get url(): string | undefined {
    return this.#comment?.url
  }

  /** Finds the thread's existing comment: its proven one, else an older action's by the token's identity. */
  async find(): Promise<IssueComment | undefined> {
    const comments = await this.api.listComments(this.issueNumber)
    const standings = await Promise.all(
      comments.map((comment) => keyMarkerStanding(comment.body, this.key, this.proof))
    )
    const proven = comments.find((_, index) => standings[index] === 'proven')
    const unsigned = comments.filter((_, index) => standings[index] === 'unsigned')
    // the identity is asked only when an older action's comment may be ours
    const viewer = !proven && unsigned.length ? await this.api.viewer() : undefined
    this.#comment = proven ?? unsigned.filter((comment) => viewer !== undefined && comment.author === viewer).at(-1)
    this.#searched = true
    return this.#comment
  }

  /**
   * Shows progress; writes coalesce so at most one edit happens per interval, the first one
   * `firstDelayMs` after the first call. `render` runs only when an edit is sent, not per call.
   */
  progress(render: () => string): void {
    if (this.#failed) return
    this.#pendingRender = render
    if (this.#timer) return
    this.#nextWrite ??= Date.now() + this.firstDelayMs
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined
        const next = this.#pendingRender
        this.#pendingRender = undefined
        // publish() awaits the queue this joins, and #enqueue turns every failure into a warning
        if (next) void this.#enqueue(next(), false)
      },
      Math.max(0, this.#nextWrite - Date.now())
    )
  }

  /** Writes the final body, after any write in flight; returns the comment's URL, or undefined on failure. */
  async publish(body: string): Promise<string | undefined> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#pendingRender = undefined
    this.#failed = false
    await this.#enqueue(body, true)
    return this.#failed ? undefined : this.url
  }

  #enqueue(body: string, final: boolean): Promise<void> {
    this.#writing = this.#writing.then(async () => {
      try {
        this.#comment = await this.#write(body)
        this.#nextWrite = Date.now() + this.intervalMs
      } catch (error) {
        this.#failed = true
        this.warn(`Could not ${final ? 'write' : 'update'} the PR comment: ${(error as Error).message}`)
      }
    })
    return this.#writing
  }

  async #write(unproven: string): Promise<IssueComment> {
    if (!this.#searched) await this.find()
    const body = await proveMarkers(unproven, this.proof)
    // a body GitHub refuses (over its limit, or a 422 for any other reason) would cost the PR its
    // comment and the thread's record with it: the record is kept in a body of its essentials
    if (body.length > GITHUB_BODY_LIMIT) return this.#put(await proveMarkers(essentials(unproven), this.proof))
    try {
      return await this.#put(body)
    } catch (error) {
      if (httpStatusOf(error) !== 422) throw error
      this.warn(`GitHub refused the PR comment (${(error as Error).message}): writing its record alone`)
      return this.#put(await proveMarkers(essentials(unproven), this.proof))
    }
  }

  async #put(body: string): Promise<IssueComment> {
    if (this.#comment) {
      try {
        return await this.api.updateComment(this.#comment.id, body)
      } catch (error) {
        // deleted by someone since: start a new one
        if (httpStatusOf(error) !== 404) throw error
      }
    }
    return this.api.createComment(this.issueNumber, body)
  }
}

/**
 * What a comment body cannot lose: its key marker (first line), a note, and its record (last line),
 * within GitHub's limit whatever the body held, since the record's marker is bounded (TRANSCRIPT_MAX_MARKER).
 */
function essentials(body: string): string {
  const lines = body.trimEnd().split('\n')
  const record = readRecordMarker(body) ? [lines.at(-1)!] : []
  return [
    lines[0]!,
    '### 🤖 Codex',
    '',
    "_This turn's comment did not fit GitHub's limit for a comment: the workflow run's job summary and outputs have it._",
    ...record
  ].join('\n')
}
