/** The pull request a run is about, as far as the event tells. */
export interface PullRequestInfo {
  number: number
  title?: string
  baseRef?: string
  baseSha?: string
  headRef?: string
  headSha?: string
  /** Whether the PR is open, closed or merged, as the API says now (an event's payload may be old). */
  state?: 'open' | 'closed' | 'merged'
}

/** Who started the run, and so whose say-so the agent would act on. */
export interface Actor {
  login: string
  bot: boolean
}

/** What the runner tells about this run, read once at its start. */
export interface RunContext {
  eventName: string
  repository: { owner: string; repo: string }
  serverUrl: string
  apiUrl: string
  runId: string
  runAttempt: string
  /** Link to this workflow run's page. */
  runUrl: string
  pullRequest?: PullRequestInfo
  /** The raw event payload (GITHUB_EVENT_PATH). */
  payload: Record<string, unknown>
  /** Who vouches for this run; undefined when the event names nobody. */
  actor?: Actor
  /** Scratch space that goes with the job (RUNNER_TEMP). */
  tempDir: string
}
