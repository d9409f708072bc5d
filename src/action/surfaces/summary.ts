import type { TurnReport } from '../core/report.js'
import { totalTokens } from '../core/usage.js'
import {
  answerMarkdown,
  commandsTable,
  headline,
  outcomeNotice,
  planList,
  provenance,
  rawJson,
  shortUsage
} from './format.js'
import { codeSpan } from './markdown.js'
import { cutSuggestions, findingsTable, reviewAnswer } from './findings.js'

/** GitHub refuses a step summary over 1 MiB; stay under it with room for the note. */
export const SUMMARY_LIMIT = 1024 * 1024 - 1024

export interface SummaryLinks {
  /** The sticky PR comment this run wrote, when it wrote one. */
  commentUrl?: string
}

/** A section of the summary: its Markdown under its own `###` heading, or undefined to leave it out. */
type Section = (report: TurnReport, links: SummaryLinks, answerLimit: number) => string | undefined

const sections: Section[] = [
  (report) => outcomeNotice(report),
  (report) => {
    const review = reviewAnswer(report)
    return review && `### Review\n\n${review}`
  },
  (report) => findingsTable(report),
  (report, _links, answerLimit) => cutSuggestions(report, answerLimit),
  (report, _links, answerLimit) => {
    if (report.review) return undefined
    const cut = report.finalResponse.length > answerLimit
    const text = cut
      ? `${answerMarkdown(report.finalResponse.slice(0, answerLimit), undefined)}\n\n… _cut to GitHub's 1 MiB summary limit; the job log has all of it._`
      : answerMarkdown(report.finalResponse, report.structuredOutput)
    const json = report.structuredOutput === undefined ? undefined : rawJson(report.structuredOutput)
    return (
      text &&
      `### ${report.structuredOutput === undefined ? 'Response' : 'Result'}\n\n${text}${json ? `\n\n${json}` : ''}`
    )
  },
  (report) => {
    const todo = report.todoList
    return todo?.items.length ? `### Plan\n\n${planList(todo, false)}` : undefined
  },
  (report) => (report.commands.length ? `### Commands\n\n${commandsTable(report.commands)}` : undefined),
  (report) => {
    const files = report.changedFiles
    return files.length ? `### Files changed\n\n${files.map((file) => `- ${codeSpan(file)}`).join('\n')}` : undefined
  },
  (report, links) => {
    const facts = [
      links.commentUrl ? `- **PR comment:** [the thread's comment](${links.commentUrl})` : undefined,
      report.threadId
        ? `- **Thread:** ${codeSpan(report.threadId)}${report.resumed ? ' (resumed)' : ' (new)'}`
        : undefined,
      report.usage ? `- **Tokens, this turn:** ${shortUsage(report.usage)}` : undefined,
      totalTokens(report.threadUsage) ? `- **Tokens, this PR:** ${shortUsage(report.threadUsage)}` : undefined
    ].filter(Boolean)
    return facts.length ? `### Run\n\n${facts.join('\n')}` : undefined
  }
]

/** The job summary: how the turn ended, then only the sections that have something to show. */
export function renderSummary(report: TurnReport, links: SummaryLinks = {}): string {
  const title = `## 🤖 Codex · ${headline(report)}\n\n${provenance(report).join(' · ')}`
  for (let answerLimit = Infinity; ; answerLimit = Math.floor(Math.min(answerLimit, SUMMARY_LIMIT) * 0.8)) {
    const text = [title, ...sections.flatMap((section) => section(report, links, answerLimit) ?? [])].join('\n\n')
    if (text.length < SUMMARY_LIMIT || answerLimit < 100) return `${text}\n`
  }
}
