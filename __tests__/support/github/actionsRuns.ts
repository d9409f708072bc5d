import { documentedExample } from './contract.js'
import { API_REPO, HTML_REPO, notFound, REPO_PATH } from './http.js'
import type { Route } from './types.js'

/*
 * The Actions and Checks API reads of a commit's CI: workflow runs listed by head_sha, a run's jobs
 * with their steps, a job's log (a 302 to a plain-text URL, as GitHub redirects to a signed blob
 * URL), and the commit's check runs. Objects start from GitHub's documented examples, so every field
 * the description requires is there; `actionsPermission: 'none'` and `ci.checksPermission: 'none'`
 * answer 403 as GitHub does for a token without `actions: read` or `checks: read`.
 */

export type Conclusion = 'success' | 'failure' | 'cancelled' | 'skipped' | 'timed_out'

export interface StepSpec {
  name: string
  conclusion: Conclusion
}

export interface JobSpec {
  name: string
  conclusion: Conclusion
  steps: StepSpec[]
  /** The job's log as GitHub serves it (see `githubLog`). */
  log: string | Buffer
}

export interface WorkflowRunSpec {
  /** The workflow's name. */
  name: string
  headSha: string
  conclusion: Conclusion
  jobs: JobSpec[]
  /** The workflow's id; runs of one workflow share it. Default: one of its own per name. */
  workflowId?: number
  event?: string
  /** The PR the run belongs to, as the run lists it (none for a fork's PR). */
  pr?: number
}

export interface CheckRunSpec {
  name: string
  headSha: string
  conclusion: Conclusion
  /** The reporting app's slug; `github-actions` for Actions' own. */
  app: string
  title?: string
  summary?: string
}

type Json = Record<string, unknown>

export interface CiStore {
  runs: Json[]
  jobs: Json[]
  /** Each job's log, by job id. */
  logs: Map<number, Buffer>
  checkRuns: Json[]
  /** The token's `checks` permission: none answers check-run reads with 403. */
  checksPermission: 'read' | 'none'
  /** Stores a completed run with its jobs; returns the run's and the jobs' ids. */
  addRun(spec: WorkflowRunSpec): { runId: number; jobIds: number[] }
  addCheckRun(spec: CheckRunSpec): void
}

export function createCiStore(nextId: () => number): CiStore {
  const workflowIds = new Map<string, number>()
  const store: CiStore = {
    runs: [],
    jobs: [],
    logs: new Map(),
    checkRuns: [],
    checksPermission: 'read',
    addRun(spec) {
      const runId = nextId()
      const workflowId = spec.workflowId ?? workflowIds.get(spec.name) ?? nextId()
      workflowIds.set(spec.name, workflowId)
      const runNumber = store.runs.filter((run) => run.workflow_id === workflowId).length + 1
      const example = (documentedExample('actions/list-workflow-runs-for-repo', 200) as { workflow_runs: Json[] })
        .workflow_runs[0]!
      const url = `${API_REPO}/actions/runs/${runId}`
      store.runs.unshift({
        ...example,
        id: runId,
        node_id: `WFR_${runId}`,
        name: spec.name,
        display_title: spec.name,
        head_sha: spec.headSha,
        head_branch: spec.pr ? `feature-${spec.pr}` : 'main',
        event: spec.event ?? 'pull_request',
        status: 'completed',
        conclusion: spec.conclusion,
        workflow_id: workflowId,
        run_number: runNumber,
        run_attempt: 1,
        url,
        html_url: `${HTML_REPO}/actions/runs/${runId}`,
        jobs_url: `${url}/jobs`,
        logs_url: `${url}/logs`,
        pull_requests: spec.pr
          ? [
              {
                id: spec.pr,
                number: spec.pr,
                url: `${API_REPO}/pulls/${spec.pr}`,
                head: { ref: `feature-${spec.pr}`, sha: spec.headSha, repo: { id: 4200, url: API_REPO, name: 'demo' } },
                base: { ref: 'main', sha: 'a'.repeat(40), repo: { id: 4200, url: API_REPO, name: 'demo' } }
              }
            ]
          : []
      })
      const jobExample = (documentedExample('actions/list-jobs-for-workflow-run', 200) as { jobs: Json[] }).jobs[0]!
      const jobIds = spec.jobs.map((job) => {
        const id = nextId()
        store.jobs.push({
          ...jobExample,
          id,
          node_id: `CR_${id}`,
          run_id: runId,
          run_url: url,
          run_attempt: 1,
          head_sha: spec.headSha,
          workflow_name: spec.name,
          name: job.name,
          url: `${API_REPO}/actions/jobs/${id}`,
          html_url: `${HTML_REPO}/actions/runs/${runId}/job/${id}`,
          status: 'completed',
          conclusion: job.conclusion,
          created_at: '2026-01-01T00:00:00Z',
          started_at: '2026-01-01T00:00:00Z',
          completed_at: '2026-01-01T00:00:09Z',
          steps: job.steps.map((step, index) => ({
            name: step.name,
            status: 'completed',
            conclusion: step.conclusion,
            number: index + 1,
            started_at: '2026-01-01T00:00:00Z',
            completed_at: '2026-01-01T00:00:01Z'
          }))
        })
        store.logs.set(id, Buffer.isBuffer(job.log) ? job.log : Buffer.from(job.log))
        return id
      })
      return { runId, jobIds }
    },
    addCheckRun(spec) {
      const id = nextId()
      const example = (documentedExample('checks/list-for-ref', 200) as { check_runs: Json[] }).check_runs[0]!
      store.checkRuns.push({
        ...example,
        id,
        node_id: `CR_${id}`,
        name: spec.name,
        head_sha: spec.headSha,
        status: 'completed',
        conclusion: spec.conclusion,
        url: `${API_REPO}/check-runs/${id}`,
        html_url: `${HTML_REPO}/runs/${id}`,
        details_url: `https://ci.example.com/builds/${id}`,
        app: { ...(example.app as Json), slug: spec.app, name: spec.app },
        output: {
          title: spec.title ?? null,
          summary: spec.summary ?? null,
          text: null,
          annotations_count: 0,
          annotations_url: `${API_REPO}/check-runs/${id}/annotations`
        },
        pull_requests: []
      })
    }
  }
  return store
}

