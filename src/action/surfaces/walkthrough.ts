import { isPlainObject } from '../../shared/checks.js'
import type { Walkthrough } from '../core/findings.js'
import { details } from './format.js'
import { clip, oneLine } from '../../shared/text.js'
import { agentMarkdown, codeSpan, plainText, tableCell } from './markdown.js'

/**
 * The PR at a glance, as the sticky comment and the PR description show it. Everything in it is
 * the agent's text about the PR's files, hostile: prose shown literally or as contained Markdown,
 * paths as code, the diagram only when it is a plain sequence diagram.
 */

/** A table of more files than this folds away. */
export const FOLD_FILES_OVER = 10

/** Bounds on the agent's text, so the walkthrough leaves the comment room for the findings. */
const OVERVIEW_LIMIT = 3_000
const CHANGE_LIMIT = 300
const RISK_LIMIT = 300
const RISKS_SHOWN = 10
/** The table's rows stop here; the rest are counted (a PR may change 3,000 files). */
const TABLE_ROOM = 20_000
const DIAGRAM_LIMIT = 4_000
const DIAGRAM_LINES = 80

export interface WalkthroughLayout {
  /** The level of the walkthrough's heading; the agent's own headings go below it. */
  headingLevel: number
  /** The commit a walkthrough shown after its review's turn describes: the heading says it is of that commit. */
  asOf?: string
}

export function walkthroughMarkdown(walkthrough: Walkthrough, layout: WalkthroughLayout): string {
  const diagram = mermaidDiagram(walkthrough.diagram)
  const risks = walkthrough.risks.slice(0, RISKS_SHOWN).map((risk) => `- ${proseLine(risk, RISK_LIMIT)}`)
  const unshown = walkthrough.risks.length - risks.length
  return [
    `${'#'.repeat(layout.headingLevel)} 🧭 Walkthrough${layout.asOf === undefined ? '' : ` · as of ${codeSpan(layout.asOf.slice(0, 7))}`}`,
    agentMarkdown(clip(walkthrough.overview, OVERVIEW_LIMIT + 1), { headingLevel: layout.headingLevel + 1 }),
    filesTable(walkthrough.files),
    `**Review effort:** ${walkthrough.effort}/5 ${'●'.repeat(walkthrough.effort)}${'○'.repeat(5 - walkthrough.effort)} · ${proseLine(walkthrough.effort_reason, RISK_LIMIT)}`,
    risks.length
      ? `**Risk areas:**\n\n${risks.join('\n')}${unshown > 0 ? `\n- _and ${unshown} more_` : ''}`
      : '**Risk areas:** none named',
    ...(diagram ? [details('Sequence diagram', `\`\`\`mermaid\n${diagram}\n\`\`\``)] : [])
  ]
    .filter(Boolean)
    .join('\n\n')
}

function filesTable(files: Walkthrough['files']): string {
  const count = files.reduce((sum, row) => sum + row.paths.length, 0)
  if (!count) return ''
  const lines = ['| Files | Change |', '| --- | --- |']
  let length = 0
  let shown = 0
  for (const row of files) {
    const line = `| ${row.paths.map(codeInCell).join('<br>')} | ${proseLine(row.change, CHANGE_LIMIT, codeInCell)} |`
    if (length + line.length > TABLE_ROOM) break
    length += line.length
    shown += row.paths.length
    lines.push(line)
  }
  if (shown < count) lines.push(`| _${count - shown} more_ | _the Files changed tab lists them_ |`)
  const table = lines.join('\n')
  return count > FOLD_FILES_OVER ? details(`Changed files (${count})`, table) : table
}

/**
 * One line of the agent's prose: its inline code (`like this`) as code, everything else literally,
 * so a file or function it names reads as one and nothing else can be markup.
 */
function proseLine(text: string, limit: number, code = codeSpan): string {
  return (
    oneLine(text, limit)
      .split(/`([^`]+)`/)
      // plainText trims: the single space either side of a code span is put back
      .map((part, index) =>
        index % 2
          ? code(part)
          : part.replace(
              /^( ?)(.*?)( ?)$/,
              (_, before: string, words: string, after: string) => `${before}${plainText(words)}${after}`
            )
      )
      .join('')
  )
}

/** In a table cell a `|` ends the cell even inside code; plainText escapes the others already. */
const codeInCell = (text: string): string => tableCell(codeSpan(text))

/**
 * The agent's Mermaid text when it is a plain sequence diagram that can do nothing but draw: no
 * backtick (the fence it sits in stays closed), no `<` or entity (no HTML, no hidden marker), no
 * link, click or init directive, no control or invisible character, within bounds. Anything else
 * is dropped whole: a diagram is never worth a risk.
 */
export function mermaidDiagram(text: string | null): string | undefined {
  if (!text) return undefined
  const lines = text
    .replace(/\r\n?/g, '\n')
    .trim()
    .split('\n')
    .map((line) => line.trimEnd())
  const diagram = lines.join('\n')
  if (lines[0] !== 'sequenceDiagram' || lines.length < 2) return undefined
  if (diagram.length > DIAGRAM_LIMIT || lines.length > DIAGRAM_LINES) return undefined
  // eslint-disable-next-line no-control-regex
  if (/[`<&#\\\u0000-\u0008\u000b-\u001f\u007f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/.test(diagram))
    return undefined
  if (/:\/\/|codex-thread-action|%%\{|javascript:/i.test(diagram)) return undefined
  if (
    lines.some((line) => /^\s*(click|links?|href|callback|call|properties|details|style|classDef|init)\b/i.test(line))
  )
    return undefined
  return diagram
}

/**
 * A recorded review response without its walkthrough, for the earlier turns the comment folds:
 * the walkthrough shown is this run's, of the PR as it is now. The walkthrough comes last in the
 * schema, so a record cut to its bounds still has what precedes it.
 */
export function withoutWalkthrough(response: string): string {
  try {
    const parsed: unknown = JSON.parse(response)
    if (!isPlainObject(parsed) || !('walkthrough' in parsed)) return response
    delete parsed.walkthrough
    return JSON.stringify(parsed)
  } catch {
    // cut within the walkthrough: an unescaped quote before the key is never inside a string
    const key = /,\s*"walkthrough"\s*:/.exec(response)
    return key && response.startsWith('{') ? `${response.slice(0, key.index)}}` : response
  }
}
