// `npm run demo`: the main job on a sample pull request. It runs the built action (dist/index.js)
// exactly as a runner would, with the real codex CLI. The model is an offline scripted stand-in
// unless OPENAI_API_KEY is set, in which case the real model answers.
import { startGitHubServer } from '../__tests__/support/githubServer.js'
import { codexLauncher, pullRequestPayload, runAction } from '../__tests__/support/runAction.js'
import { answersToolCall, startScriptedModel, type ModelScript } from '../__tests__/support/scriptedModel.js'
import { tempRepo } from '../__tests__/support/tempDirs.js'

const schema = {
  type: 'object',
  properties: {
    verdict: { type: 'string', enum: ['approve', 'request_changes'] },
    summary: { type: 'string' }
  },
  required: ['verdict', 'summary'],
  additionalProperties: false
}

const review = {
  verdict: 'request_changes',
  summary: '`add` in math.js subtracts: `a - b` should be `a + b`.'
}

// Looks at the change first, as a reviewer would, then gives its verdict.
const offlineReviewer: ModelScript = (request) =>
  answersToolCall(request) ? { message: JSON.stringify(review) } : { command: 'cat math.js' }

const realKey = process.env.OPENAI_API_KEY
const model = realKey ? undefined : await startScriptedModel(offlineReviewer)
const github = await startGitHubServer()
const workspace = tempRepo({ 'math.js': 'export const add = (a, b) => a - b\n' })

console.log(
  realKey
    ? '▶ Demo with the real model (OPENAI_API_KEY is set)'
    : '▶ Demo with an OFFLINE SCRIPTED MODEL (set OPENAI_API_KEY to use the real one); the codex CLI is real'
)
const run = await runAction({
  inputs: {
    prompt: 'Review this pull request for bugs.',
    'output-schema': JSON.stringify(schema),
    'openai-api-key': realKey ?? 'sk-offline-demo',
    ...(model ? { 'base-url': model.url } : {}),
    'codex-path': codexLauncher,
    'github-token': 'ghs_demo_token'
  },
  payload: pullRequestPayload(1, 'Add math helpers'),
  githubUrl: github.url,
  workspace
})

const section = (title: string): void => console.log(`\n━━━━ ${title} ${'━'.repeat(Math.max(0, 60 - title.length))}`)
section('Job log')
console.log(
  run.log
    .replace(/^::group::(.*)$/gm, '▸ $1')
    .replace(/^::endgroup::$\n?/gm, '')
    .replace(/^::(warning|error)::/gm, (_, level: string) => `${level.toUpperCase()}: `)
    .trimEnd()
)
section('Step outputs')
for (const [name, value] of Object.entries(run.outputs)) console.log(`${name}: ${value}`)
section('PR comment')
console.log(github.comments.at(-1)?.body ?? '(no comment)')
section(`Exit code ${run.exitCode} in ${(run.durationMs / 1000).toFixed(1)}s`)

await model?.close()
await github.close()
process.exitCode = run.exitCode ?? 1