const forbidden = (route: Route): void =>
  route.send(403, {
    message: 'Resource not accessible by integration',
    documentation_url: 'https://docs.github.com/rest',
    status: '403'
  })

/**
 * One page of a list GitHub wraps in an object (`{ total_count, <key>: [...] }`), with the `link`
 * header naming the next page while there is one.
 */
function sendListPage(route: Route, key: string, items: Json[]): void {
  const perPage = Math.min(100, Math.max(1, Number(route.url.searchParams.get('per_page') ?? 30)))
  const page = Math.max(1, Number(route.url.searchParams.get('page') ?? 1))
  const next = new URL(route.url.pathname + route.url.search, route.baseUrl)
  next.searchParams.set('page', String(page + 1))
  const headers: Record<string, string> = page * perPage < items.length ? { link: `<${next.href}>; rel="next"` } : {}
  route.send(200, { total_count: items.length, [key]: items.slice((page - 1) * perPage, page * perPage) }, headers)
}

/**
 * GET /actions/runs?head_sha=, /actions/runs/{id}/jobs, /actions/jobs/{id}/logs (302) and its
 * target /_logs/{id}, and /commits/{ref}/check-runs.
 */
export function handleActionsRuns(route: Route): boolean {
  const { state, url, method } = route
  if (method !== 'GET') return false
  const { ci } = state
  let match: RegExpExecArray | null
  if ((match = /^\/_logs\/(\d+)$/.exec(url.pathname))) {
    // the signed blob URL: no token needed, plain text
    const log = ci.logs.get(Number(match[1]))
    if (!log) route.raw(404, { 'content-type': 'text/plain' }, 'Not Found')
    else route.raw(200, { 'content-type': 'text/plain; charset=utf-8' }, log)
    return true
  }
  const actions = new RegExp(`^${REPO_PATH}/actions/(runs|runs/(\\d+)/jobs|jobs/(\\d+)/logs)$`).exec(url.pathname)
  if (actions) {
    if (state.actionsPermission === 'none') forbidden(route)
    else if (actions[1] === 'runs') {
      const sha = url.searchParams.get('head_sha')
      const runs = ci.runs.filter((run) => sha === null || run.head_sha === sha)
      sendListPage(route, 'workflow_runs', runs)
    } else if (actions[2]) {
      const runId = Number(actions[2])
      if (!ci.runs.some((run) => run.id === runId)) notFound(route)
      else {
        const jobs = ci.jobs.filter((job) => job.run_id === runId)
        sendListPage(route, 'jobs', jobs)
      }
    } else {
      const jobId = Number(actions[3])
      if (!ci.logs.has(jobId)) notFound(route)
      else route.send(302, '', { location: `${route.baseUrl}/_logs/${jobId}?sig=${jobId.toString(36)}` })
    }
    return true
  }
  if ((match = new RegExp(`^${REPO_PATH}/commits/([^/]+)/check-runs$`).exec(url.pathname))) {
    if (ci.checksPermission === 'none') forbidden(route)
    else {
      const ref = decodeURIComponent(match[1]!)
      const checks = ci.checkRuns.filter((check) => check.head_sha === ref)
      sendListPage(route, 'check_runs', checks)
    }
    return true
  }
  return false
}

/** A step of a log `githubLog` writes: its `##[group]Run` header, its output, and an `##[error]` when it failed. */
export interface LogStep {
  name: string
  output: string[]
  error?: string
}

/**
 * A job log as GitHub serves it: a byte-order mark, then every line prefixed with an ISO timestamp
 * (seven digits of fraction), each step's command in a `##[group]Run …` / `##[endgroup]` pair, its
 * output, and `##[error]…` where it failed.
 */
export function githubLog(steps: LogStep[]): string {
  let tick = Date.UTC(2026, 0, 1, 12, 0, 0)
  const stamp = (line: string): string => `${new Date((tick += 7)).toISOString().replace('Z', '0000Z')} ${line}`
  const lines = ["Current runner version: '2.330.0'", '##[group]Operating System', 'Ubuntu', '24.04', '##[endgroup]']
  for (const step of steps) {
    lines.push(`##[group]Run ${step.name}`, step.name, 'shell: /usr/bin/bash -e {0}', '##[endgroup]')
    // one by one: a 50 MiB log's half a million lines are too many arguments for one push
    for (const line of step.output) lines.push(line)
    if (step.error) lines.push(`##[error]${step.error}`)
  }
  lines.push('Cleaning up orphan processes')
  return `\ufeff${lines.map(stamp).join('\n')}\n`
}
