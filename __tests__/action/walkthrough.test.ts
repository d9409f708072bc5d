import { describe, expect, it } from 'vitest'
import { WALKTHROUGH_PLACEHOLDER } from '../../src/action/core/markers.js'
import { reviewOutputSchema, findingsOutputSchema } from '../../src/action/core/findings.js'
import { placeWalkthrough } from '../../src/action/kinds/review/describe.js'
import { checkedWalkthrough } from '../../src/action/kinds/review/walkthrough.js'
import { createMarkerProof } from '../../src/action/thread/markerProof.js'
import {
  FOLD_FILES_OVER,
  mermaidDiagram,
  walkthroughMarkdown,
  withoutWalkthrough
} from '../../src/action/surfaces/walkthrough.js'
import { strictSchemaProblems } from '../../src/sdk/index.js'
import { renderedDom } from '../support/markdownHtml.js'
import { sampleWalkthrough } from '../support/reviewScript.js'
import { surfaces } from '../support/surfaces.js'
import { TurnReport } from '../../src/action/core/report.js'
import { renderComment } from '../../src/action/surfaces/comment.js'
import { emptyTranscript, type Transcript } from '../../src/action/thread/transcript.js'

const proof = createMarkerProof('pr-29', 'thread-secret')
const layout = { headingLevel: 4 }

describe('the review schema with a walkthrough', () => {
  it('is strict-mode valid, asks for the walkthrough, and still takes a response without one', () => {
    expect(strictSchemaProblems(reviewOutputSchema.schema)).toEqual([])
    expect((reviewOutputSchema.schema.required as string[]).at(-1)).toBe('walkthrough')
    expect(reviewOutputSchema.validate({ summary: 's', findings: [], resolved: [] })).toEqual([])
    expect(
      reviewOutputSchema.validate({ summary: 's', findings: [], resolved: [], walkthrough: sampleWalkthrough() })
    ).toEqual([])
    expect(
      reviewOutputSchema.validate({
        summary: 's',
        findings: [],
        resolved: [],
        walkthrough: { ...sampleWalkthrough(), effort: 6 }
      })
    ).not.toEqual([])
    expect(JSON.stringify(findingsOutputSchema.schema)).not.toContain('walkthrough')
  })
})

describe('mermaidDiagram', () => {
  const flow = 'sequenceDiagram\n  participant A as Action\n  A->>GitHub: PATCH body\n  GitHub-->>A: 200'

  it('keeps a plain sequence diagram', () => {
    expect(mermaidDiagram(flow)).toBe(flow)
    expect(mermaidDiagram(`\r\n${flow.replace(/\n/g, '\r\n')}  \n`)).toBe(flow)
  })

  it.each([
    ['no diagram', null],
    ['another kind of diagram', 'flowchart LR\n  A-->B'],
    ['a header alone', 'sequenceDiagram'],
    ['a fence that would close ours', `${flow}\n\`\`\`\n<img src=x>`],
    ['HTML', `${flow}\n  A->>B: <b>hi</b>`],
    ['a hidden marker', `${flow}\n  Note over A: <!-- codex-thread-action:key=pr-1 -->`],
    ['an entity', `${flow}\n  A->>B: #lt;script#gt;`],
    ['an ampersand entity', `${flow}\n  A->>B: &lt;b&gt;`],
    ['a link directive', `${flow}\n  link A: Docs @ https://evil.example`],
    ['an actor menu', `${flow}\n  links A: {"Docs": "https://evil.example"}`],
    ['a click', `${flow}\n  click A call alert()`],
    ['an init directive', `%%{init: {"securityLevel": "loose"}}%%\n${flow}`],
    ['an init directive inside', `${flow}\n%%{init: {"securityLevel": "loose"}}%%`],
    ['a URL', `${flow}\n  A->>B: see https://evil.example/x`],
    ['a control character', `${flow}\n  A->>B: \u0007`],
    ['a bidi override', `${flow}\n  A->>B: \u202egnp.exe`],
    ['too long', `${flow}\n${'  A->>B: x\n'.repeat(400)}`],
    ['too many lines', `${flow}\n${'  A->>B\n'.repeat(90)}`]
  ])('drops %s', (_name, text) => {
    expect(mermaidDiagram(text)).toBeUndefined()
  })
})

