import * as core from '@actions/core'
import { Outputs, type OutputName } from '../core/constants.js'
import type { Redactor } from '../core/redact.js'
import type { TurnReport } from '../core/report.js'
import { addUsage } from '../core/usage.js'
import { renderSummary } from './summary.js'

/** Step outputs, the job summary and the comment: everything leaves through the redactor. */
export async function publishOutputs(
  report: TurnReport,
  redactor: Redactor,
  writeComment?: () => Promise<string | undefined>
): Promise<void> {
  const output = (name: OutputName, value: string): void => core.setOutput(name, redactor.redact(value))
  output(Outputs.FinalResponse, report.finalResponse)
  output(
    Outputs.StructuredOutput,
    report.structuredOutput === undefined ? '' : JSON.stringify(redactor.redactValue(report.structuredOutput))
  )
  output(Outputs.ThreadId, report.threadId ?? '')
  output(Outputs.Resumed, String(report.resumed))
  // addUsage: the five keys, in order, each a number (0 where codex reported none)
  output(Outputs.Usage, JSON.stringify(addUsage(report.usage)))
  output(Outputs.Conclusion, report.status)
  output(Outputs.ChangedFiles, JSON.stringify(report.changedFiles))
  output(Outputs.ReviewUrl, report.review?.url ?? '')
  output(Outputs.FindingsCount, report.review ? String(report.review.findings.length) : '')
  output(Outputs.ThreadUsage, JSON.stringify(report.threadUsage))
  // the comment first, so the summary can link to it
  const commentUrl = await writeComment?.()
  output(Outputs.CommentUrl, commentUrl ?? '')
  try {
    await core.summary.addRaw(redactor.redact(renderSummary(report, { commentUrl }))).write()
  } catch (error) {
    core.warning(`Could not write the job summary: ${(error as Error).message}`)
  }
}
