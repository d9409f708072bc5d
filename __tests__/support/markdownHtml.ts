import MarkdownIt from 'markdown-it'
import { parse, type HTMLElement } from 'node-html-parser'

/** Markdown as GitHub renders a comment or a job summary: GFM tables and strikethrough, raw HTML kept. */
const renderer = new MarkdownIt({ html: true, linkify: true })

export function renderMarkdown(markdown: string): string {
  return renderer.render(markdown)
}

/** The rendered Markdown as a DOM to query. */
export function renderedDom(markdown: string): HTMLElement {
  // code blocks parsed as elements, not kept as raw text, so tests can look inside them
  return parse(renderMarkdown(markdown), { blockTextElements: { script: true, style: true } })
}
