import * as core from '@actions/core'
import { useBaseInstructions } from '../codex/instructions.js'
import type { RunContext } from '../github/context.js'
import { actorOf } from '../github/actor.js'
import { renderComment } from '../surfaces/comment.js'
import { jobLog, LogStreamer } from '../surfaces/log.js'
import type { Redactor } from '../core/redact.js'
import type { Settings } from '../settings/settings.js'
import type { OpenedThread } from './session.js'
import type { TurnKind } from '../core/kind.js'
import { buildPrompt } from '../core/prompt.js'
import { TurnReport } from '../core/report.js'
import { runTurn } from './turn.js'

export interface LiveTurn {
  report: TurnReport
  /** The sticky comment as the report shows the turn now. */
  comment: () => string
}

/** The turn, streamed into the job log and the sticky comment as it happens. */
export async function runLive(
  settings: Settings,
  context: RunContext,
  { codex, pr, thread, threadKey, sticky }: OpenedThread,
  kind: TurnKind,
  redactor: Redactor
): Promise<LiveTurn> {
  thread.request = kind.request
  const report = new TurnReport(context.runUrl, settings.workingDirectory)
  report.resumed = thread.resumed
  report.requestedBy = actorOf(context.payload, process.env)?.login
  const comment = (): string =>
    redactor.redact(
      renderComment({
        key: threadKey,
        report,
        history: thread.history(report),
        encodedTranscript: thread.encodedTranscript
      })
    )
  sticky?.progress(comment)
  await kind.started?.()
  const streamer = new LogStreamer(jobLog, settings.workingDirectory)
  core.info(
    `Codex turn in ${settings.workingDirectory} (sandbox ${settings.sandbox}${settings.model ? `, model ${settings.model}` : ''})`
  )
  const restoreInstructions =
    pr && !settings.trustPrInstructions
      ? await useBaseInstructions({ ...settings, baseSha: pr.baseSha, log: core })
      : undefined
  await runTurn(report, {
    thread: thread.start(codex, {
      workingDirectory: settings.workingDirectory,
      sandboxMode: settings.sandbox,
      model: settings.model,
      modelReasoningEffort: settings.effort,
      skipGitRepoCheck: true
    }),
    input: thread.input(buildPrompt(kind.instructions, { ...context, pullRequest: pr }, kind.facts)),
    outputSchema: kind.outputSchema,
    timeoutMs: settings.timeoutMs,
    cancelSignals: ['SIGINT', 'SIGTERM'],
    redactor,
    onEvent: (event) => {
      streamer.handle(event)
      sticky?.progress(comment)
    }
  }).finally(restoreInstructions)
  streamer.close(report)
  return { report, comment }
}
