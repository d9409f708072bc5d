import { HTMLElement, Node, TextNode } from 'node-html-parser'
import { describe, expect, it } from 'vitest'
import { agentMarkdown, codeSpan, plainText } from '../../src/action/surfaces/markdown.js'
import { renderedDom, renderMarkdown } from '../support/markdownHtml.js'
import { HOSTILE_COMMANDS, RECORD_MARKER, surfaces } from '../support/surfaces.js'

/** The folds we write: every `<details>` in a surface must be one of these. */
const OUR_FOLDS =
  /^(Plan \(\d+\/\d+ done\)|Commands \(\d+\)|Files changed \(\d+\)|JSON|Changed files \(\d+\)|Sequence diagram|Earlier turns in this thread \(\d+\)|(🏁 Done|❌ Failed|⏹️ Cancelled|⌛ Timed out|⏭️ Skipped) · .* UTC · .*)$/u

const MENTION = /(?<![\w`@./-])@[A-Za-z0-9][\w-]*/

function textOutsideCode(node: Node): string[] {
  if (node instanceof TextNode) return [node.text]
  if (node instanceof HTMLElement && ['code', 'pre'].includes(node.rawTagName)) return []
  return node.childNodes.flatMap(textOutsideCode)
}

const ancestors = (element: HTMLElement): HTMLElement[] =>
  element.parentNode ? [element.parentNode, ...ancestors(element.parentNode)] : []

const all = surfaces()

describe.each(
  all.flatMap((surface) => [
    { name: `${surface.name} comment`, markdown: surface.comment, ourLevel: 3, sections: undefined },
    {
      name: `${surface.name} summary`,
      markdown: surface.summary,
      ourLevel: 2,
      sections: /^(Response|Result|Review|Review findings|Plan|Commands|Files changed|Run)$/
    }
  ])
)('the $name, rendered as GitHub renders Markdown', ({ markdown, ourLevel, sections }) => {
  const dom = renderedDom(markdown)

  it('opens no fold we did not write, and closes every one it opens', () => {
    const folds = dom.querySelectorAll('details')
    for (const fold of folds) expect(fold.querySelector('summary')?.text.trim()).toMatch(OUR_FOLDS)
    const html = dom.toString()
    expect(html.match(/<details>/g)?.length ?? 0).toBe(html.match(/<\/details>/g)?.length ?? 0)
    // the last paragraph we write is not swallowed by anything above it
    const last = dom.childNodes.filter((node) => node instanceof HTMLElement).at(-1) as HTMLElement
    // the comment ends in our footer; the summary's last section is its own
    expect(last.querySelector('sub')?.text.includes('workflow run') ?? false).toBe(ourLevel === 3)
  })

  it('keeps our heading the highest', () => {
    const headings = dom.querySelectorAll('h1, h2, h3, h4, h5, h6')
    expect(headings[0]?.rawTagName).toBe(`h${ourLevel}`)
    expect(headings[0]?.text).toContain('🤖 Codex · ')
    const levelOf = (heading: HTMLElement): number => Number(heading.rawTagName.slice(1))
    for (const heading of headings.slice(1)) expect(levelOf(heading), heading.text).toBeGreaterThan(ourLevel)
    // the summary's sections are one below its title; the agent's headings start below those
    const strangers = headings
      .slice(1)
      .filter((heading) => sections && levelOf(heading) === ourLevel + 1 && !sections.test(heading.text))
    expect(strangers.map((heading) => heading.text)).toEqual([])
  })

  it('fetches no image, pings nobody, opens no HTML comment, offers no checkbox', () => {
    for (const image of dom.querySelectorAll('img'))
      expect(image.getAttribute('src')).toMatch(/^https:\/\/github\.com\/user-attachments\//)
    for (const text of textOutsideCode(dom)) expect(text).not.toMatch(MENTION)
    const comments = renderMarkdown(markdown).match(/<!--[\s\S]*?(-->|$)/g) ?? []
    for (const comment of comments) expect(comment).toMatch(/^<!-- codex-thread-action:(key=pr-3|record=AAAA) -->$/)
    expect(markdown).not.toMatch(/^\s*[-*+] \[[ xX]\]/m)
    expect(dom.querySelectorAll('input')).toHaveLength(0)
  })
})

describe('the comment body', () => {
  it.each(all.map((surface) => [surface.name, surface.comment]))(
    '%s: starts with our key marker and ends with the record, no other line holding a marker',
    (_name, body) => {
      const lines = body.split('\n')
      expect(lines[0]).toBe('<!-- codex-thread-action:key=pr-3 -->')
      expect(lines.at(-1)).toBe(RECORD_MARKER)
      expect(lines.slice(1, -1).filter((line) => line.includes('<!--'))).toEqual([])
    }
  )
})

describe('hostile text', () => {
  const hostile = all.find((surface) => surface.name === 'hostile')!

  it.each(['comment', 'summary'] as const)('shows every command literally in the %s', (surface) => {
    const shown = renderedDom(hostile[surface])
      .querySelectorAll('td code')
      .map((code) => code.text)
    for (const command of HOSTILE_COMMANDS) expect(shown).toContain(command.replace('<!--', '<!\u2060--'))
    expect(renderedDom(hostile[surface]).querySelectorAll('td strong, td em')).toHaveLength(0)
  })

  it("keeps the agent's Markdown, in its place", () => {
    const dom = renderedDom(hostile.comment)
    expect(dom.querySelector('h4')?.text).toBe('Takeover')
    expect(dom.querySelector('a[href^="https://attacker.example"]')?.text).toBe('pixel')
    expect(dom.querySelectorAll('code').map((code) => code.text)).toEqual(
      expect.arrayContaining(['@octo-org/admins', '@alice'])
    )
    const code = dom.querySelector('pre code')!
    expect([code.getAttribute('class'), code.text]).toEqual(['language-js', 'const unclosed = true\n'])
    expect(dom.text).toContain('<details><summary>open</summary>')
  })

  it('keeps images GitHub hosts, and reference images become links', () => {
    const markdown = agentMarkdown(
      '![ok](https://github.com/user-attachments/assets/1) ![ref][x]\n\n[x]: https://attacker.example/y.png',
      { headingLevel: 4 }
    )
    const dom = renderedDom(markdown)
    expect(dom.querySelectorAll('img').map((image) => image.getAttribute('src'))).toEqual([
      'https://github.com/user-attachments/assets/1'
    ])
    expect(dom.querySelector('a')?.getAttribute('href')).toBe('https://attacker.example/y.png')
  })

  it.each([
    ['a `tick` and ``two``', '``` a `tick` and ``two`` ```'],
    ['`edge`', '`` `edge` ``'],
    ['', '` `']
  ])('code span of %j is %j', (text, span) => {
    expect(codeSpan(text)).toBe(span)
    expect(renderedDom(span).querySelector('code')?.text).toBe(text || ' ')
  })

  it('prose shows Markdown and HTML characters as typed', () => {
    const text = '**bold** <b>x</b> [l](u) # _i_ & @bob'
    const dom = renderedDom(plainText(text))
    expect(dom.text.trim()).toBe(text)
    expect(dom.querySelectorAll('strong, b, em, a')).toHaveLength(0)
  })
})

describe('earlier turns', () => {
  it('each keeps its Markdown, folded, with how it ended', () => {
    const dom = renderedDom(all.find((surface) => surface.name === 'long-history')!.comment)
    const [outer] = dom
      .querySelectorAll('details')
      .filter((fold) => fold.querySelector('summary')!.text.startsWith('Earlier'))
    const turns = outer?.querySelectorAll('details') ?? []
    expect(turns).toHaveLength(19)
    expect(turns.filter((turn) => turn.querySelector('summary')!.text.startsWith('❌ Failed'))).toHaveLength(6)
    const first = turns.find((turn) => turn.querySelector('h5'))!
    expect(first.querySelector('h5')!.text).toBe('Summary')
    expect(first.querySelector('pre code')!.text).toBe('add(1, 2) // 3\n')
    expect(ancestors(first.querySelector('pre')!)).not.toContain(first.querySelector('h5'))
  })
})

describe('the review findings table', () => {
  it('keeps each finding in its row, whatever its path and title hold', () => {
    const review = surfaces().find((surface) => surface.name === 'review')!
    const rows = renderedDom(review.summary).querySelectorAll('table tbody tr')
    expect(rows.map((row) => row.querySelectorAll('td').map((cell) => cell.text))).toEqual([
      ['🟠 major', 'src/math.js:2', '`add` subtracts <details>', 'inline'],
      ['⚪ nit', 'src/a|b.js:38-40', 'Comment repeats the code', 'review body']
    ])
  })
})
