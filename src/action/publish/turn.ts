import * as core from '@actions/core'
import type { Redactor } from '../redact.js'
import { failOnSeverity } from '../review/verdict.js'
import type { Settings } from '../settings.js'
import type { OpenedThread } from '../thread/open.js'
import type { TurnKind } from '../turn/kind.js'
import type { LiveTurn } from '../turn/live.js'
import { defuse } from './log.js'
import { publishResults } from './results.js'

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
