import * as core from '@actions/core'
import type { RunContext } from '../core/context.js'
import type { TurnKind } from '../core/kind.js'
import { buildPrompt } from '../core/prompt.js'
import type { Redactor } from '../core/redact.js'
import { TurnReport } from '../core/report.js'
import type { Settings } from '../settings/settings.js'
import { renderComment } from '../surfaces/comment.js'
import { jobLog, LogStreamer } from '../surfaces/log.js'
import type { ThreadKeys, Session } from './session.js'
import { runTurn } from './turn.js'

export type LiveSettings = Pick<
  Settings,
  'workingDirectory' | 'sandbox' | 'model' | 'effort' | 'timeoutMs' | 'walkthrough'
>

export interface LiveTurn {
  report: TurnReport
  /** The sticky comment's body as the report shows the turn now. */
  commentBody: () => string
}

/** The turn, streamed into the job log and the sticky comment as it happens. */
export async function runLive(parts: {
  settings: LiveSettings
  context: RunContext
  keys: ThreadKeys
  session: Session
  kind: TurnKind
  redactor: Redactor
}): Promise<LiveTurn> {
  const { settings, context, kind, redactor } = parts
  const { codex, agent, pr, thread, sticky } = parts.session
  const report = new TurnReport(context.runUrl, {
    workingDirectory: settings.workingDirectory,
    request: kind.request,
    resumed: thread.resumed,
    requestedBy: context.actor?.login,
    threadUsageBefore: thread.usageBefore
  })
  const commentBody = (): string =>
    redactor.redact(
      renderComment({
        key: parts.keys.threadKey,
        report,
        history: thread.history(report),
        encodedTranscript: thread.encodedTranscript,
        walkthrough: settings.walkthrough
      })
    )
  sticky?.progress(commentBody)
  await kind.started?.()
  if (kind.answerWithoutModel !== undefined) {
    // a command the action answers itself: codex is never started
    report.absorb({ items: [], finalResponse: kind.answerWithoutModel, turnUsage: null, threadId: null })
    report.finish('success')
    return { report, commentBody }
  }
  const streamer = new LogStreamer(jobLog, settings.workingDirectory)
  const sandbox = kind.sandbox ?? settings.sandbox
  core.info(
    `Codex turn in ${settings.workingDirectory} (sandbox ${sandbox}${settings.model ? `, model ${settings.model}` : ''})`
  )
  const restoreInstructions = await (await parts.session.instructions)?.use()
  try {
    // lent after the base branch's instructions are in place, given back before they are restored
    const unlent = await agent?.lend().then(
      () => undefined,
      (error: Error) => error
    )
    if (unlent) report.finish('failure', redactor.redact(unlent.message))
    else
      await runTurn(report, {
        thread: thread.start(codex, {
          workingDirectory: settings.workingDirectory,
          sandboxMode: sandbox,
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
          sticky?.progress(commentBody)
        }
      })
  } finally {
    await agent?.giveBack()
    await restoreInstructions?.()
  }
  streamer.close(report)
  return { report, commentBody }
}
