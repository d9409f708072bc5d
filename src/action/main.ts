import * as core from '@actions/core'
import { Outputs } from './core/constants.js'
import { gateRun, skip } from './run/gate.js'
import { connectGitHub } from './github/api.js'
import { readRunContext, type RunContext } from './github/context.js'
import { defuse } from './surfaces/log.js'
import { publishTurn } from './run/publish.js'
import { Redactor } from './core/redact.js'
import { InputError, readSettings, type Settings } from './settings/settings.js'
import { openThread, threadKeys } from './run/session.js'
import { TranscriptCodec } from './thread/transcript.js'
import { chooseTurn } from './run/choose.js'
import { runLive } from './run/live.js'

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

/** The story of a run: gate it, open the PR's thread, choose the turn, run it live, publish it. */
async function takeTurn(settings: Settings, context: RunContext, redactor: Redactor): Promise<void> {
  // the record key's derivation (scrypt, ~60 ms, off the main thread) runs while the run is gated
  const codec = TranscriptCodec.create(
    threadKeys(settings, context).threadKey,
    settings.threadSecret ?? settings.apiKey
  )
  const github = connectGitHub(settings.githubToken, context, core.warning)
  const gate = await gateRun(settings, context, github)
  if ('skip' in gate) return skip(gate.skip, gate.say, redactor, context)
  const opened = await openThread(settings, context, github, redactor, codec)
  const kind = await chooseTurn({ settings, comment: gate.comment, github, opened, redactor })
  const live = await runLive(settings, context, opened, kind, redactor)
  await publishTurn(settings, opened, kind, live, redactor)
}
