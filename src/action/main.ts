import * as core from '@actions/core'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { z } from 'zod'
import {
  Codex,
  CodexCancelledError,
  CodexTurnError,
  type ThreadEvent,
  type ThreadItem,
  type Turn
} from '../sdk/index.js'
import { actorOf, admitActor } from './actor.js'
import { renderComment } from './comment.js'
import { readRunContext, type PullRequestInfo, type RunContext } from './context.js'
import { createGitHubApi, type GitHubApi, type GitHubApiOptions } from './github.js'
import { InputError, readSettings, type InputReader, type Settings } from './inputs.js'
import { resolveCodex } from './install.js'
import { codexEnvironment, protectShellEnvironment } from './environment.js'
import { LogStreamer, type LogSink } from './logStream.js'
import { buildPrompt } from './prompt.js'
import { Redactor } from './redact.js'
import { TurnReport } from './report.js'
import { StickyComment } from './sticky.js'
import { TurnGuard } from './turnGuard.js'
import { decodeRecord, type ThreadRecord } from './record.js'
import { createThreadMemory } from './threadMemory.js'
import { ThreadRun } from './threadRun.js'
import { ensureSandboxCanStart } from './sandbox.js'
import { renderSummary } from './summary.js'

export interface ActionDependencies {
  readInput: InputReader
  env: NodeJS.ProcessEnv
  createGitHub: (options: GitHubApiOptions) => GitHubApi
  /** The signals that cancel the turn (the runner sends SIGINT, then SIGTERM 7.5 s later). */
  cancelSignals: NodeJS.Signals[]
}

const defaults: ActionDependencies = {
  readInput: (name) => core.getInput(name),
  env: process.env,
  createGitHub: createGitHubApi,
  cancelSignals: ['SIGINT', 'SIGTERM']
}

const coreLog: LogSink = {
  info: (message) => core.info(message),
  debug: (message) => core.debug(message),
  warning: (message) => core.warning(message),
  startGroup: (title) => core.startGroup(title),
  endGroup: () => core.endGroup()
}

/** The action: one turn of the PR's thread, streamed, then published. Ends in core.setFailed on failure. */
export async function run(overrides: Partial<ActionDependencies> = {}): Promise<void> {
  const deps = { ...defaults, ...overrides }
  const redactor = new Redactor()
  try {
    if (process.platform === 'win32') {
      throw new Error('codex-thread-action runs on Linux and macOS runners; Windows runners are not supported')
    }
    const settings = readSettings(deps.readInput, deps.env)
    for (const secret of [settings.apiKey, settings.githubToken, settings.threadSecret, ...settings.secretsToRedact]) {
      if (secret) core.setSecret(secret)
      redactor.add(secret)
    }
    await runTurn(settings, readRunContext(deps.env), deps, redactor)
  } catch (error) {
    core.setOutput('conclusion', 'failure')
    core.setFailed(error instanceof InputError ? error.message : redactor.redact((error as Error).message))
  }
}

