import type { Redactor } from '../../core/redact.js'
import {
  failed,
  refusedForPermission,
  type CiApi,
  type FailedCheckRun,
  type FailedJob,
  type WorkflowRunSummary
} from '../../github/ci.js'
import { keepLog, makeLogFolder, type KeptLog } from './logs.js'

/** At most this many failed jobs' logs are downloaded; the rest are named, not read. */
export const MAX_FAILED_JOBS = 8
/** Logs downloaded at once. */
const DOWNLOADS_AT_ONCE = 4

/** A failed job and what the agent gets of its log. */
export interface JobEvidence {
  run: WorkflowRunSummary
  job: FailedJob
  log?: KeptLog
  /** Why the log could not be read, when it could not. */
  logProblem?: string
}

/** What a PR head's CI failure is known by: its failed runs, jobs and logs, and other CI systems' check runs. */
export interface CiEvidence {
  headSha: string
  /** The failed runs: the newest run of each workflow of the commit, when it failed. */
  failedRuns: WorkflowRunSummary[]
  /** Workflows whose newest run has not completed yet. */
  running: number
  jobs: JobEvidence[]
  /** Failed jobs past MAX_FAILED_JOBS, whose logs were not read. */
  jobsLeftOut: Array<{ run: WorkflowRunSummary; job: FailedJob }>
  /** The failed check runs of other CI systems, or why they were not read. */
  checkRuns: FailedCheckRun[] | { notRead: string }
  /** Where the logs are. */
  folder: string
}

export interface GatherOptions {
  api: CiApi
  headSha: string
  tempDir: string
  redactor: Redactor
}

/**
 * The failures of the commit's CI, the logs on disk. `refused`: the token may not read the runs
 * (`actions: read` missing), and so nothing was gathered.
 */
export async function gatherCi(options: GatherOptions): Promise<CiEvidence | { refused: string }> {
  const { api, headSha, redactor } = options
  let runs: WorkflowRunSummary[]
  try {
    runs = await api.runsOfCommit(headSha)
  } catch (error) {
    if (refusedForPermission(error))
      return {
        refused:
          "the workflow's token may not read GitHub Actions runs: grant `actions: read` in the workflow's `permissions:` " +
          "(and `checks: read` for other CI systems' check runs)"
      }
    throw error
  }
  const newest = newestOfEachWorkflow(runs)
  const failedRuns = newest.filter((run) => run.status === 'completed' && failed(run.conclusion))
  const [failedJobs, checkRuns] = await Promise.all([
    Promise.all(failedRuns.map(async (run) => (await api.failedJobs(run.id)).map((job) => ({ run, job })))),
    api.failedCheckRuns(headSha).catch((error: unknown) => {
      if (refusedForPermission(error))
        return {
          notRead: "the token may not read check runs: grant `checks: read` to include other CI systems' failures"
        }
      throw error
    })
  ])
  const all = failedJobs.flat()
  const folder = await makeLogFolder(options.tempDir)
  const jobs = await eachAtMost(DOWNLOADS_AT_ONCE, all.slice(0, MAX_FAILED_JOBS), async ({ run, job }) => {
    try {
      const log = await keepLog(await api.jobLog(job.id), folder, `job-${job.id}.log`, redactor)
      return { run, job, log }
    } catch (error) {
      return { run, job, logProblem: redactor.redact((error as Error).message) }
    }
  })
  const running = newest.filter((run) => run.status !== 'completed').length
  return { headSha, failedRuns, running, jobs, jobsLeftOut: all.slice(MAX_FAILED_JOBS), checkRuns, folder }
}

/**
 * A workflow can run several times on one commit (pushed again, reopened, two events): its newest
 * run says whether it fails now. The API lists runs newest first; the run's own attempt is its latest.
 */
function newestOfEachWorkflow(runs: WorkflowRunSummary[]): WorkflowRunSummary[] {
  const newest = new Map<number, WorkflowRunSummary>()
  for (const run of runs) {
    const known = newest.get(run.workflowId)
    if (!known || run.runNumber > known.runNumber) newest.set(run.workflowId, run)
  }
  return [...newest.values()]
}

/** `work` over `items`, at most `limit` at a time, the results in the items' order. */
async function eachAtMost<T, R>(limit: number, items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