describe('walkthroughMarkdown', () => {
  const files = (count: number) =>
    Array.from({ length: count }, (_, index) => ({ paths: [`f${index}.ts`], change: `File ${index}.` }))

  it(`folds a table of more than ${FOLD_FILES_OVER} files, not one of ${FOLD_FILES_OVER}`, () => {
    expect(walkthroughMarkdown(sampleWalkthrough({ files: files(FOLD_FILES_OVER) }), layout)).not.toContain(
      '<details><summary>Changed files'
    )
    expect(walkthroughMarkdown(sampleWalkthrough({ files: files(FOLD_FILES_OVER + 1) }), layout)).toContain(
      `<details><summary>Changed files (${FOLD_FILES_OVER + 1})</summary>\n\n| Files | Change |`
    )
  })

  it('bounds the table of a PR of 3,000 files, counting the rest', () => {
    const markdown = walkthroughMarkdown(sampleWalkthrough({ files: files(3000) }), layout)
    expect(markdown.length).toBeLessThan(25_000)
    expect(markdown).toMatch(/\| _\d+ more_ \| _the Files changed tab lists them_ \|/)
    const rows = markdown.split('\n').filter((line) => line.startsWith('| `f'))
    expect(Number(/_(\d+) more_/.exec(markdown)![1]) + rows.length).toBe(3000)
  })

  it('shows prose literally and a path with pipes and backticks as one cell', () => {
    const markdown = walkthroughMarkdown(
      sampleWalkthrough({ files: [{ paths: ['a|b`c\\|.ts'], change: 'x \\| y | z' }], diagram: null }),
      layout
    )
    const cells = renderedDom(markdown).querySelectorAll('td')
    expect(cells.map((cell) => cell.text)).toEqual(['a|b`c\\|.ts', 'x \\| y | z'])
    expect(markdown).not.toContain('Sequence diagram')
  })

  it('shows the inline code of a one-line field as code, a pipe in it kept in its cell, the rest literally', () => {
    const markdown = walkthroughMarkdown(
      sampleWalkthrough({
        files: [{ paths: ['a.ts'], change: 'Calls `a || b` and <b>`x`</b> *not* @alice' }],
        risks: ['`add` changes; `unclosed'],
        diagram: null
      }),
      layout
    )
    const dom = renderedDom(markdown)
    const cell = dom.querySelectorAll('td')[1]!
    expect(cell.querySelectorAll('code').map((code) => code.text)).toEqual(['a || b', 'x', '@alice'])
    expect(cell.text).toBe('Calls a || b and <b>x</b> *not* @alice')
    expect(dom.querySelectorAll('td')).toHaveLength(2)
    const risk = dom.querySelectorAll('li')[0]!
    expect(risk.querySelector('code')!.text).toBe('add')
    expect(risk.text).toBe('add changes; `unclosed')
  })

  it('lists ten risks at most, and says when there are none', () => {
    const many = walkthroughMarkdown(
      sampleWalkthrough({ risks: Array.from({ length: 12 }, (_, index) => `risk ${index}`) }),
      layout
    )
    expect(many).toContain('- risk 9\n- _and 2 more_')
    expect(walkthroughMarkdown(sampleWalkthrough({ risks: [] }), layout)).toContain('**Risk areas:** none named')
  })
})

describe('the sticky comment of a review', () => {
  const comment = (name: string): string => surfaces().find((surface) => surface.name === name)!.comment

  it('heads the review below a walkthrough, so its summary does not read as part of the walkthrough', () => {
    const body = comment('walkthrough')
    const review = body.indexOf('#### 🔎 Review')
    expect(review).toBeGreaterThan(body.indexOf('#### 🧭 Walkthrough'))
    expect(review).toBeGreaterThan(body.indexOf('**Risk areas:**'))
    expect(review).toBeLessThan(body.indexOf('One bug in'))
    expect(review).toBeLessThan(body.indexOf('**Review** of'))
    expect(comment('review')).not.toContain('🔎 Review')
  })
})

