import * as core from '@actions/core'
import { prepareCodex } from './codex/prepare.js'
import { Outputs } from './constants.js'
import { actorOf, admitRun } from './github/actor.js'
import { connectGitHub } from './github/api.js'
import { completePullRequest, readRunContext, type RunContext } from './github/context.js'
import { StickyComment } from './github/stickyComment.js'
import { renderComment } from './publish/comment.js'
import { jobLog, LogStreamer } from './publish/log.js'
import { publishResults } from './publish/results.js'
import { Redactor } from './redact.js'
import { InputError, readSettings, type Settings } from './settings.js'
import { createThreadArchive } from './thread/archive.js'
import { commentMirror, ThreadContinuation } from './thread/continuation.js'
import { buildPrompt } from './turn/prompt.js'
import { TurnReport } from './turn/report.js'
import { runTurn } from './turn/run.js'

/** The action: one turn of the PR's thread, streamed, then published. Ends in core.setFailed on failure. */
export async function run(): Promise<void> {
  const redactor = new Redactor()
  try {
    if (process.platform === 'win32')
      throw new Error('codex-thread-action runs on Linux and macOS runners; Windows runners are not supported')
    const settings = readSettings((name) => core.getInput(name), process.env)
    for (const secret of [settings.apiKey, settings.githubToken, settings.threadSecret, ...settings.secretsToRedact]) {
      if (secret) core.setSecret(secret)
      redactor.add(secret)
    }
    await takeTurn(settings, readRunContext(process.env), redactor)
  } catch (error) {
    core.setOutput(Outputs.Conclusion, 'failure')
    core.setFailed(error instanceof InputError ? error.message : redactor.redact((error as Error).message))
  }
}

/** Admit the actor, prepare codex, continue the thread, run the turn, publish it and save the thread. */
async function takeTurn(settings: Settings, context: RunContext, redactor: Redactor): Promise<void> {
  const github = connectGitHub(settings.githubToken, context, core.warning)
  const admission = await admitRun(context, settings, github?.api, process.env)
  if (!admission.allowed) {
    // a refused run must not turn an outside contributor's PR red, nor call the model or post
    core.warning(`Skipped: ${admission.reason}`)
    const skipped = new TurnReport(context.runUrl)
    skipped.finish('skipped', admission.reason)
    return publishResults(skipped, redactor)
  }
  core.info(`${admission.reason}: starting a turn`)

  const pr = context.pullRequest
  // without a key the thread is this run's alone, and kept nowhere
  const key = settings.threadKey ?? (pr ? `pr-${pr.number}` : undefined)
  const threadKey = key ?? `run-${context.runId}`
  const sticky = StickyComment.open(settings.comment, pr?.number, github?.api, threadKey, core.warning)
  const runner = { env: process.env, tempDir: context.tempDir }
  const { codex, codexHome } = await prepareCodex(settings, runner, redactor, core)
  const thread = await ThreadContinuation.begin({
    key: threadKey,
    archive: key
      ? createThreadArchive({ key, settings, context, octokit: github?.octokit, codexHome, log: core })
      : undefined,
    resume: settings.resume,
    mirror: sticky && commentMirror(sticky, core.warning),
    prompt: settings.prompt,
    redactor,
    log: core.info
  })

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
  sticky?.progress(comment())
  const streamer = new LogStreamer(jobLog, settings.workingDirectory)
  core.info(
    `Codex turn in ${settings.workingDirectory} (sandbox ${settings.sandbox}${settings.model ? `, model ${settings.model}` : ''})`
  )
  const prompt = buildPrompt(settings.prompt, {
    ...context,
    pullRequest: await completePullRequest(pr, github?.api, core.warning)
  })
  await runTurn(report, {
    thread: thread.start(codex, {
      workingDirectory: settings.workingDirectory,
      sandboxMode: settings.sandbox,
      model: settings.model,
      modelReasoningEffort: settings.effort,
      skipGitRepoCheck: true
    }),
    input: thread.input(prompt),
    outputSchema: settings.outputSchema,
    timeoutMs: settings.timeoutMs,
    cancelSignals: ['SIGINT', 'SIGTERM'],
    redactor,
    onEvent: (event) => {
      streamer.handle(event)
      sticky?.progress(comment())
    }
  })
  streamer.close(report)

  await thread.finish(report)
  await Promise.all([thread.save(), publishResults(report, redactor, sticky && (() => sticky.publish(comment())))])
  if (report.status !== 'success') core.setFailed(redactor.redact(report.error ?? `The turn ended: ${report.status}`))
}
