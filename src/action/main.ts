import * as core from '@actions/core'
import { Outputs } from './core/constants.js'
import type { RunContext } from './core/context.js'
import { InputError } from './core/errors.js'
import { Redactor } from './core/redact.js'
import { connectGitHub } from './github/api.js'
import { readRunContext } from './github/context.js'
import { skipOverBudget, spentBudget } from './run/budget.js'
import { chooseKind } from './run/choose.js'
import { gateEvent, gateRun, heldReview, readOnlyToken, skipRun } from './run/gate.js'
import { HeldLog } from './run/heldLog.js'
import { runLive } from './run/live.js'
import { publishTurn } from './run/publish.js'
import { openSession, threadKeysOf, type Session } from './run/session.js'
import { assertForkPolicy, restrictedPullRequest, withheldKeyReason } from './settings/forkPolicy.js'
import { readSettings, type Settings } from './settings/settings.js'
import { breakLogCommands } from './surfaces/log.js'
import { createMarkerProof } from './thread/markerProof.js'
import { TranscriptCodec } from './thread/transcript.js'

/** The action: one turn of the PR's thread, streamed, then published. Ends in core.setFailed on failure. */
export async function run(): Promise<void> {
  const redactor = new Redactor()
  try {
    if (process.platform === 'win32')
      throw new Error('codex-thread-action runs on Linux and macOS runners; Windows runners are not supported')
    const env = process.env
    const context = readRunContext(env)
    const restriction = restrictedPullRequest(context)
    const settings = readSettings((name) => core.getInput(name), env, restriction && withheldKeyReason(restriction))
    for (const secret of [settings.apiKey, settings.githubToken, settings.threadSecret, ...settings.secretsToRedact]) {
      if (secret) core.setSecret(secret)
      redactor.add(secret)
    }
    if (settings.keyWithheld) return await skipRun({ skip: settings.keyWithheld, say: core.notice }, context, redactor)
    assertForkPolicy(settings, context)
    await takeTurn(settings, context, env, redactor)
  } catch (error) {
    core.setOutput(Outputs.Conclusion, 'failure')
    core.setFailed(
      breakLogCommands(error instanceof InputError ? error.message : redactor.redact((error as Error).message))
    )
  }
}

/** The story of a run: gate it, open the session, choose the turn's kind, run it live, publish it. */
async function takeTurn(settings: Settings, context: RunContext, env: NodeJS.ProcessEnv, redactor: Redactor) {
  const keys = threadKeysOf(settings, context)
  // the record key's derivation (scrypt, ~60 ms, off the main thread) runs while the run is gated
  const secret = settings.threadSecret ?? settings.apiKey
  const codec = TranscriptCodec.create(keys.threadKey, secret)
  const proof = createMarkerProof(keys.threadKey, secret)
  const github = connectGitHub(settings.githubToken, context, core.warning)
  const event = gateEvent(settings, context)
  if ('skip' in event) return skipRun(event, context, redactor)
  // a fork's pull_request token cannot write: the session posts nothing, the outputs carry the turn
  const readOnly = readOnlyToken(context)
  // codex is prepared and the thread read while the actor is checked (the gate's request is sent
  // first); the session's log lines wait for the gate's answer, and a refused run drops them and
  // closes the session unused
  const gating = gateRun(settings, context, github, proof, event)
  const sessionLog = new HeldLog(core)
  const opening = openSession({
    settings: readOnly ? { ...settings, postComment: false } : settings,
    context,
    env,
    keys,
    github,
    redactor,
    codec,
    proof,
    log: sessionLog
  })
  // a session that fails while the run is still gated is reported once the gate lets the run on
  opening.catch(() => undefined)
  const gate = await gating.catch(async (error: unknown) => {
    await abandonSession(opening, sessionLog)
    throw error
  })
  if ('skip' in gate) {
    await abandonSession(opening, sessionLog)
    return skipRun(gate, context, redactor)
  }
  sessionLog.release()
  if (readOnly) core.warning(readOnly)
  const session = await opening
  try {
    const held = await heldReview(settings, context, gate.request, session, github)
    if (held) return await skipRun(held, context, redactor)
    const kind = await chooseKind({
      settings,
      context,
      request: gate.request,
      github,
      session,
      redactor,
      proof,
      readOnly
    })
    // a command the action answers itself costs no tokens: pause and help work on a spent budget too
    const overBudget = kind.answerWithoutModel === undefined && spentBudget(settings, session)
    if (overBudget) return await skipOverBudget({ reason: overBudget, settings, context, keys, session, redactor })
    const live = await runLive({ settings, context, keys, session, kind, redactor })
    await publishTurn({ settings, session, kind, live, redactor })
  } finally {
    await session.close()
  }
}

/** A session opened for a run the gate refused (or could not judge): ended unused, whatever became of it. */
async function abandonSession(opening: Promise<Session>, log: HeldLog): Promise<void> {
  log.drop()
  await opening.then(
    (session) => session.close(),
    () => undefined
  )
}
