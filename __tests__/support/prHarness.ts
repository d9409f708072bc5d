import { afterEach, beforeEach } from 'vitest'
import { startGitHubServer, type GitHubServer } from './githubServer.js'
import { codexLauncher, pullRequestPayload, runAction, type ActionRun, type ActionRunOptions } from './runAction.js'
import { startScriptedModel, type ModelScript, type ScriptedModel } from './scriptedModel.js'
import { tempRepo } from './tempDirs.js'

export const TEST_API_KEY = 'sk-test-secret-key-123'
export const TEST_GITHUB_TOKEN = 'ghs_testtoken456'

export interface PrHarness {
  /** The GitHub REST test server of the current test. */
  readonly github: GitHubServer
  /** The scripted model the current test's runs talk to. */
  readonly model: ScriptedModel
  /** Starts the model the next runs talk to, closing the one before: one script across several runs. */
  serve(script: ModelScript): Promise<ScriptedModel>
  /**
   * Runs dist/index.js on a pull_request event for PR `pr`, with the real codex (`codex-path`) and
   * the model `serve` started; `inputs` and `options` override the defaults.
   */
  runServed(inputs?: Record<string, string>, options?: Partial<ActionRunOptions>): Promise<ActionRun>
  /** `serve(script)`, then `runServed(inputs, options)`: a run with a model of its own. */
  run(script: ModelScript, inputs?: Record<string, string>, options?: Partial<ActionRunOptions>): Promise<ActionRun>
}

/** Gives each test of the file a fresh GitHub test server, and closes every server after it. */
export function usePrHarness(pr: number): PrHarness {
  let github: GitHubServer | undefined
  let model: ScriptedModel | undefined
  beforeEach(async () => {
    github = await startGitHubServer()
  })
  afterEach(async () => {
    await github?.close()
    await model?.close()
    model = undefined
  })
  const started = <T>(server: T | undefined, what: string): T => {
    if (!server) throw new Error(`no ${what} yet: the harness starts it in beforeEach or serve()`)
    return server
  }
  const harness: PrHarness = {
    get github() {
      return started(github, 'GitHub server')
    },
    get model() {
      return started(model, 'model')
    },
    async serve(script) {
      await model?.close()
      model = await startScriptedModel(script)
      return model
    },
    runServed(inputs = {}, options = {}) {
      return runAction({
        inputs: {
          prompt: 'Review this pull request.',
          'openai-api-key': TEST_API_KEY,
          'base-url': harness.model.url,
          'codex-path': codexLauncher,
          'github-token': TEST_GITHUB_TOKEN,
          ...inputs
        },
        payload: pullRequestPayload(pr),
        githubUrl: harness.github.url,
        workspace: tempRepo(),
        ...options
      })
    },
    async run(script, inputs, options) {
      await harness.serve(script)
      return harness.runServed(inputs, options)
    }
  }
  return harness
}