async function runTurn(
  settings: Settings,
  context: RunContext,
  deps: ActionDependencies,
  redactor: Redactor
): Promise<void> {
  const github = settings.githubToken
    ? deps.createGitHub({
        token: settings.githubToken,
        apiUrl: context.apiUrl,
        ...context.repository,
        warn: core.warning
      })
    : undefined
  const pr = context.pullRequest
  // without a key or a PR, the thread is this run's alone and kept nowhere
  const threadKey = settings.threadKey ?? (pr ? `pr-${pr.number}` : undefined)
  const key = threadKey ?? `run-${context.runId}`
  const repository = `${context.repository.owner}/${context.repository.repo}`
  const admission = await admitActor(
    actorOf(context.payload, deps.env),
    settings,
    repository,
    github,
    context.eventName
  )
  if (!admission.allowed) {
    // a refused run must not turn an outside contributor's PR red, nor call the model or post
    core.warning(`Skipped: ${admission.reason}`)
    const skipped = new TurnReport(context.runUrl)
    skipped.finish('skipped', admission.reason)
    await publish(skipped, redactor)
    return
  }
  core.info(`${admission.reason}: starting a turn`)
  const wantComment = settings.comment ?? Boolean(pr)
  if (wantComment && !pr)
    core.warning('Input "comment" is true, but this run is not about a pull request: no comment is written')
  if (wantComment && pr && !github) core.warning('Input "github-token" is empty: no PR comment is written')
  const sticky = wantComment && pr && github ? new StickyComment(github, pr.number, key, core.warning) : undefined

  await ensureSandboxCanStart(settings.sandbox, deps.env, core.info)
  const codexPath = await resolveCodex(settings, deps.env, core)
  const workDir = deps.env.RUNNER_TEMP || tmpdir()
  const codexHome = settings.codexHome ?? (await mkdtemp(path.join(workDir, 'codex-home-')))
  const env = codexEnvironment(deps.env, codexHome, settings.allowEnv)
  const codex = new Codex({
    codexPathOverride: codexPath,
    apiKey: settings.apiKey,
    baseUrl: settings.baseUrl,
    config: protectShellEnvironment(settings.config, {
      codexEnv: env,
      allowEnv: settings.allowEnv,
      holdsSecret: (value) => redactor.holds(value)
    }),
    env,
    logger: { warn: (message) => core.debug(message) }
  })
  const readComment = async (): Promise<ThreadRecord | undefined> => {
    try {
      const comment = await sticky?.find()
      return comment && decodeRecord(comment.body)
    } catch (error) {
      core.warning(`Could not read the PR comments: ${(error as Error).message}`)
    }
  }
  const threadRun = await ThreadRun.begin({
    key,
    memory: threadKey ? createThreadMemory({ key, settings, context, codexHome, workDir, log: core }) : undefined,
    resume: settings.resume,
    commentRecord: await readComment(),
    prompt: settings.prompt,
    redactor,
    log: core.info
  })
  const thread = threadRun.start(codex, {
    workingDirectory: settings.workingDirectory,
    sandboxMode: settings.sandbox,
    model: settings.model,
    modelReasoningEffort: settings.effort,
    skipGitRepoCheck: true
  })

  const report = new TurnReport(context.runUrl, settings.workingDirectory)
  report.resumed = threadRun.resumed
  const streamer = new LogStreamer(coreLog, settings.workingDirectory)
  const publishComment = (): string =>
    redactor.redact(renderComment({ key, report, ...threadRun.commentParts(report) }))
  sticky?.progress(publishComment())

  const guard = new TurnGuard(settings.timeoutMs, deps.cancelSignals)

  core.info(
    `Codex turn in ${settings.workingDirectory} (sandbox ${settings.sandbox}${settings.model ? `, model ${settings.model}` : ''})`
  )
  try {
    const { events, result } = await thread.runStreamed(
      threadRun.input(buildPrompt(settings.prompt, { ...context, pullRequest: await completePullRequest(pr, github) })),
      {
        outputSchema: settings.outputSchema,
        signal: guard.signal
      }
    )
    for await (const raw of events) {
      // redacted at the source, so no truncation or escaping downstream can split a secret
      const event = redactor.redactValue(raw) as ThreadEvent
      report.apply(event)
      streamer.handle(event)
      guard.observe(event)
      sticky?.progress(publishComment())
    }
    const turn = await result
    report.finish('success')
    if (settings.outputSchema) validateStructured(turn, settings.outputSchema, report)
  } catch (error) {
    if (error instanceof CodexTurnError) {
      report.absorb(
        redactor.redactValue(error.partial.items) as ThreadItem[],
        redactor.redact(error.partial.finalResponse),
        error.partial.usage
      )
      report.threadId ??= error.partial.threadId
      const stopped = error instanceof CodexCancelledError ? guard.reason : undefined
      if (stopped) report.finish(stopped.kind === 'unreachable' ? 'failure' : stopped.kind, stopped.message)
      else report.finish('failure', error.message)
    } else {
      // whatever else stopped the turn (codex could not start, a fault of ours), the comment
      // must not be left saying "Working…"
      report.finish('failure', (error as Error).message)
    }
  } finally {
    guard.dispose()
  }
  streamer.close(report)

  // re-read right before writing: a run of the same thread that ended meanwhile keeps its turn
  await threadRun.finish(report, await readComment())
  await Promise.all([
    threadRun.save(),
    publish(report, redactor, sticky ? () => sticky.publish(publishComment()) : undefined)
  ])
  if (report.status !== 'success') core.setFailed(redactor.redact(report.error ?? `The turn ended: ${report.status}`))
}

/**
 * Comment and dispatch events name a PR by number only: its refs come from the API, so the prompt
 * can say how to see the change. Without them the turn still runs.
 */
async function completePullRequest(pr: PullRequestInfo | undefined, github: GitHubApi | undefined) {
  if (!pr || pr.baseSha || !github) return pr
  try {
    return await github.pullRequest(pr.number)
  } catch (error) {
    core.warning(`Could not read pull request #${pr.number}: ${(error as Error).message}`)
    return pr
  }
}

/** Checks the structured output against the user's JSON Schema; off-schema is a failed step. */
function validateStructured(turn: Turn, schema: Record<string, unknown>, report: TurnReport): void {
  const parsed = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]).safeParse(turn.structuredResponse)
  if (parsed.success) {
    report.structuredOutput = turn.structuredResponse
    return
  }
  const issues = parsed.error.issues.map((issue) => `- ${issue.path.join('.') || '(root)'}: ${issue.message}`)
  report.finish('failure', `The final response does not match output-schema:\n${issues.join('\n')}`)
}

/** Outputs, job summary and comment: everything leaves through the redactor. */
async function publish(
  report: TurnReport,
  redactor: Redactor,
  writeComment?: () => Promise<string | undefined>
): Promise<void> {
  const output = (name: string, value: string): void => core.setOutput(name, redactor.redact(value))
  output('final-response', report.finalResponse)
  output(
    'structured-output',
    report.structuredOutput === undefined ? '' : JSON.stringify(redactor.redactValue(report.structuredOutput))
  )
  output('thread-id', report.threadId ?? '')
  output('resumed', String(report.resumed))
  output(
    'usage',
    JSON.stringify({
      input_tokens: report.usage?.input_tokens ?? 0,
      cached_input_tokens: report.usage?.cached_input_tokens ?? 0,
      output_tokens: report.usage?.output_tokens ?? 0
    })
  )
  output('conclusion', report.status)
  output('changed-files', JSON.stringify(report.changedFiles))
  try {
    await core.summary.addRaw(redactor.redact(renderSummary(report))).write()
  } catch (error) {
    core.warning(`Could not write the job summary: ${(error as Error).message}`)
  }
  const url = await writeComment?.()
  core.setOutput('comment-url', url ?? '')
}
