// `npm run demo`: the main job on a sample pull request. It runs the built action (dist/index.js)
// exactly as a runner would, with the real codex CLI. The model is an offline scripted stand-in
// unless OPENAI_API_KEY is set, in which case the real model answers.
import { startGitHubServer } from '../__tests__/support/githubServer.js'
import { codexLauncher, pullRequestPayload, runAction, type ActionRun } from '../__tests__/support/runAction.js'
import { answersToolCall, startScriptedModel, type ModelScript } from '../__tests__/support/scriptedModel.js'
import { tempDir, tempRepo } from '../__tests__/support/tempDirs.js'

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

const followUp = 'Suggest the fix.'

// Looks at the change first, as a reviewer would, then gives its verdict; asked again in the same
// thread, it answers from what it saw in the first turn.
const offlineReviewer: ModelScript = (request) => {
  const latest = JSON.stringify(request.body.input?.at(-1) ?? {})
  if (latest.includes(followUp))
    return { message: 'In math.js, replace `a - b` with `a + b`; as the file I read in the first turn shows.' }
  return answersToolCall(request) ? { message: JSON.stringify(review) } : { command: 'cat math.js' }
}

const realKey = process.env.OPENAI_API_KEY
const model = realKey ? undefined : await startScriptedModel(offlineReviewer)
const github = await startGitHubServer()
const workspace = tempRepo({ 'math.js': 'export const add = (a, b) => a - b\n' })

console.log(
  realKey
    ? '▶ Demo with the real model (OPENAI_API_KEY is set)'
    : '▶ Demo with an OFFLINE SCRIPTED MODEL (set OPENAI_API_KEY to use the real one); the codex CLI is real'
)
const threadStore = tempDir('threads')
const runTurn = (runId: string, prompt: string, schemaInput: Record<string, string>) =>
  runAction({
    inputs: {
      prompt,
      ...schemaInput,
      'openai-api-key': realKey ?? 'sk-offline-demo',
      ...(model ? { 'base-url': model.url } : {}),
      'codex-path': codexLauncher,
      'github-token': 'ghs_demo_token',
      'thread-store': 'directory',
      'thread-store-path': threadStore
    },
    payload: pullRequestPayload(1, 'Add math helpers'),
    githubUrl: github.url,
    workspace,
    runId
  })

const section = (title: string): void => console.log(`\n━━━━ ${title} ${'━'.repeat(Math.max(0, 60 - title.length))}`)
const showRun = (title: string, run: ActionRun): void => {
  section(`${title}: job log`)
  console.log(
    run.log
      .replace(/^::add-mask::.*\n/gm, '')
      .replace(/^::group::(.*)$/gm, '▸ $1')
      .replace(/^::endgroup::$\n?/gm, '')
      .replace(/^::(warning|error)::/gm, (_, level: string) => `${level.toUpperCase()}: `)
      .trimEnd()
  )
  section(`${title}: step outputs (exit code ${run.exitCode}, ${(run.durationMs / 1000).toFixed(1)}s)`)
  for (const [name, value] of Object.entries(run.outputs)) console.log(`${name}: ${value}`)
}

const first = await runTurn('4242', 'Review this pull request for bugs.', { 'output-schema': JSON.stringify(schema) })
showRun('Run 1 (pull_request)', first)
const second = await runTurn('4243', followUp, {})
showRun('Run 2, same PR: the thread is resumed', second)
section('The PR comment (one comment, updated in place)')
console.log(github.comments.at(-1)?.body ?? '(no comment)')
console.log(`\n${github.comments.length} comment(s) on the PR`)

await model?.close()
await github.close()
process.exitCode = first.exitCode || second.exitCode || 0
