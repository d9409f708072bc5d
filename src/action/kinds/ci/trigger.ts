import type { WorkflowRunEvent } from '@octokit/webhooks-types'
import { oneLine } from '../../../shared/text.js'
import { failed } from '../../github/ci.js'
import { breakLogCommands } from '../../surfaces/log.js'

/** The workflow run whose failure started this run, as the workflow_run event tells it. */
export interface FailedRunTrigger {
  id: number
  name: string
  conclusion: string
}

/**
 * Whether a workflow_run event starts a turn: only a completed run that failed and belongs to a PR
 * of this repository (GitHub lists no PR for a fork's, so those are skipped, green). Undefined for
 * other events.
 */
export function readWorkflowRunTrigger(
  eventName: string,
  payload: Record<string, unknown>
): { run: FailedRunTrigger } | { skip: string } | undefined {
  if (eventName !== 'workflow_run') return undefined
  const event = payload as Partial<WorkflowRunEvent>
  const run = event.workflow_run
  if (!run) return { skip: 'the workflow_run event carries no workflow run' }
  // repository text, and the skip is a line of the job log
  const name = breakLogCommands(oneLine(run.name ?? `run ${run.id}`, 100))
  if (event.action !== 'completed' || run.status !== 'completed')
    return {
      skip: `workflow run "${name}" is ${String(event.action)}, and only a completed run that failed starts a turn`
    }
  if (!failed(run.conclusion)) return { skip: `workflow run "${name}" ended ${String(run.conclusion)}: nothing failed` }
  if (!run.pull_requests?.length)
    return {
      skip: `workflow run "${name}" failed, but belongs to no pull request of this repository (GitHub lists none for a fork's pull request)`
    }
  return { run: { id: run.id, name, conclusion: run.conclusion! } }
}