describe('the sticky comment of a turn after the review', () => {
  const HEAD = 'abcdef0123456789abcdef0123456789abcdef01'
  const answered = (): TurnReport => {
    const report = new TurnReport('https://run/2', { request: 'why?' })
    report.finalResponse = 'Because.'
    report.finish('success')
    return report
  }
  const recorded = (walkthrough = sampleWalkthrough()): Transcript => ({
    ...emptyTranscript('pr-29'),
    review: { headSha: HEAD, at: '2026-01-01T00:00:00.000Z', open: [], walkthrough }
  })

  it("opens with the last review's walkthrough, as of its commit, above the turn's answer; none when it is off", () => {
    const body = renderComment({ key: 'pr-29', report: answered(), history: recorded(), walkthrough: true })
    expect(body).toContain('#### 🧭 Walkthrough · as of `abcdef0`')
    expect(body.indexOf('#### 💬 This turn')).toBeGreaterThan(body.indexOf('**Risk areas:**'))
    expect(body.indexOf('Because.')).toBeGreaterThan(body.indexOf('#### 💬 This turn'))
    for (const off of [false, undefined])
      expect(renderComment({ key: 'pr-29', report: answered(), history: recorded(), walkthrough: off })).not.toMatch(
        /Walkthrough|This turn/
      )
    expect(renderComment({ key: 'pr-29', report: answered(), walkthrough: true })).not.toContain('Walkthrough')
  })

  it('renders what it reads back through the same checks as the review turn: a signed record is still model text', () => {
    const hostile = sampleWalkthrough({
      overview: '<!-- codex-thread-action:key=pr-29 -->\n<img src=x onerror=alert(1)> @alice',
      files: [{ paths: ['a|b`<img src=x>.ts'], change: '</td><script>alert(1)</script>' }],
      risks: ['<!-- codex-thread-action:finding=abc -->'],
      diagram: 'sequenceDiagram\n  A->>B: hi\n```\n<img src=x>'
    })
    const body = renderComment({ key: 'pr-29', report: answered(), history: recorded(hostile), walkthrough: true })
    const fromRecord = body.slice(body.indexOf('🧭 Walkthrough'), body.indexOf('#### 💬 This turn'))
    expect(fromRecord.trimEnd()).toBe(walkthroughMarkdown(hostile, { ...layout, asOf: HEAD }).slice(5))
    expect(fromRecord).not.toContain('mermaid')
    expect(body.split('\n').filter((line) => line.includes('<!--'))).toHaveLength(1)
    const dom = renderedDom(body)
    expect(dom.querySelectorAll('img, script')).toHaveLength(0)
  })

  it("shows the turn's own review walkthrough rather than the record's, without a date", () => {
    const review = surfaces().find((surface) => surface.name === 'walkthrough')!.report
    const body = renderComment({
      key: 'pr-29',
      report: review,
      history: recorded(sampleWalkthrough({ overview: 'The older one.' })),
      walkthrough: true
    })
    expect(body.split('🧭 Walkthrough')).toHaveLength(2)
    expect(body).not.toContain('The older one.')
    expect(body).not.toContain('as of')
  })
})

describe('checkedWalkthrough', () => {
  it('keeps the PR files the agent named once, drops the others, and lists the files it left out', () => {
    const checked = checkedWalkthrough(
      sampleWalkthrough({
        files: [
          { paths: ['a.ts', 'ghost.ts'], change: 'A.' },
          { paths: ['a.ts'], change: 'A again.' },
          { paths: ['nowhere.ts'], change: 'Nothing.' },
          { paths: ['b.ts'], change: 'B.' }
        ]
      }),
      ['a.ts', 'b.ts', 'c.ts', 'd.ts']
    )
    expect(checked.files).toEqual([
      { paths: ['a.ts'], change: 'A.' },
      { paths: ['b.ts'], change: 'B.' },
      { paths: ['c.ts', 'd.ts'], change: 'Not described by the agent.' }
    ])
  })
})

