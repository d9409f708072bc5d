import { Codex, type CodexOptions } from '../../src/sdk/index.js'
import { startScriptedModel, type ModelScript, type ScriptedModel, type ScriptedModelOptions } from './scriptedModel.js'
import { tempDir, tempRepo } from './tempDirs.js'

export interface CodexFixture {
  codex: Codex
  model: ScriptedModel
  codexHome: string
  repo: string
  warnings: string[]
}

/** A Codex client driving the real CLI against a scripted model, with its own CODEX_HOME. */
export async function codexFixture(
  script: ModelScript,
  options: CodexOptions = {},
  modelOptions: ScriptedModelOptions = {}
): Promise<CodexFixture> {
  const model = await startScriptedModel(script, modelOptions)
  const codexHome = tempDir('home')
  const warnings: string[] = []
  const codex = new Codex({
    baseUrl: model.url,
    apiKey: 'sk-test-key',
    // HOME too: the agent's `bash -lc` shells must not read this machine's profile
    env: { PATH: process.env.PATH ?? '', HOME: codexHome, CODEX_HOME: codexHome },
    logger: { warn: (message) => warnings.push(message) },
    ...options
  })
  return { codex, model, codexHome, repo: tempRepo(), warnings }
}
