// The least a PR-thread action does, with the libraries and conventions the real one must keep
// (ncc bundle, ESM, @actions/core, @actions/github's octokit with the retry and throttling plugins, as
// the action's own GitHub client sets them up):
// read its inputs, read the PR's comments, run one `codex exec` turn, post the answer, set an output
// and the step summary. No isolation, no thread store, no proxy. The `floor` bench bundles it with
// ncc as `npm run package` bundles the action, and times it against raw `codex exec`.
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'
import * as core from '@actions/core'
import { context, getOctokit } from '@actions/github'
import { createOctokit } from '../../../src/action/github/octokit.js'
import { buildExecArgs } from '../../../src/sdk/args.js'

async function run(): Promise<void> {
  const prompt = core.getInput('prompt', { required: true })
  const apiKey = core.getInput('openai-api-key', { required: true })
  const baseUrl = core.getInput('base-url', { required: true })
  const codexPath = core.getInput('codex-path', { required: true })
  const token = core.getInput('github-token', { required: true })
  const workingDirectory = core.getInput('working-directory') || process.cwd()
  core.setSecret(apiKey)

  // 'false' measures what the plugins' request queues (Bottleneck) add to each call, with the same bundle
  const octokit =
    core.getInput('octokit-plugins') === 'false'
      ? getOctokit(token)
      : createOctokit({ token, apiUrl: process.env.GITHUB_API_URL ?? 'https://api.github.com', warn: core.warning })
  const issue = { ...context.repo, issue_number: context.issue.number }
  const { data: comments } = await octokit.rest.issues.listComments({ ...issue, per_page: 100 })
  core.info(`${comments.length} comments on #${issue.issue_number}`)

  const home = mkdtempSync(path.join(process.env.RUNNER_TEMP ?? '/tmp', 'codex-home-'))
  const args = buildExecArgs({
    baseUrl,
    providerUsesKey: true,
    thread: { workingDirectory, sandboxMode: 'read-only', skipGitRepoCheck: true },
    images: []
  })
  const child = spawn(codexPath, args, {
    env: { ...process.env, HOME: home, CODEX_HOME: home, CODEX_API_KEY: apiKey },
    stdio: ['pipe', 'pipe', 'inherit']
  })
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  child.stdin.end(prompt)
  let answer = ''
  for await (const line of createInterface({ input: child.stdout })) {
    // each line is a JSON object, so it starts with `{`, never with a workflow command's `::`
    core.info(line)
    const event = JSON.parse(line) as { type?: string; item?: { type?: string; text?: string } }
    if (event.type === 'item.completed' && event.item?.type === 'agent_message') answer = event.item.text ?? ''
  }
  const code = await exited
  if (code !== 0) throw new Error(`codex exec exited with ${code}`)

  await octokit.rest.issues.createComment({ ...issue, body: answer })
  core.setOutput('final-message', answer)
  await core.summary.addRaw(answer).write()
}

run().catch((error: unknown) => core.setFailed(error instanceof Error ? error.message : String(error)))
