import { mkdirSync, rmSync } from 'node:fs'
import { TextNode } from 'node-html-parser'
import { describe, expect, it } from 'vitest'
import type { ReviewResponse, Walkthrough } from '../../src/action/core/findings.js'
import { WALKTHROUGH_PLACEHOLDER } from '../../src/action/core/markers.js'
import { issueCommentEvent } from '../support/github/events.js'
import { renderedDom } from '../support/markdownHtml.js'
import { usePrHarness } from '../support/prHarness.js'
import { PrRepo } from '../support/prRepo.js'
import { requestText, type ModelScript } from '../support/scriptedModel.js'
import { reviewAnswer, sampleFinding, sampleWalkthrough } from '../support/reviewScript.js'
import { tempDir } from '../support/tempDirs.js'

// Issue 29: the PR at a glance, from the review turn itself, current on every push, and the PR's
// description touched only inside the action's own proven block.

const PR = 29
const harness = usePrHarness(PR)

const numbered = (count: number, change: (line: number) => string | undefined = () => undefined): string =>
  Array.from({ length: count }, (_, index) => change(index + 1) ?? `line ${index + 1}`).join('\n') + '\n'

/** A PR that changes line 5 of calc.ts and adds new.ts, plus `files`. */
function samplePr(files: Record<string, string> = {}): PrRepo {
  const repo = new PrRepo({ 'calc.ts': numbered(30) })
  repo.commit({
    'calc.ts': numbered(30, (line) => (line === 5 ? 'return a - b' : undefined)),
    'new.ts': 'export const x = 1\n',
    ...files
  })
  repo.publish(harness.github, PR)
  return repo
}

const reviewInputs = (store: string, extra: Record<string, string> = {}): Record<string, string> => ({
  mode: 'review',
  prompt: '',
  'thread-store': 'directory',
  'thread-store-path': store,
  ...extra
})

const runReview = (repo: PrRepo, script: ModelScript, inputs: Record<string, string>) =>
  harness.run(script, inputs, { workspace: repo.dir, payload: repo.payload(PR) })

const answer = (walkthrough: Walkthrough, more: Partial<ReviewResponse> = {}): ModelScript =>
  reviewAnswer({ walkthrough, ...more })

function sticky(): string {
  const comments = harness.github.comments.filter((comment) => comment.body.includes('codex-thread-action:key=pr-29'))
  expect(comments).toHaveLength(1)
  return comments[0]!.body
}

const pull = (): Record<string, unknown> => harness.github.pulls.get(PR)!
const description = (): string => pull().body as string

/** Publishes the PR's new head as GitHub would: its description stays what it was. */
function push(repo: PrRepo, files: Record<string, string>): void {
  const body = description()
  repo.commit(files)
  repo.publish(harness.github, PR)
  pull().body = body
}

const occurrences = (text: string, part: string): number => text.split(part).length - 1

