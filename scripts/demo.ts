// `npm run demo`: the main job on a sample pull request. It runs the built action (dist/index.js)
// exactly as a runner would, with the real codex CLI: first a review (mode: review), then a
// question asked under one of its findings, answered in that review thread by the same thread.
// The model is an offline scripted stand-in unless OPENAI_API_KEY is set.
import { chmodSync } from 'node:fs'
import type { ReviewResponse } from '../src/action/core/findings.js'
import { OWNER, REPO, startGitHubServer } from '../__tests__/support/githubServer.js'
import { PrRepo } from '../__tests__/support/prRepo.js'
import { codexLauncher, runAction, type ActionRun } from '../__tests__/support/runAction.js'
import { answersToolCall, startScriptedModel, type ModelScript } from '../__tests__/support/scriptedModel.js'
import { tempDir } from '../__tests__/support/tempDirs.js'

const PR = 1
const repo = new PrRepo({
  'math.js': 'export const add = (a, b) => a + b\n\n// multiplies two numbers\nexport const mul = (a, b) => a * b\n'
})
repo.commit({
  'math.js':
    'export const add = (a, b) => a - b\n\n// multiplies two numbers\nexport const mul = (a, b) => a * b\n\nexport const half = (a) => a / 2\n'
})
// the modes actions/checkout leaves (a temporary folder is 0700): a read-only turn is then lent nothing
chmodSync(repo.dir, 0o755)
// Read once, before any run: during a turn the checkout may be lent to the agent's own user (the
// action's isolation), and git run by us in it then refuses it as "dubious ownership".
const { base, head } = repo

const review: ReviewResponse = {
  summary: 'One bug in `add`; the rest of the change reads well.',
  findings: [
    {
      path: 'math.js',
      line: 1,
      start_line: null,
      severity: 'major',
      title: '`add` subtracts',
      body: '`add` returns `a - b`, so every caller gets the difference instead of the sum.',
      suggestion: 'export const add = (a, b) => a + b'
    },
    {
      path: 'math.js',
      line: 3,
      start_line: null,
      severity: 'nit',
      title: 'Comment says what the code says',
      body: 'The comment above `mul` repeats the name; say why, or drop it.',
      suggestion: null
    }
  ],
  resolved: [],
  walkthrough: {
    overview: 'Adds `half` beside the arithmetic helpers, and changes `add`, which looks accidental.',
    files: [{ paths: ['math.js'], change: '`add` now subtracts; a new `half` helper.' }],
    effort: 1,
    effort_reason: 'One small file, but a behaviour change every caller of `add` sees.',
    risks: ['`add` returns the difference for every caller.'],
    diagram: null
  }
}
const question = '@codex why is this wrong? The tests pass.'

// Looks at the change first, as a reviewer would, then reports; asked in the finding's thread, it
// answers from what it saw in the review turn.
const offlineReviewer: ModelScript = (request) => {
  const latest = JSON.stringify(request.body.input?.at(-1) ?? {})
  if (latest.includes('why is this wrong'))
    return {
      message:
        'Because `add(2, 3)` returns `-1`: the diff I read in the review changed `a + b` to `a - b`. The tests pass ' +
        'because none calls `add` with unequal numbers; the suggestion restores the sum.'
    }
  return answersToolCall(request) ? { message: JSON.stringify(review) } : { command: `git diff ${base}...${head}` }
}

const realKey = process.env.OPENAI_API_KEY
const model = realKey ? undefined : await startScriptedModel(offlineReviewer)
const github = await startGitHubServer()
repo.publish(github, PR)

console.log(
  realKey
    ? '▶ Demo with the real model (OPENAI_API_KEY is set)'
    : '▶ Demo with an OFFLINE SCRIPTED MODEL (set OPENAI_API_KEY to use the real one); the codex CLI is real'
)
const threadStore = tempDir('threads')
const inputs = {
  'openai-api-key': realKey ?? 'sk-offline-demo',
  ...(model ? { 'base-url': model.url } : {}),
  'codex-path': codexLauncher,
  'github-token': 'ghs_demo_token',
  'thread-store': 'directory',
  'thread-store-path': threadStore
}

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

const reviewed = await runAction({
  inputs: { ...inputs, mode: 'review', prompt: 'We care most about correctness.' },
  payload: repo.payload(PR),
  githubUrl: github.url,
  workspace: repo.dir,
  runId: '4242'
})
showRun('Run 1 (pull_request, mode: review)', reviewed)
section('The sticky PR comment after the review: the walkthrough, then the review')
const reviewComment = github.comments.at(-1)?.body ?? '(no comment)'
console.log(reviewComment.replace(/\n<!-- codex-thread-action:record=.*$/, ''))
section('The review on the PR (event COMMENT)')
console.log(github.reviews[0]?.body ?? '(no review)')
for (const comment of github.reviewComments) {
  section(`Inline comment on ${comment.path}:${comment.line}`)
  console.log(comment.body)
}

// a reviewer asks under the first finding: GitHub sends a pull_request_review_comment event
const finding = github.reviewComments[0]
const asked = finding && github.addReviewComment(PR, { body: question, login: 'alice', in_reply_to: finding.id })
const answered = asked
  ? await runAction({
      inputs,
      eventName: 'pull_request_review_comment',
      payload: {
        action: 'created',
        comment: { ...asked, user: { login: 'alice', type: 'User' } },
        pull_request: {
          number: PR,
          title: 'Add math helpers',
          base: { ref: 'main', sha: base },
          head: { ref: 'feature', sha: head }
        },
        repository: { name: REPO, owner: { login: OWNER } },
        sender: { login: 'alice', type: 'User' }
      },
      githubUrl: github.url,
      workspace: repo.dir,
      runId: '4243'
    })
  : undefined
const thread = github.reviewComments.filter((entry) => (entry.in_reply_to_id ?? entry.id) === finding?.id)
if (answered) {
  showRun('Run 2 (pull_request_review_comment): the same thread answers', answered)
  section('The review thread')
  for (const comment of thread)
    console.log(
      `@${comment.user.login}: ${comment.body
        .split('\n')
        .filter((line) => !line.startsWith('<!--'))
        .join('\n')}\n`
    )
}
section('The sticky PR comment (one comment, updated in place)')
console.log(github.comments.at(-1)?.body ?? '(no comment)')

await model?.close()
await github.close()
// CI runs the demo: it fails unless the story it tells happened (a review with inline findings, an
// answer in the finding's thread after the question)
const missing = [
  reviewed.exitCode !== 0 && `the review run exited ${reviewed.exitCode}`,
  !finding && 'the review posted no inline finding',
  !reviewComment.includes('🧭 Walkthrough') && 'the sticky comment has no walkthrough',
  answered && answered.exitCode !== 0 && `the answer run exited ${answered.exitCode}`,
  answered && !thread.some((comment) => comment.id > (asked?.id ?? Infinity)) && 'no answer in the thread'
].filter(Boolean)
if (missing.length) console.error(`\n✗ The demo failed: ${missing.join('; ')}`)
process.exitCode = missing.length ? 1 : 0
