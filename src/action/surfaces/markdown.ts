import type { Nodes, Parent, PhrasingContent, RootContent } from 'mdast'
import { fromMarkdown } from 'mdast-util-from-markdown'
import { gfmFromMarkdown, gfmToMarkdown } from 'mdast-util-gfm'
import { toMarkdown } from 'mdast-util-to-markdown'
import { gfm } from 'micromark-extension-gfm'
import { SKIP, visit } from 'unist-util-visit'
import { oneLine } from '../../shared/text.js'

/**
 * The one place where hostile text (from the agent, the repository, a PR author or a commenter)
 * becomes Markdown. Data (commands, output, paths, titles, errors) is shown literally; the agent's
 * answer stays Markdown but cannot reach outside its section, fetch an image, ping anyone, or write
 * a line our own hidden markers could be mistaken for.
 */

/**
 * Hosts whose images GitHub serves itself: loading one tells nobody outside GitHub anything. An
 * image anywhere else is fetched (through GitHub's proxy, with its URL) whenever the PR is opened,
 * which would let a prompt-injected agent send out what it read.
 */
const IMAGE_HOSTS = new Set(['user-images.githubusercontent.com', 'private-user-images.githubusercontent.com'])

/** What GitHub turns into a notification: @user or @org/team, not part of a word or an e-mail address. */
const MENTION = /(?<![\p{L}\p{N}_`@./-])@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\/[A-Za-z0-9][\w.-]*)?/gu

/**
 * `<!--` opens an HTML comment that hides what follows, and starts every hidden marker we write;
 * an invisible joiner after `<!` keeps the text looking the same while it can be neither.
 */
function breakHtmlComments(text: string): string {
  return text.replace(/<!--/g, '<!\u2060--')
}

/** Text as an inline code span on one line that its own backticks cannot close. */
export function codeSpan(text: string, limit = 300): string {
  const flat = oneLine(breakHtmlComments(text), limit)
  if (!flat) return '` `'
  const ticks = '`'.repeat(longestRun(flat, '`') + 1)
  // a space either side keeps a backtick at an edge from joining the delimiter (CommonMark strips one)
  const pad = flat.startsWith('`') || flat.endsWith('`') || /^ .* $/.test(flat) ? ' ' : ''
  return `${ticks}${pad}${flat}${pad}${ticks}`
}

/** Text as a fenced code block that no line of it can close. */
export function codeBlock(text: string, language = ''): string {
  return exactBlock(breakHtmlComments(text), language)
}

/**
 * Text as a fenced block kept to the character, for a GitHub suggestion, which replaces the lines
 * with exactly what it holds: nothing inside a fence opens HTML, so nothing needs defusing.
 */
export function exactBlock(text: string, language = ''): string {
  const body = text.replace(/\n$/, '')
  const ticks = '`'.repeat(Math.max(3, longestRun(body, '`') + 1))
  return `${ticks}${language}\n${body}\n${ticks}`
}

/**
 * Text shown as prose, literally, on one line: every Markdown and HTML character escaped, mentions
 * as code.
 */
export function plainText(text: string, limit = Infinity): string {
  return oneLine(breakHtmlComments(text), limit)
    .split(MENTION_SPLIT)
    .map((part, index) => (index % 2 ? codeSpan(part) : part.replace(/[!-/:-@[-`{-~]/g, '\\$&')))
    .join('')
}
const MENTION_SPLIT = new RegExp(`(${MENTION.source})`, 'u')
const MENTION_WHOLE = new RegExp(`^${MENTION.source}$`, 'u')

/**
 * Text on one line inside raw HTML (a fold's `<summary>`), where Markdown is not read: HTML
 * characters as entities, mentions as code, since GitHub finds mentions in the rendered text.
 */
