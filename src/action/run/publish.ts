import * as core from '@actions/core'
import type { Redactor } from '../core/redact.js'
import { failOnSeverity } from '../kinds/review/verdict.js'
import type { Settings } from '../settings/settings.js'
import type { OpenedThread } from './session.js'
import type { TurnKind } from '../core/kind.js'
import type { LiveTurn } from './live.js'
import { defuse } from '../surfaces/log.js'
import { publishResults } from '../surfaces/outputs.js'

/** What the turn kind posts (the review, the answer), then outputs, summary and comment, and the thread saved. */
export async function publishTurn(
  settings: Settings,
  { thread, sticky }: OpenedThread,
  kind: TurnKind,
  { report, comment }: LiveTurn,
  redactor: Redactor
): Promise<void> {
  await kind.publish?.(report)
  await thread.finish(report)
  await Promise.all([thread.save(), publishResults(report, redactor, sticky && (() => sticky.publish(comment())))])
  if (report.status !== 'success')
    core.setFailed(defuse(redactor.redact(report.error ?? `The turn ended: ${report.status}`)))
  else if (settings.failOnSeverity) failOnSeverity(report, settings.failOnSeverity)
}
