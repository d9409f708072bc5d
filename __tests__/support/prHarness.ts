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
  /** The scripted model of the current test's last run. */
  readonly model: ScriptedModel
  /**
   * Runs dist/index.js on a pull_request event for PR `pr`, with the real codex (`codex-path`) and
   * a scripted model; `inputs` and `options` override the defaults.
   */
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
  return {
    get github() {
      return github!
    },
    get model() {
      return model!
    },
    async run(script, inputs = {}, options = {}) {
      await model?.close()
      model = await startScriptedModel(script)
      return runAction({
        inputs: {
          prompt: 'Review this pull request.',
          'openai-api-key': TEST_API_KEY,
          'base-url': model.url,
          'codex-path': codexLauncher,
          'github-token': TEST_GITHUB_TOKEN,
          ...inputs
        },
        payload: pullRequestPayload(pr),
        githubUrl: github!.url,
        workspace: tempRepo(),
        ...options
      })
    }
  }
}
