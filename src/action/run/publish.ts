import * as core from '@actions/core'
import type { TurnKind } from '../core/kind.js'
import type { Redactor } from '../core/redact.js'
import { failOnSeverity } from '../kinds/review/verdict.js'
import type { Settings } from '../settings/settings.js'
import { breakLogCommands } from '../surfaces/log.js'
import { publishOutputs } from '../surfaces/outputs.js'
import type { LiveTurn } from './live.js'
import type { Session } from './session.js'

/**
 * What the turn kind posts (the review, the answer), then the thread's record with it, then the
 * outputs, summary and comment, and the thread saved.
 */
export async function publishTurn(parts: {
  settings: Pick<Settings, 'failOnSeverity'>
  session: Pick<Session, 'thread' | 'sticky'>
  kind: TurnKind
  live: LiveTurn
  redactor: Redactor
}): Promise<void> {
  const { settings, kind, redactor } = parts
  const { thread, sticky } = parts.session
  const { report, commentBody } = parts.live
  const { reviewState, dismissed, pause, ...outcome } = (await kind.publish?.(report)) ?? {}
  report.addOutcome(outcome)
  await thread.finish(report, { reviewState, dismissed, pause })
  await Promise.all([thread.save(), publishOutputs(report, redactor, sticky && (() => sticky.publish(commentBody())))])
  if (report.status !== 'success')
    core.setFailed(breakLogCommands(redactor.redact(report.error ?? `The turn ended: ${report.status}`)))
  else if (settings.failOnSeverity) failOnSeverity(report, settings.failOnSeverity)
}
