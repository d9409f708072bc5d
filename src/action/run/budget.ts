import * as core from '@actions/core'
import type { RunContext } from '../core/context.js'
import type { Redactor } from '../core/redact.js'
import { TurnReport } from '../core/report.js'
import { totalTokens } from '../core/usage.js'
import type { Settings } from '../settings/settings.js'
import { renderComment } from '../surfaces/comment.js'
import { publishOutputs } from '../surfaces/outputs.js'
import type { Session, ThreadKeys } from './session.js'

/**
 * Why the PR's thread may not take another turn (its tokens reached thread-token-budget), or
 * undefined when it may. Counted before the turn: the turn that crosses the budget still finishes.
 */
export function spentBudget(
  settings: Pick<Settings, 'threadTokenBudget'>,
  session: Pick<Session, 'thread'>
): string | undefined {
  const budget = settings.threadTokenBudget
  const used = totalTokens(session.thread.usageBefore)
  if (budget === undefined || used < budget) return undefined
  const count = (tokens: number) => tokens.toLocaleString('en-US')
  return (
    `The thread-token-budget is spent: this PR's thread has used ${count(used)} tokens (input plus output) ` +
    `of its budget of ${count(budget)}. To go on, raise thread-token-budget in the workflow, ` +
    `or set resume: false to start a new thread, whose count starts from zero.`
  )
}

/** A turn refused for the budget: no model call; the sticky comment says so, the thread's record kept in it. */
export async function skipOverBudget(parts: {
  reason: string
  settings: Pick<Settings, 'walkthrough'>
  context: Pick<RunContext, 'runUrl' | 'actor'>
  keys: ThreadKeys
  session: Pick<Session, 'thread' | 'sticky'>
  redactor: Redactor
}): Promise<void> {
  const { reason, keys, redactor } = parts
  const { thread, sticky } = parts.session
  core.warning(`Skipped: ${reason}`)
  const report = TurnReport.skipped(parts.context.runUrl, reason, {
    resumed: thread.resumed,
    requestedBy: parts.context.actor?.login,
    threadUsageBefore: thread.usageBefore
  })
  const body = redactor.redact(
    renderComment({
      key: keys.threadKey,
      report,
      history: thread.history(report),
      encodedTranscript: thread.encodedTranscript,
      walkthrough: parts.settings.walkthrough
    })
  )
  await publishOutputs(report, redactor, sticky && (() => sticky.publish(body)))
}
