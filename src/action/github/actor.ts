import { Inputs } from '../core/constants.js'
import type { Actor, RunContext } from '../core/context.js'
import { InputError } from '../core/errors.js'
import type { GitHubApi } from './api.js'

interface Admission {
  allowed: boolean
  /** Why, naming the actor; for a refusal, also the input that would allow them. */
  reason: string
}

/**
 * Events GitHub lets only collaborators with write access cause in this repository (a fork's
 * pushes run in the fork): asking the API again would only add a call that can fail.
 */
const writerOnlyEvents = new Set(['push', 'workflow_dispatch', 'schedule', 'repository_dispatch'])

/** Repository roles that may start a turn; `permission` folds maintain into write. */
const trustedRoles = new Set(['admin', 'maintain', 'write'])
const trustedPermissions = new Set(['admin', 'write'])

/**
 * Whether the actor may start a turn: bots only when listed in allow-bots; users when listed in
 * allow-users or holding write, maintain or admin on the repository.
 */
export async function admitActor(
  actor: Actor | undefined,
  lists: { allowUsers: readonly string[]; allowBots: readonly string[] },
  repository: string,
  github: GitHubApi | undefined,
  eventName: string
): Promise<Admission> {
  if (!actor) return { allowed: false, reason: 'The event names no actor, so nobody vouches for this turn' }
  const { login } = actor
  if (actor.bot) {
    return listed(lists.allowBots, login)
      ? { allowed: true, reason: `${login} is listed in allow-bots` }
      : { allowed: false, reason: `${login} is a bot; list it in allow-bots to let it start a turn` }
  }
  if (listed(lists.allowUsers, login))
    return { allowed: true, reason: `${login} is listed in allow-users${lists.allowUsers.includes('*') ? ' (*)' : ''}` }
  if (writerOnlyEvents.has(eventName))
    return { allowed: true, reason: `${login} started a ${eventName} run, which takes write access to the repository` }
  if (!github)
    throw new InputError(
      Inputs.GithubToken,
      `is empty, so whether ${login} may start a turn cannot be checked; give a token or list them in allow-users`
    )
  let access
  try {
    access = await github.permission(login)
  } catch (error) {
    throw new Error(`Could not check ${login}'s permission on ${repository}: ${(error as Error).message}`, {
      cause: error
    })
  }
  if (access && (trustedRoles.has(access.role) || trustedPermissions.has(access.permission)))
    return { allowed: true, reason: `${login} has ${access.role} access to ${repository}` }
  const has = access && access.permission !== 'none' ? `has ${access.role} access` : 'has no access'
  return {
    allowed: false,
    reason: `${login} ${has} to ${repository}, and a turn needs write, maintain or admin; list them in allow-users to let them start one`
  }
}

/** A list matches a login case-insensitively, a bot with or without its [bot] suffix, and '*' matches all. */
function listed(list: readonly string[], login: string): boolean {
  const bare = (name: string): string => name.toLowerCase().replace(/\[bot\]$/, '')
  return list.some((entry) => entry === '*' || bare(entry) === bare(login))
}

/** Whether the actor of this run may start a turn. */
export function admitRun(
  context: Pick<RunContext, 'actor' | 'repository' | 'eventName'>,
  lists: { allowUsers: readonly string[]; allowBots: readonly string[] },
  github: GitHubApi | undefined
): Promise<Admission> {
  const { owner, repo } = context.repository
  return admitActor(context.actor, lists, `${owner}/${repo}`, github, context.eventName)
}
