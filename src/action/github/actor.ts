import { isPlainObject } from '../../shared/checks.js'
import { Inputs } from '../core/constants.js'
import { InputError } from '../settings/settings.js'
import type { GitHubApi } from './api.js'
import type { RunContext } from './context.js'

/** Who started the run, and so whose say-so the agent would act on. */
interface Actor {
  login: string
  bot: boolean
}

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
 * The event's sender (who opened or pushed the PR, or wrote the comment), except on a re-run by
 * someone else: GITHUB_TRIGGERING_ACTOR, who asked for this run, is then the one vouching for it.
 * Events without a sender (schedule) fall back to GITHUB_ACTOR.
 */
export function actorOf(payload: Record<string, unknown>, env: NodeJS.ProcessEnv): Actor | undefined {
  const sender = isPlainObject(payload.sender) ? payload.sender : {}
  const senderLogin = typeof sender.login === 'string' && sender.login ? sender.login : undefined
  const triggering = env.GITHUB_TRIGGERING_ACTOR?.trim()
  if (triggering && triggering !== senderLogin) return { login: triggering, bot: isBotLogin(triggering) }
  if (senderLogin) return { login: senderLogin, bot: sender.type === 'Bot' || isBotLogin(senderLogin) }
  const actor = env.GITHUB_ACTOR?.trim()
  return actor ? { login: actor, bot: isBotLogin(actor) } : undefined
}

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

function isBotLogin(login: string): boolean {
  return login.endsWith('[bot]')
}

/** A list matches a login case-insensitively, a bot with or without its [bot] suffix, and '*' matches all. */
function listed(list: readonly string[], login: string): boolean {
  const bare = (name: string): string => name.toLowerCase().replace(/\[bot\]$/, '')
  return list.some((entry) => entry === '*' || bare(entry) === bare(login))
}

/** Whether the actor of this run may start a turn. */
export function admitRun(
  context: Pick<RunContext, 'payload' | 'repository' | 'eventName'>,
  lists: { allowUsers: readonly string[]; allowBots: readonly string[] },
  github: GitHubApi | undefined,
  env: NodeJS.ProcessEnv
): Promise<Admission> {
  const { owner, repo } = context.repository
  return admitActor(actorOf(context.payload, env), lists, `${owner}/${repo}`, github, context.eventName)
}