export function htmlText(text: string, limit = 200): string {
  return oneLine(breakHtmlComments(text), limit)
    .replace(/[&<>"]/g, (char) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[char]};`)
    .replace(MENTION, '<code>$&</code>')
}

/** Markdown for a GFM table cell: a `|` would end the cell, even inside a code span. */
export function tableCell(markdown: string): string {
  return markdown.replace(/\|/g, '\\|')
}

export interface AgentMarkdownOptions {
  /** The level the agent's `#` becomes, so its headings stay under the section that holds them. */
  headingLevel: number
}

/**
 * The agent's Markdown, kept as Markdown but made to stay in its place: headings demoted under
 * ours, raw HTML shown as text (so no `<details>` or comment opens), fences and lists closed where
 * the text ends, images not hosted by GitHub turned into links, mentions into code, and task-list
 * checkboxes (which anyone who may edit the comment could toggle) into plain marks.
 */
export function agentMarkdown(text: string, options: AgentMarkdownOptions): string {
  const tree = fromMarkdown(breakHtmlComments(text), { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] })
  visit(tree, (node: Nodes, index, parent: Parent | undefined) => {
    if (!parent || index === undefined) return
    const replace = (replacement: RootContent): [typeof SKIP, number] => {
      parent.children[index] = replacement
      return [SKIP, index]
    }
    switch (node.type) {
      case 'heading':
        node.depth = Math.min(6, node.depth + options.headingLevel - 1) as typeof node.depth
        return
      case 'html':
        // flow HTML stands where a paragraph would; inline HTML is text in one
        return replace(
          parent.type === 'root' || parent.type === 'blockquote' || parent.type === 'listItem'
            ? { type: 'paragraph', children: [{ type: 'text', value: node.value }] }
            : { type: 'text', value: node.value }
        )
      case 'image':
        if (githubHosted(node.url)) return
        return replace(link(node.url, node.alt || node.url, node.title))
      case 'imageReference':
        return replace({
          type: 'linkReference',
          identifier: node.identifier,
          label: node.label,
          referenceType: node.referenceType === 'shortcut' ? 'full' : node.referenceType,
          children: [{ type: 'text', value: node.alt || node.label || node.identifier }]
        })
      case 'listItem':
        if (typeof node.checked === 'boolean') {
          const mark = node.checked ? '✅ ' : '⬜ '
          node.checked = null
          const first = node.children[0]
          if (first?.type === 'paragraph') first.children.unshift({ type: 'text', value: mark })
        }
        return
      case 'text':
        return mentionsAsCode(node.value, parent, index)
    }
  })
  return toMarkdown(tree, {
    extensions: [gfmToMarkdown()],
    bullet: '-',
    fence: '`',
    fences: true,
    rule: '-'
  }).trimEnd()
}

function link(url: string, label: string, title?: string | null): RootContent {
  return { type: 'link', url, title, children: [{ type: 'text', value: label }] }
}

function githubHosted(url: string): boolean {
  try {
    const parsed = new URL(url)
    if (parsed.protocol !== 'https:') return false
    return (
      IMAGE_HOSTS.has(parsed.hostname) ||
      (parsed.hostname === 'github.com' && parsed.pathname.startsWith('/user-attachments/'))
    )
  } catch {
    return false
  }
}

/** Splits a text node around its mentions, each then shown as code; returns where to go on. */
function mentionsAsCode(value: string, parent: Parent, index: number): number | undefined {
  const parts = value.split(MENTION_SPLIT)
  if (parts.length === 1) return undefined
  const nodes = parts
    .filter((part) => part !== '')
    .map((part): PhrasingContent =>
      MENTION_WHOLE.test(part) ? { type: 'inlineCode', value: part } : { type: 'text', value: part }
    )
  parent.children.splice(index, 1, ...(nodes as RootContent[]))
  return index + nodes.length
}

function longestRun(text: string, char: string): number {
  let longest = 0
  let run = 0
  for (const c of text) {
    run = c === char ? run + 1 : 0
    longest = Math.max(longest, run)
  }
  return longest
}
