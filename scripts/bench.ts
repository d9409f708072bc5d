// `npm run bench`: measures what the action adds around a turn and reports it. Not a test: it
// asserts nothing and prints numbers for a closing note or a regression hunt.
import { parseEventLine } from '../src/sdk/events.js'
import { Codex } from '../src/sdk/index.js'
import { startGitHubServer } from '../__tests__/support/githubServer.js'
import { codexLauncher, pullRequestPayload, runAction } from '../__tests__/support/runAction.js'
import { commandThenMessage, startScriptedModel } from '../__tests__/support/scriptedModel.js'
import { tempDir, tempRepo } from '../__tests__/support/tempDirs.js'

const rounds = Number(process.env.BENCH_ROUNDS ?? 5)

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
  return `median ${at(0.5).toFixed(0)} ms · min ${sorted[0].toFixed(0)} ms · max ${sorted.at(-1)!.toFixed(0)} ms (n=${sorted.length})`
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await fn()
  return performance.now() - started
}

const model = await startScriptedModel(commandThenMessage('echo bench', 'done'))
const repo = tempRepo()

const sdkTurns: number[] = []
for (let round = 0; round < rounds; round++) {
  const home = tempDir('bench-home')
  const codex = new Codex({
    baseUrl: model.url,
    apiKey: 'sk-bench',
    env: { PATH: process.env.PATH ?? '', HOME: home, CODEX_HOME: home }
  })
  sdkTurns.push(await time(() => codex.startThread({ workingDirectory: repo }).run('bench')))
}

const github = await startGitHubServer()
const actionRuns: number[] = []
for (let round = 0; round < rounds; round++) {
  actionRuns.push(
    await time(async () => {
      const run = await runAction({
        inputs: {
          prompt: 'bench',
          'openai-api-key': 'sk-bench',
          'base-url': model.url,
          'codex-path': codexLauncher,
          'github-token': 'ghs_bench',
          'thread-store': 'directory',
          'thread-store-path': tempDir('bench-store')
        },
        payload: pullRequestPayload(100 + round),
        githubUrl: github.url,
        workspace: repo
      })
      if (run.exitCode !== 0) throw new Error(`action run failed:\n${run.log}`)
    })
  )
}

const line = JSON.stringify({
  type: 'item.completed',
  item: {
    id: 'item_1',
    type: 'command_execution',
    command: 'npm test',
    aggregated_output: 'ok\n'.repeat(200),
    exit_code: 0,
    status: 'completed'
  }
})
const parseCount = 100_000
const parseMs = await time(async () => {
  for (let index = 0; index < parseCount; index++) parseEventLine(line)
})

console.log(
  'codex-thread-action benchmark (real codex CLI, scripted model on 127.0.0.1; one command + one message per turn)'
)
console.log(`SDK turn, fresh CODEX_HOME:        ${stats(sdkTurns)}`)
console.log(`action run from dist/, PR comment: ${stats(actionRuns)}`)
console.log(
  `event parsing:                     ${((parseCount / parseMs) * 1000).toFixed(0)} events/s (${line.length}-byte lines)`
)

await model.close()
await github.close()
