import { Readable } from 'node:stream'
import { httpStatusOf, type Octokit } from './octokit.js'

/** A workflow run of a commit, as far as the CI kind reads it. */
export interface WorkflowRunSummary {
  id: number
  /** The workflow's name (repository text: whoever can push a workflow file names it). */
  name: string
  workflowId: number
  runNumber: number
  attempt: number
  event: string
  status: string
  conclusion: string | null
  url: string
}

/** A job of a run that did not succeed, with the steps that failed in it. */
export interface FailedJob {
  id: number
  name: string
  conclusion: string
  url: string
  /** The names of the steps whose conclusion is failure (or timed_out), in order. */
  failedSteps: string[]
}

/** A check run that failed on the commit, from a CI system other than GitHub Actions. */
export interface FailedCheckRun {
  name: string
  /** The GitHub App that reported it (its slug). */
  app: string
  conclusion: string
  url: string
  title?: string
  summary?: string
}

/** The conclusions that count as failed, for runs, jobs, steps and check runs alike. */
const FAILED = new Set(['failure', 'timed_out', 'startup_failure'])

export function failed(conclusion: string | null | undefined): boolean {
  return conclusion !== null && conclusion !== undefined && FAILED.has(conclusion)
}

/** The Actions and Checks API reads of the CI kind: `actions: read` for the first three, `checks: read` for the last. */
export interface CiApi {
  /** Every workflow run of the commit, newest first. */
  runsOfCommit(headSha: string): Promise<WorkflowRunSummary[]>
  /** The jobs of the run's latest attempt that failed. */
  failedJobs(runId: number): Promise<FailedJob[]>
  /**
   * The job's log as a stream of bytes: GitHub answers the job-logs endpoint with a redirect to a
   * signed URL on another host, which is fetched without the token.
   */
  jobLog(jobId: number): Promise<Readable>
  /** The check runs of the commit that failed, GitHub Actions' own left out (the runs above cover them). */
  failedCheckRuns(headSha: string): Promise<FailedCheckRun[]>
}

export function createCiApi(octokit: Octokit, owner: string, repo: string): CiApi {
  return {
    async runsOfCommit(headSha) {
      const runs = await octokit.paginate(octokit.rest.actions.listWorkflowRunsForRepo, {
        owner,
        repo,
        head_sha: headSha,
        per_page: 100
      })
      return runs.map((run) => ({
        id: run.id,
        name: run.name ?? `workflow ${run.workflow_id}`,
        workflowId: run.workflow_id,
        runNumber: run.run_number,
        attempt: run.run_attempt ?? 1,
        event: run.event,
        status: run.status ?? '',
        conclusion: run.conclusion,
        url: run.html_url
      }))
    },
    async failedJobs(runId) {
      const jobs = await octokit.paginate(octokit.rest.actions.listJobsForWorkflowRun, {
        owner,
        repo,
        run_id: runId,
        filter: 'latest',
        per_page: 100
      })
      return jobs
        .filter((job) => failed(job.conclusion))
        .map((job) => ({
          id: job.id,
          name: job.name,
          conclusion: job.conclusion!,
          url: job.html_url ?? '',
          failedSteps: (job.steps ?? []).filter((step) => failed(step.conclusion)).map((step) => step.name)
        }))
    },
    async jobLog(jobId) {
      const { headers } = await octokit.request('GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs', {
        owner,
        repo,
        job_id: jobId,
        request: { redirect: 'manual' }
      })
      const location = headers.location
      if (!location) throw new Error(`GitHub gave no location for job ${jobId}'s log`)
      const response = await fetch(location, { redirect: 'follow' })
      if (!response.ok || !response.body)
        throw new Error(`Could not download job ${jobId}'s log: HTTP ${response.status}`)
      return Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>)
    },
    async failedCheckRuns(headSha) {
      const checks = await octokit.paginate(octokit.rest.checks.listForRef, {
        owner,
        repo,
        ref: headSha,
        filter: 'latest',
        per_page: 100
      })
      return checks
        .filter((check) => failed(check.conclusion) && check.app?.slug !== 'github-actions')
        .map((check) => ({
          name: check.name,
          app: check.app?.slug ?? 'unknown',
          conclusion: check.conclusion!,
          url: check.details_url ?? check.html_url ?? '',
          ...(check.output.title && { title: check.output.title }),
          ...(check.output.summary && { summary: check.output.summary })
        }))
    }
  }
}

/** Whether the API refused the call for the token's permissions (GitHub answers 403). */
export function refusedForPermission(error: unknown): boolean {
  return httpStatusOf(error) === 403
}
