import type { RunContext } from '../core/context.js'
import { Inputs } from '../core/constants.js'
import { InputError } from '../core/errors.js'
import { isPlainObject } from '../../shared/checks.js'
import type { Settings } from './settings.js'

/**
 * On `pull_request_target` the job holds the base repository's secrets and a write token while it
 * looks at a fork's code: the agent may then only read, and only by the base branch's instructions.
 * Anything else is refused before a turn starts.
 */
export function assertForkPolicy(
  settings: Pick<Settings, 'sandbox' | 'trustPrInstructions'>,
  context: Pick<RunContext, 'eventName' | 'payload' | 'repository'>
): void {
  if (context.eventName !== 'pull_request_target' || !isForkPullRequest(context)) return
  if (settings.sandbox !== 'read-only')
    throw new InputError(
      Inputs.Sandbox,
      `must be read-only on pull_request_target for a PR from a fork, not ${settings.sandbox}: the fork's author would steer an agent that can write or reach the network`
    )
  if (settings.trustPrInstructions)
    throw new InputError(
      Inputs.TrustPrInstructions,
      "cannot be true on pull_request_target for a PR from a fork: the fork's author would write the agent's instructions"
    )
}

/**
 * Why GitHub runs this job without the repository's secrets and with a read-only token: a
 * `pull_request` run for a PR from a fork, or one Dependabot started (it gets Dependabot's secrets
 * only). Undefined for every other run.
 */
export function restrictedPullRequest(
  context: Pick<RunContext, 'eventName' | 'payload' | 'repository'>
): string | undefined {
  if (context.eventName !== 'pull_request') return undefined
  if (isForkPullRequest(context)) return 'a pull_request run for a PR from a fork'
  const sender = context.payload.sender
  if (isPlainObject(sender) && sender.login === 'dependabot[bot]') return 'a pull_request run started by Dependabot'
  return undefined
}

/** The notice of a run skipped because GitHub withheld the API key, naming why and the way out. */
export function withheldKeyReason(restriction: string): string {
  return `openai-api-key is empty: GitHub gives no repository secrets to ${restriction} (Dependabot's runs get Dependabot secrets only). Review such PRs with pull_request_target as examples/fork-review.yml does`
}

/** A PR whose head lives in another repository than its base; a deleted fork (head.repo null) counts as one. */
export function isForkPullRequest(context: Pick<RunContext, 'payload' | 'repository'>): boolean {
  const pr = context.payload.pull_request
  if (!isPlainObject(pr)) return false
  const fullName = (side: unknown): string | undefined => {
    const repo = isPlainObject(side) ? side.repo : undefined
    return isPlainObject(repo) && typeof repo.full_name === 'string' ? repo.full_name.toLowerCase() : undefined
  }
  const base = fullName(pr.base) ?? `${context.repository.owner}/${context.repository.repo}`.toLowerCase()
  return fullName(pr.head) !== base
}