describe('the walkthrough, end to end', () => {
  it('opens the sticky comment, above the review and its counts, from the review turn alone', async () => {
    const repo = samplePr()
    const run = await runReview(
      repo,
      answer(sampleWalkthrough(), { findings: [sampleFinding()] }),
      reviewInputs(tempDir('store'))
    )
    expect(run.exitCode).toBe(0)
    const body = sticky()
    const heading = body.indexOf('#### 🧭 Walkthrough')
    expect(heading).toBeGreaterThan(body.indexOf('### 🤖 Codex'))
    expect(heading).toBeLessThan(body.indexOf('**Review** of the whole pull request: 1 major'))
    expect(heading).toBeLessThan(body.indexOf('[open the review]'))
    expect(body).toContain('Adds a subtraction helper and two exports, so callers can compute differences.')
    expect(body).toContain('| Files | Change |')
    expect(body).toContain('| `calc.ts` | The sum now subtracts\\; an unused constant\\. |')
    expect(body).toContain('| `new.ts` | Two new exported constants\\. |')
    expect(body).toContain('**Review effort:** 2/5 ●●○○○ · Two small files\\, one behaviour change\\.')
    expect(body).toContain('**Risk areas:**\n\n- Arithmetic in calc\\.ts changes for every caller\\.')
    expect(body).toContain(
      '<details><summary>Sequence diagram</summary>\n\n```mermaid\nsequenceDiagram\n    participant Caller'
    )
    expect(body).not.toContain('<summary>Changed files')

    // one model request: the walkthrough is part of the review's own answer, asked of the whole PR
    expect(harness.model.requests).toHaveLength(1)
    const request = harness.model.requests[0]!
    const schema = JSON.stringify(request.body.text)
    expect(schema).toContain('"walkthrough"')
    expect(schema).toContain('"effort_reason"')
    expect(requestText(request)).toContain(`git diff --stat ${repo.base}...${repo.head}`)
    expect((JSON.parse(run.outputs['structured-output']!) as ReviewResponse).walkthrough).toEqual(sampleWalkthrough())
    // the job summary and the review itself stay as they were
    expect(harness.github.reviews[0]!.body).not.toContain('Walkthrough')
  })

  it('is rewritten for the PR as it is after a second push, once, while the review covers only what is new', async () => {
    const repo = samplePr()
    const store = tempDir('store')
    await runReview(repo, answer(sampleWalkthrough()), reviewInputs(store))
    const reviewed = repo.head
    push(repo, { 'other.ts': 'export const z = 3\n' })
    const both = sampleWalkthrough({
      overview: 'Subtraction in calc.ts, and new constants in new.ts and other.ts.',
      files: [
        { paths: ['calc.ts'], change: 'Subtracts.' },
        { paths: ['new.ts', 'other.ts'], change: 'Exported constants, the third one added by the second push.' }
      ],
      effort: 3
    })
    const second = await runReview(repo, answer(both), reviewInputs(store))
    expect(second.exitCode).toBe(0)

    const prompt = requestText(harness.model.requests[0])
    expect(prompt).toContain(`git diff ${reviewed}..${repo.head}`)
    expect(prompt).toContain(`git diff --stat ${repo.base}...${repo.head}`)
    const body = sticky()
    expect(occurrences(body, '🧭 Walkthrough')).toBe(1)
    expect(body).toContain('Subtraction in calc.ts, and new constants in new.ts and other.ts.')
    expect(body).toContain(
      '| `new.ts`<br>`other.ts` | Exported constants\\, the third one added by the second push\\. |'
    )
    expect(body).toContain('**Review effort:** 3/5')
    // the first review's walkthrough is gone, from the earlier turn it folds too
    expect(body).toContain('Earlier turns in this thread (1)')
    expect(body).not.toContain('so callers can compute differences')
    expect(body).not.toContain('Two new exported constants')
  })

  it('stays on top through a turn that is not a review, as of the reviewed commit, until the next review rewrites it', async () => {
    const repo = samplePr()
    const store = tempDir('store')
    expect((await runReview(repo, answer(sampleWalkthrough()), reviewInputs(store))).exitCode).toBe(0)
    const reviewed = repo.head

    const ask = async (words: string, inputs: Record<string, string> = {}) => {
      const asked = harness.github.addComment(PR, `@codex ${words}`, 'alice')
      const payload = issueCommentEvent({ number: PR, id: asked.id, body: asked.body, sender: 'alice' })
      return harness.run(
        () => ({ message: `Because ${words.length} reasons.` }),
        { prompt: 'Answer briefly.', 'thread-store': 'directory', 'thread-store-path': store, ...inputs },
        { eventName: 'issue_comment', payload, workspace: repo.dir }
      )
    }
    const asked = await ask('why subtract?')
    expect(asked.exitCode).toBe(0)
    let body = sticky()
    expect(occurrences(body, '🧭 Walkthrough')).toBe(1)
    expect(body).toContain(`#### 🧭 Walkthrough · as of \`${reviewed.slice(0, 7)}\``)
    expect(body).toContain('so callers can compute differences')
    expect(body).toContain('| `calc.ts` | The sum now subtracts\\; an unused constant\\. |')
    // the answer follows it, under a heading of its own; the review's turn, folded, without its walkthrough
    expect(body.indexOf('#### 💬 This turn')).toBeGreaterThan(body.indexOf('🧭 Walkthrough'))
    expect(body.indexOf('Because 13 reasons.')).toBeGreaterThan(body.indexOf('#### 💬 This turn'))
    expect(body).toContain('Earlier turns in this thread (1)')
    expect(occurrences(body, 'so callers can compute differences')).toBe(1)
    expect(occurrences(body, 'Review effort')).toBe(1)

    // a second question with the stored thread lost: still there, from the comment's own record
    rmSync(store, { recursive: true })
    mkdirSync(store)
    expect((await ask('and then?')).exitCode).toBe(0)
    body = sticky()
    expect(occurrences(body, '🧭 Walkthrough')).toBe(1)
    expect(body).toContain(`as of \`${reviewed.slice(0, 7)}\``)
    expect(body).toContain('Because 9 reasons.')

    // walkthrough: false on a turn shows none
    expect((await ask('quiet?', { walkthrough: 'false' })).exitCode).toBe(0)
    expect(sticky()).not.toContain('Walkthrough')

    // a push and its review rewrite it, once, of the new head, with no "as of"
    push(repo, { 'other.ts': 'export const z = 3\n' })
    const rewritten = sampleWalkthrough({ overview: 'Now with other.ts as well.' })
    expect((await runReview(repo, answer(rewritten), reviewInputs(store))).exitCode).toBe(0)
    body = sticky()
    expect(occurrences(body, '🧭 Walkthrough')).toBe(1)
    expect(body).toContain('#### 🧭 Walkthrough\n')
    expect(body).not.toContain('as of')
    expect(body).toContain('Now with other.ts as well.')
    expect(body).not.toContain('so callers can compute differences')
    // and the next question carries the new one, as of the new head
    expect((await ask('better now?')).exitCode).toBe(0)
    body = sticky()
    expect(body).toContain(`#### 🧭 Walkthrough · as of \`${repo.head.slice(0, 7)}\``)
    expect(body).toContain('Now with other.ts as well.')
    expect(occurrences(body, 'Now with other.ts as well.')).toBe(1)
  })

  it('folds a table of 40 files, every file in it', async () => {
    const files = Object.fromEntries(
      Array.from({ length: 40 }, (_, index) => [`src/mod${index}.ts`, `export const m${index} = ${index}\n`])
    )
    const repo = samplePr(files)
    const paths = Object.keys(files)
    const groups = Array.from({ length: 10 }, (_, row) => ({
      paths: paths.slice(row * 4, row * 4 + 4),
      change: `Modules ${row * 4} to ${row * 4 + 3}.`
    }))
    const run = await runReview(
      repo,
      answer(sampleWalkthrough({ files: [sampleWalkthrough().files[0]!, ...groups] })),
      reviewInputs(tempDir('store'))
    )
    expect(run.exitCode).toBe(0)
    const body = sticky()
    const fold =
      /<details><summary>Changed files \(42\)<\/summary>\n\n(\| Files \| Change \|[\s\S]*?)\n\n<\/details>/.exec(body)
    const table = fold?.[1] ?? ''
    for (const file of paths) expect(table).toContain(`\`${file}\``)
    // the agent left new.ts out: it is listed anyway, as not described
    expect(table).toContain('| `new.ts` | Not described by the agent\\. |')
    expect(table.split('\n')).toHaveLength(2 + 1 + 10 + 1)
  })

  it('is left out with walkthrough: false, and not asked for', async () => {
    const repo = samplePr()
    const run = await runReview(
      repo,
      answer(sampleWalkthrough(), { findings: [sampleFinding()] }),
      reviewInputs(tempDir('store'), { walkthrough: 'false' })
    )
    expect(run.exitCode).toBe(0)
    const body = sticky()
    expect(body).not.toContain('Walkthrough')
    expect(body).toContain('1 major')
    const request = harness.model.requests[0]!
    expect(JSON.stringify(request.body.text)).not.toContain('walkthrough')
    expect(requestText(request)).not.toContain('git diff --stat')
  })

  it('describe: placeholder replaces only the placeholder, then only its own block, and never an edit made during the run', async () => {
    const repo = samplePr()
    const before = 'Fixes the sum.\r\n\r\n'
    const after = '\r\n\r\n## Checklist\r\n- [x] tests\r\n'
    pull().body = `${before}<!-- codex-thread-action:walkthrough -->${after}`
    const store = tempDir('store')
    const inputs = reviewInputs(store, { describe: 'placeholder' })
    const block = (body: string, head: string, tail: string): string => {
      expect(body.startsWith(head)).toBe(true)
      expect(body.endsWith(tail)).toBe(true)
      return body.slice(head.length, body.length - tail.length)
    }

    expect((await runReview(repo, answer(sampleWalkthrough()), inputs)).exitCode).toBe(0)
    const first = block(description(), before, after)
    expect(first).toMatch(/^<!-- codex-thread-action:walkthrough-start proof=[\w-]{22} -->\r\n### 🧭 Walkthrough\r\n/)
    expect(first).toMatch(/\r\n<!-- codex-thread-action:walkthrough-end -->$/)
    expect(first).toContain('so callers can compute differences')
    expect(first).toContain('```mermaid\r\nsequenceDiagram')

    // the author edits their own text; a push; the block alone is rewritten, the edit kept
    const edited = 'Fixes the sum, for real.\r\n\r\n'
    pull().body = description().replace(before, edited)
    push(repo, { 'other.ts': 'export const z = 3\n' })
    const second = sampleWalkthrough({ overview: 'Second push: other.ts too.' })
    expect((await runReview(repo, answer(second), inputs)).exitCode).toBe(0)
    const rewritten = block(description(), edited, after)
    expect(rewritten).toContain('Second push: other.ts too.')
    expect(rewritten).not.toContain('so callers can compute differences')
    expect(occurrences(description(), 'walkthrough-start')).toBe(1)

    // the author edits while the review runs (a new push: a head is reviewed once): their edit stands,
    // the block waits for the next run
    push(repo, { 'third.ts': 'export const w = 4\n' })
    const during = `${description()}- [x] docs\r\n`
    const editing: ModelScript = (request, index) => {
      pull().body = during
      return answer(sampleWalkthrough({ overview: 'Third run.' }))(request, index)
    }
    const third = await runReview(repo, editing, inputs)
    expect(third.exitCode).toBe(0)
    expect(third.log).toContain('::warning::describe: the pull request description changed while the review ran')
    expect(description()).toBe(during)
    push(repo, { 'fourth.ts': 'export const v = 5\n' })
    const fourth = await runReview(repo, answer(sampleWalkthrough({ overview: 'Fourth run.' })), inputs)
    expect(fourth.exitCode).toBe(0)
    expect(block(description(), edited, `${after}- [x] docs\r\n`)).toContain('Fourth run.')
  })

  it('leaves the description alone by default, placeholder and all', async () => {
    const repo = samplePr()
    const authored = 'Mine.\n<!-- codex-thread-action:walkthrough -->\n'
    pull().body = authored
    expect((await runReview(repo, answer(sampleWalkthrough()), reviewInputs(tempDir('store')))).exitCode).toBe(0)
    expect(description()).toBe(authored)
    expect(
      harness.github.requests.some((request) => request.method === 'PATCH' && /\/pulls\/\d+$/.test(request.path))
    ).toBe(false)
  })

  it('keeps hostile file names and prose as data, and drops a diagram that tries to leave its fence', async () => {
    const hostile = 'x|y`z<!-- codex-thread-action:key=pr-29 --><img src=x onerror=alert(1)>@alice.ts'
    const repo = samplePr({ [hostile]: 'export {}\n' })
    const authored = `Mine <b>here</b>.\n${WALKTHROUGH_PLACEHOLDER}\nAnd after.\n`
    pull().body = authored
    const run = await runReview(
      repo,
      answer(
        sampleWalkthrough({
          overview:
            '<!-- codex-thread-action:key=pr-29 -->\n<details><summary>x</summary>\n\nHi @alice ![t](https://evil.example/p.png)',
          files: [
            { paths: [hostile, 'not/in/the/pr.ts'], change: '| broken | row | <script>alert(1)</script>' },
            ...sampleWalkthrough().files
          ],
          risks: ['<!-- codex-thread-action:finding=abc -->', '@alice look'],
          effort_reason: '</summary></details><img src=x>',
          diagram: 'sequenceDiagram\n  A->>B: hi\n```\n<img src=x onerror=alert(1)>\n```mermaid'
        })
      ),
      reviewInputs(tempDir('store'), { describe: 'placeholder' })
    )
    expect(run.exitCode).toBe(0)
    const body = sticky()
    const lines = body.split('\n')
    // in the description too: one start and one end marker, the author's text around them as it was
    const written = description().split('\n')
    expect(written.filter((line) => line.includes('<!--'))).toEqual([
      expect.stringMatching(/^<!-- codex-thread-action:walkthrough-start proof=[\w-]{22} -->$/),
      '<!-- codex-thread-action:walkthrough-end -->'
    ])
    expect([written[0], ...written.slice(-2)]).toEqual(['Mine <b>here</b>.', 'And after.', ''])
    expect(description()).not.toContain('mermaid')
    // our markers are the first and last lines, and nothing else can be taken for one
    expect(lines.filter((line) => line.includes('<!--')).map((line) => lines.indexOf(line))).toEqual([
      0,
      lines.length - 1
    ])
    const walkthrough = body.slice(body.indexOf('🧭 Walkthrough'), body.indexOf('**Review** of'))
    expect(walkthrough).toContain('**Risk areas:**')
    expect(walkthrough).not.toContain('mermaid')
    expect(walkthrough).not.toContain('Sequence diagram')
    expect(walkthrough).not.toContain('not/in/the/pr.ts')
    const dom = renderedDom(body)
    expect(dom.querySelectorAll('img')).toHaveLength(0)
    expect(dom.querySelectorAll('script')).toHaveLength(0)
    const table = dom.querySelectorAll('table').find((node) => node.text.includes('Change'))!
    for (const row of table.querySelectorAll('tr')) expect(row.querySelectorAll('th, td')).toHaveLength(2)
    const cell = table.querySelectorAll('td')[0]!
    expect(cell.querySelector('code')!.text).toBe(hostile.replace('<!--', '<!\u2060--'))
    expect(table.querySelectorAll('td')[1]!.text).toBe('| broken | row | <script>alert(1)</script>')
    // mentions are code, so nobody is pinged
    for (const node of dom.querySelectorAll('p, li'))
      expect(node.childNodes.some((child) => child instanceof TextNode && child.text.includes('@alice'))).toBe(false)
  })
})
