// Kept apart from faults.e2e.test.ts: codex retries these for ~25 s, and a file of its own runs in parallel.
import { createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { startGitHubServer, type GitHubServer } from '../support/githubServer.js'
import { codexLauncher, pullRequestPayload, runAction } from '../support/runAction.js'
import { startScriptedModel, type ScriptedModel } from '../support/scriptedModel.js'
import { tempRepo } from '../support/tempDirs.js'

let github: GitHubServer | undefined
let model: ScriptedModel | undefined
afterEach(async () => {
  await github?.close()
  await model?.close()
})

async function closedPortUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return `http://127.0.0.1:${port}/v1`
}

async function runAgainst(baseUrl: string) {
  github = await startGitHubServer()
  return runAction({
    inputs: {
      prompt: 'Hi',
      'openai-api-key': 'sk-test-1234',
      'base-url': baseUrl,
      'codex-path': codexLauncher,
      'github-token': 'ghs_x1'
    },
    payload: pullRequestPayload(11),
    githubUrl: github.url,
    workspace: tempRepo()
  })
}

describe('model faults codex retries before giving up', () => {
  it(
    'a model answering 500 fails the step after codex retries, with its reconnect notices as warnings',
    { timeout: 120_000 },
    async () => {
      model = await startScriptedModel(() => ({ status: 500 }))
      const run = await runAgainst(model.url)
      expect(run.exitCode).toBe(1)
      expect(run.outputs.conclusion).toBe('failure')
      expect(model.requests.length).toBeGreaterThan(1)
      expect(run.log).toMatch(/::warning::codex: Reconnecting/)
      // codex's own wording for a 5xx, from its turn.failed
      expect(run.log).toMatch(/::error::We’re currently experiencing high demand/)
      expect(github!.comments[0].body).toContain('❌ Failed')
    }
  )

  it(
    'a model endpoint refusing connections fails the step instead of waiting for network forever',
    { timeout: 120_000 },
    async () => {
      const run = await runAgainst(await closedPortUrl())
      expect(run.exitCode).toBe(1)
      expect(run.outputs.conclusion).toBe('failure')
      expect(run.log).toMatch(/::error::The model endpoint could not be reached for 45\.0s: .*Connection failed/)
      expect(run.durationMs).toBeLessThan(90_000)
    }
  )
})
