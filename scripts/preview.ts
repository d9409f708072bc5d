/**
 * Writes every surface a reviewer sees (the comment and the job summary of a turn in progress,
 * done, with structured output, failed, cancelled, timed out, skipped, with a long history, a review
 * with and without a walkthrough, and with hostile text) as HTML pages styled like GitHub, and
 * screenshots them where Chromium is installed, so a person can look before a release.
 *
 *   npm run preview [-- <folder>]      (default: preview/)
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { renderMarkdown } from '../__tests__/support/markdownHtml.js'
import { surfaces } from '../__tests__/support/surfaces.js'

const folder = path.resolve(process.argv[2] ?? 'preview')
const stylesheet = readFileSync(
  createRequire(import.meta.url).resolve('github-markdown-css/github-markdown-light.css'),
  'utf8'
)

function page(title: string, markdown: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>${stylesheet}
body { margin: 0; background: #fff; }
.markdown-body { box-sizing: border-box; max-width: 880px; margin: 0 auto; padding: 24px 32px; }
</style></head>
<body><article class="markdown-body">
${renderMarkdown(markdown)}
</article></body></html>
`
}

/** The first Chromium on PATH, or undefined. */
function findChromium(): string | undefined {
  const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']
  const dirs = (process.env.PATH ?? '').split(path.delimiter)
  return names.flatMap((name) => dirs.map((dir) => path.join(dir, name))).find((file) => existsSync(file))
}

/**
 * Roughly how tall the page is with its folds closed: headless Chromium shoots the window, not the
 * page, so the window is sized to the content.
 */
function pageHeight(markdown: string): number {
  const innermostFold = /<details><summary>([^\n]*)<\/summary>(?:(?!<details>)[\s\S])*?<\/details>/g
  let visible = markdown
  while (innermostFold.test(visible)) visible = visible.replace(innermostFold, 'fold')
  const lines = visible.split('\n').filter((line) => line.trim() && !/^(<!--|\| ?-)/.test(line))
  return Math.min(4000, 64 + 40 * lines.length)
}

function screenshot(chromium: string, html: string, png: string, height: number): void {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'preview-chromium-'))
  try {
    execFileSync(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--hide-scrollbars',
        `--user-data-dir=${profile}`,
        `--window-size=944,${height}`,
        `--screenshot=${png}`,
        `file://${html}`
      ],
      { stdio: 'ignore', timeout: 60_000 }
    )
  } finally {
    rmSync(profile, { recursive: true, force: true })
  }
}

mkdirSync(folder, { recursive: true })
const chromium = findChromium()
const links: string[] = []
for (const surface of surfaces()) {
  for (const [kind, markdown] of [
    ['comment', surface.comment],
    ['summary', surface.summary]
  ] as const) {
    const name = `${surface.name}-${kind}`
    const html = path.join(folder, `${name}.html`)
    writeFileSync(html, page(name, markdown))
    writeFileSync(path.join(folder, `${name}.md`), markdown)
    if (chromium) screenshot(chromium, html, path.join(folder, `${name}.png`), pageHeight(markdown))
    links.push(`- [${name}](${name}.html)`)
  }
}
writeFileSync(path.join(folder, 'index.html'), page('Surfaces', `# Surfaces\n\n${links.join('\n')}`))
console.log(`Wrote ${links.length} pages to ${folder}`)
console.log(chromium ? `Screenshots taken with ${chromium}` : 'Chromium not found: screenshots skipped')
