import * as core from '@actions/core'
import { useBaseInstructions } from './codex/instructions.js'
import { makeCodexHome, prepareCodex } from './codex/prepare.js'
import { Inputs, Outputs } from './constants.js'
import { conversationTurn } from './conversation/job.js'
import { readCommentRequest, type CommentRequest } from './conversation/request.js'
import { actorOf, admitRun } from './github/actor.js'
import { connectGitHub, type GitHubConnection } from './github/api.js'
import { completePullRequest, readRunContext, type PullRequestInfo, type RunContext } from './github/context.js'
import { StickyComment } from './github/stickyComment.js'
import { renderComment } from './publish/comment.js'
import { AGENT_HEADING_LEVEL } from './publish/format.js'
import { agentMarkdown } from './publish/markdown.js'
import { defuse, jobLog, LogStreamer } from './publish/log.js'
import { publishResults } from './publish/results.js'
import { Redactor } from './redact.js'
import { failOnSeverity } from './review/verdict.js'
import { reviewTurn } from './review/job.js'
import { InputError, readSettings, type Settings } from './settings.js'
import { createThreadArchive } from './thread/archive.js'
import { commentMirror, ThreadContinuation } from './thread/continuation.js'
import { TranscriptCodec } from './thread/transcript.js'
import { promptTurn, type TurnKind } from './turn/kind.js'
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
    core.setFailed(defuse(error instanceof InputError ? error.message : redactor.redact((error as Error).message)))
  }
}

/** Gate the run, prepare codex, continue the thread, run the turn, publish it and save the thread. */
async function takeTurn(settings: Settings, context: RunContext, redactor: Redactor): Promise<void> {
  const prNumber = context.pullRequest?.number
  // without a key the thread is this run's alone, and kept nowhere
  const key = settings.threadKey ?? (prNumber ? `pr-${prNumber}` : undefined)
  const threadKey = key ?? `run-${context.runId}`
  // the record key's derivation (scrypt, ~60 ms, off the main thread) runs while the run is gated
  const codec = TranscriptCodec.create(threadKey, settings.threadSecret ?? settings.apiKey)
  const github = connectGitHub(settings.githubToken, context, core.warning)
  const comment = readCommentRequest(context.eventName, context.payload, settings.triggerPhrase)
  if (comment && 'skip' in comment) return skip(comment.skip, redactor, context, core.info)
  if (comment && (await writtenByUs(comment.request, github)))
    return skip("the comment was written by the action's own identity", redactor, context, core.info)
  const admission = await admitRun(context, settings, github?.api, process.env)
  // a refused run must not turn an outside contributor's PR red, nor call the model or post
  if (!admission.allowed) return skip(admission.reason, redactor, context, core.warning)
  core.info(`${admission.reason}: starting a turn`)

  const sticky = StickyComment.open(settings.comment, prNumber, github?.api, threadKey, core.warning)
  const runner = { env: process.env, tempDir: context.tempDir }
  const codexHome = await makeCodexHome(settings, runner)
  const archive = key
    ? await createThreadArchive({ key, settings, context, octokit: github?.octokit, codexHome, log: core })
    : undefined
  // independent of one another: codex is found while the PR and the thread are read from GitHub
  const [codex, pr, thread] = await Promise.all([
    prepareCodex(settings, runner, codexHome, redactor, core),
    completePullRequest(context.pullRequest, github?.api, core.warning),
    ThreadContinuation.begin({
      key: threadKey,
      archive,
      resume: settings.resume,
      mirror: sticky && commentMirror(sticky, core.warning),
      codec,
      redactor,
      log: core.info,
      warn: core.warning
    })
  ])

  const kind = await chooseTurn({ settings, comment: comment?.request, github, pr, thread, redactor })
  thread.request = kind.request

  const report = new TurnReport(context.runUrl, settings.workingDirectory)
  report.resumed = thread.resumed
  report.requestedBy = actorOf(context.payload, process.env)?.login
  const body = (): string =>
    redactor.redact(
      renderComment({
        key: threadKey,
        report,
        history: thread.history(report),
        encodedTranscript: thread.encodedTranscript
      })
    )
  sticky?.progress(body)
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
      // codex is up and waits on the model: the seal's key derivation (scrypt) runs now, not at the end
      if (event.type === 'thread.started') archive?.prepareSave()
      streamer.handle(event)
      sticky?.progress(body)
    }
  }).finally(restoreInstructions)
  streamer.close(report)

  await kind.publish?.(report)
  await thread.finish(report)
  await Promise.all([thread.save(), publishResults(report, redactor, sticky && (() => sticky.publish(body())))])
  if (report.status !== 'success')
    core.setFailed(defuse(redactor.redact(report.error ?? `The turn ended: ${report.status}`)))
  else if (settings.failOnSeverity) failOnSeverity(report, settings.failOnSeverity)
}

/** A run that starts no turn: nothing is posted, no model is called, and the step succeeds. */
async function skip(
  reason: string,
  redactor: Redactor,
  context: RunContext,
  say: (message: string) => void
): Promise<void> {
  say(`Skipped: ${reason}`)
  const skipped = new TurnReport(context.runUrl)
  skipped.finish('skipped', reason)
  await publishResults(skipped, redactor)
}

/** The action never answers itself: its own answers mention the trigger phrase too. */
async function writtenByUs(request: CommentRequest, github: GitHubConnection | undefined): Promise<boolean> {
  const viewer = await github?.api.viewer()
  return viewer !== undefined && viewer.toLowerCase() === request.author.toLowerCase()
}

/** An answer to a comment, a review, or the user's prompt. */
async function chooseTurn(parts: {
  settings: Settings
  comment: CommentRequest | undefined
  github: GitHubConnection | undefined
  pr: PullRequestInfo | undefined
  thread: ThreadContinuation
  redactor: Redactor
}): Promise<TurnKind> {
  const { settings, comment, github, pr, thread, redactor } = parts
  if (!comment && settings.mode !== 'review') return promptTurn(settings.prompt, settings.outputSchema)
  const why = comment ? 'answers comments' : 'posts its review'
  if (!pr)
    throw new InputError(
      Inputs.Mode,
      'review needs a pull request: run it on pull_request events (or dispatch with a pr input)'
    )
  if (!github) throw new InputError(Inputs.GithubToken, `is empty, and the action ${why} with it`)
  const safe = (markdown: string): string =>
    redactor.redact(agentMarkdown(markdown, { headingLevel: AGENT_HEADING_LEVEL }))
  const common = { api: github.api, safe, warn: core.warning }
  if (comment)
    return conversationTurn({ ...common, pr: pr.number, request: comment, standingInstructions: settings.prompt })
  return reviewTurn({
    ...common,
    pr,
    lastReview: thread.lastReview,
    workingDirectory: settings.workingDirectory,
    teamInstructions: settings.prompt,
    remember: (state) => thread.recordReview(state)
  })
}