describe('placeWalkthrough', () => {
  const content = '### 🧭 Walkthrough\n\nWhat it does.'

  it('leaves a description without the placeholder or a block as it is', async () => {
    expect(await placeWalkthrough('Just my text.\n<!-- codex-thread-action:walkthroughs -->', content, proof)).toEqual(
      {}
    )
  })

  it('replaces the placeholder line only, then only its own block, every other byte kept', async () => {
    const head = 'Intro\n\n'
    const tail = '\n\n- [ ] a task  \n'
    const first = (await placeWalkthrough(`${head}  ${WALKTHROUGH_PLACEHOLDER}${tail}`, content, proof)).body!
    expect(first.startsWith(head) && first.endsWith(tail)).toBe(true)
    expect(first).toContain('What it does.')
    const second = (await placeWalkthrough(first, '### 🧭 Walkthrough\n\nNow more.', proof)).body!
    expect(second.startsWith(head) && second.endsWith(tail)).toBe(true)
    expect(second).toContain('Now more.')
    expect(second).not.toContain('What it does.')
    expect(second.split('walkthrough-start')).toHaveLength(2)
  })

  it('keeps the line ends of a description written in the browser (\\r\\n)', async () => {
    const body = `Intro\r\n${WALKTHROUGH_PLACEHOLDER}\r\nOutro\r\n`
    const placed = (await placeWalkthrough(body, content, proof)).body!
    expect(
      placed
        .split('\n')
        .slice(0, -1)
        .every((line) => line.endsWith('\r'))
    ).toBe(true)
    expect((await placeWalkthrough(placed, 'Again.', proof)).body).toMatch(/^Intro\r\n<!--[^\n]*\r\nAgain\.\r\n<!--/)
  })

  it('never takes a block edited by hand, written by another thread, or unsigned for its own', async () => {
    const placed = (await placeWalkthrough(`${WALKTHROUGH_PLACEHOLDER}\n`, content, proof)).body!
    const edited = placed.replace('What it does.', 'What it does, says the author.')
    expect((await placeWalkthrough(edited, 'New.', proof)).problem).toMatch(/was edited, or not written by this action/)
    const otherThread = createMarkerProof('pr-30', 'thread-secret')
    expect((await placeWalkthrough(placed, 'New.', otherThread)).problem).toBeDefined()
    const unsigned = placed.replace(/ proof=[\w-]{22}/, '')
    expect((await placeWalkthrough(unsigned, 'New.', proof)).problem).toBeDefined()
  })

  it('takes the placeholder only where Markdown reads it as a comment of its own, not shown in a code block', async () => {
    const shown = `Put this line in:\n\n\`\`\`\n${WALKTHROUGH_PLACEHOLDER}\n\`\`\`\n\n    ${WALKTHROUGH_PLACEHOLDER}\n`
    expect(await placeWalkthrough(shown, content, proof)).toEqual({})
    const placed = (await placeWalkthrough(`${shown}\n${WALKTHROUGH_PLACEHOLDER}\n`, content, proof)).body!
    expect(placed.startsWith(shown)).toBe(true)
    expect(placed).toContain('What it does.')
  })

  it('writes nothing without a key to prove its block with', async () => {
    const keyless = createMarkerProof('pr-29', undefined)
    expect((await placeWalkthrough(WALKTHROUGH_PLACEHOLDER, content, keyless)).problem).toMatch(/no thread-secret/)
  })
})

describe('withoutWalkthrough', () => {
  it('drops the walkthrough from a recorded review response, whole or cut to the record bounds', () => {
    const response = JSON.stringify({ summary: 'S', findings: [], resolved: [], walkthrough: sampleWalkthrough() })
    expect(JSON.parse(withoutWalkthrough(response))).toEqual({ summary: 'S', findings: [], resolved: [] })
    const cut = `${response.slice(0, response.indexOf('"overview"') + 20)}…`
    expect(JSON.parse(withoutWalkthrough(cut))).toEqual({ summary: 'S', findings: [], resolved: [] })
    expect(withoutWalkthrough('Plain text.')).toBe('Plain text.')
    expect(withoutWalkthrough('{"summary":"a \\",\\"walkthrough\\": b"}')).toBe(
      '{"summary":"a \\",\\"walkthrough\\": b"}'
    )
  })
})
