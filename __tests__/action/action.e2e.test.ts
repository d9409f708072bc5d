import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { usePrHarness } from '../support/prHarness.js'
import { issueCommentPayload, outputJson } from '../support/runAction.js'
import { tempRepo } from '../support/tempDirs.js'
import { answersToolCall, requestText, type ModelScript } from '../support/scriptedModel.js'
import { itemAt } from '../support/lists.js'

const verdictSchema = JSON.stringify({
  type: 'object',
  properties: { verdict: { type: 'string', enum: ['approve', 'request_changes'] } },
  required: ['verdict'],
  additionalProperties: false
})

const harness = usePrHarness(7)

describe('the action, run from dist/index.js as the runner runs it', () => {
  it('streams a PR turn into the log and publishes outputs, a summary and one comment', async () => {
    const script: ModelScript = (request) =>
      answersToolCall(request) ? { message: '{"verdict":"approve"}' } : { command: 'git log --oneline' }
    const run = await harness.run(script, { 'output-schema': verdictSchema })
    expect(run.exitCode, run.log).toBe(0)

    expect(run.outputs['final-response']).toBe('{"verdict":"approve"}')
    expect(outputJson(run, 'structured-output')).toEqual({ verdict: 'approve' })
    expect(run.outputs['thread-id']).toMatch(/^[0-9a-f-]{36}$/)
    expect(run.outputs.resumed).toBe('false')
    expect(outputJson(run, 'usage')).toEqual({
      input_tokens: 200,
      cached_input_tokens: 40,
      cache_write_input_tokens: 0,
      output_tokens: 20,
      reasoning_output_tokens: 0
    })
    expect(run.outputs.conclusion).toBe('success')
    expect(outputJson(run, 'changed-files')).toEqual([])

    // the log: a line as the command starts, a group with its output and exit code, the message, a closing line
    expect(run.log).toContain('▶ $ ')
    expect(run.log).toMatch(/::group::✔ \$ .*git log --oneline.*\(exit 0/)
    expect(run.log).toContain('init')
    expect(run.log).toContain('💬 {"verdict":"approve"}')
    expect(run.log).toMatch(/✅ Turn completed in [\d.]+s · 200 input tokens \(40 cached\), 20 output tokens/)

    // the model saw the PR context as data, from a client that names itself as the action
    expect(harness.model.requests[0]?.headers.originator).toBe('codex_thread_action')
    const prompt = requestText(harness.model.requests[0])
    expect(prompt).toContain('Review this pull request.')
    expect(prompt).toContain('Pull request: #7')
    expect(prompt).toContain(`git diff ${'a'.repeat(40)}...${'b'.repeat(40)}`)

    expect(run.summary).toContain('### Result\n\n**Verdict:** approve')
    expect(run.summary).toContain(`[the thread's comment](${itemAt(harness.github.comments, 0).html_url})`)
    expect(run.summary).toMatch(/\| 0 \| .*git log --oneline/)

    const posts = harness.github.requests.filter((request) => request.method === 'POST')
    expect(posts).toHaveLength(1)
    expect(harness.github.comments).toHaveLength(1)
    const comment = itemAt(harness.github.comments, 0)
    expect(comment.body).toMatch(/^<!-- codex-thread-action:key=pr-7 proof=[\w-]{22} -->\n/)
    expect(comment.body).toContain('🏁 Done')
    expect(comment.body).toContain('**Verdict:** approve')
    expect(comment.body).toContain('"verdict": "approve"')
    expect(comment.body).toContain('Commands (1)')
    expect(comment.body).toContain('https://github.com/octo/demo/actions/runs/4242')
    expect(run.outputs['comment-url']).toBe(comment.html_url)
    // nothing published carries a secret
    for (const text of [run.summary, comment.body, JSON.stringify(run.outputs)]) {
      expect(text).not.toContain('sk-test-secret-key-123')
      expect(text).not.toContain('ghs_testtoken456')
    }
  })

  it('on a comment event, reads the PR refs from the API so the prompt says how to see the change', async () => {
    harness.github.setPull(7, {
      title: 'Refs from the API',
      base: { ref: 'main', sha: 'c'.repeat(40) },
      head: { ref: 'topic', sha: 'd'.repeat(40) }
    })
    const run = await harness.run(
      () => ({ message: 'answered the comment' }),
      {},
      {
        eventName: 'issue_comment',
        payload: issueCommentPayload(7, '@codex why?')
      }
    )
    expect(run.exitCode, run.log).toBe(0)
    const prompt = requestText(harness.model.requests[0])
    expect(prompt).toContain('Event: issue_comment')
    expect(prompt).toContain(`git diff ${'c'.repeat(40)}...${'d'.repeat(40)}`)
    // the answer where it was asked, and the thread's sticky comment
    expect(harness.github.comments.map((comment) => comment.body.split('\n')[0])).toEqual(
      expect.arrayContaining([
        '@alice asked:',
        expect.stringMatching(/^<!-- codex-thread-action:key=pr-7 proof=[\w-]{22} -->$/)
      ])
    )
  })

  it('lets the agent change files under workspace-write and lists them, relative to the checkout', async () => {
    const workspace = tempRepo()
    const patch = [
      "apply_patch <<'EOF'",
      '*** Begin Patch',
      '*** Update File: README.md',
      '@@',
      '-# sample',
      '+# sample, fixed',
      '*** Add File: src/added.txt',
      '+new file',
      '*** End Patch',
      'EOF'
    ].join('\n')
    const run = await harness.run(
      (request) => (answersToolCall(request) ? { message: 'Fixed the README.' } : { command: patch }),
      { sandbox: 'workspace-write' },
      { workspace }
    )
    expect(run.exitCode, run.log).toBe(0)
    expect(outputJson(run, 'changed-files')).toEqual(['README.md', 'src/added.txt'])
    expect(readFileSync(path.join(workspace, 'README.md'), 'utf8')).toBe('# sample, fixed\n')
    expect(readFileSync(path.join(workspace, 'src', 'added.txt'), 'utf8')).toBe('new file\n')
    expect(run.log).toContain('📝 Changed files:\n  update README.md\n  add    src/added.txt')
    expect(run.summary).toContain('- `src/added.txt`')
    expect(harness.github.comments[0]?.body).toContain('<details><summary>Files changed (2)</summary>')
    expect(harness.github.comments[0]?.body).not.toContain(workspace)
  })

  it('updates its own comment on the next run instead of writing another', async () => {
    await harness.run(() => ({ message: 'first review' }))
    const second = await harness.run(() => ({ message: 'second review' }))
    expect(second.exitCode, second.log).toBe(0)
    expect(harness.github.comments).toHaveLength(1)
    expect(harness.github.comments[0]?.body).toContain('second review')
    expect(harness.github.requests.filter((request) => request.method === 'POST')).toHaveLength(1)
  })

  it('ignores a marker pasted into someone else comment', async () => {
    const forged = harness.github.addComment(7, '<!-- codex-thread-action:key=pr-7 --> pasted by a stranger', 'mallory')
    const run = await harness.run(() => ({ message: 'real review' }))
    expect(run.exitCode, run.log).toBe(0)
    expect(harness.github.comments).toHaveLength(2)
    expect(harness.github.comments.find((comment) => comment.id === forged.id)?.body).toContain('pasted by a stranger')
    expect(harness.github.comments.find((comment) => comment.user.login === 'github-actions[bot]')?.body).toContain(
      'real review'
    )
  })

  it('fails an off-schema response, keeping the raw text in final-response and the comment', async () => {
    const run = await harness.run(() => ({ message: '{"verdict":"maybe"}' }), { 'output-schema': verdictSchema })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.conclusion).toBe('failure')
    expect(run.outputs['final-response']).toBe('{"verdict":"maybe"}')
    expect(run.outputs['structured-output']).toBe('')
    expect(run.log).toMatch(/::error::The final response does not match output-schema:.*verdict/s)
    expect(harness.github.comments[0]?.body).toContain('❌ Failed')
    expect(harness.github.comments[0]?.body).toContain('{"verdict":"maybe"}')
  })

  it('refuses a bad input with one line naming it, before codex starts', async () => {
    const run = await harness.run(() => ({ message: 'never' }), { sandbox: 'yolo' })
    expect(run.exitCode).toBe(1)
    expect(run.log).toContain(
      '::error::Input "sandbox": "yolo" is not one of read-only, workspace-write, danger-full-access'
    )
    expect(harness.model.requests).toHaveLength(0)
    expect(harness.github.comments).toHaveLength(0)
  })
})
