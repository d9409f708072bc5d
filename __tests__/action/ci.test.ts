import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { Redactor } from '../../src/action/core/redact.js'
import { parseCommand } from '../../src/action/kinds/commands.js'
import { keepLog, makeLogFolder, type LogLimits } from '../../src/action/kinds/ci/logs.js'
import { readWorkflowRunTrigger } from '../../src/action/kinds/ci/trigger.js'
import { githubLog } from '../support/github/actionsRuns.js'
import { workflowRunEvent } from '../support/github/events.js'
import { tempDir } from '../support/tempDirs.js'

const small: LogLimits = {
  keepBytes: 2000,
  tailBytes: 400,
  errorBytes: 600,
  errorBefore: 2,
  errorAfter: 1,
  lineBytes: 200
}

async function kept(log: string, limits = small, redactor = new Redactor()) {
  const folder = await makeLogFolder(tempDir('ci-logs'))
  const result = await keepLog(Readable.from([Buffer.from(log)]), folder, 'job-1.log', redactor, limits)
  return { ...result, text: readFileSync(result.path, 'utf8') }
}

const numbered = (count: number, errorsAt: number[] = []): string =>
  Array.from({ length: count }, (_, index) =>
    errorsAt.includes(index) ? `line ${index} ##[error]failed here` : `line ${index} ok`
  ).join('\n')

describe('a failed job log kept for the agent', () => {
  it('is kept whole, redacted, when it is within the limit, world-readable in a folder others cannot list', async () => {
    const redactor = new Redactor()
    redactor.add('hunter2-secret')
    const log = githubLog([{ name: 'npm test', output: ['password=hunter2-secret'], error: 'exit 1' }])
    const result = await kept(log, small, redactor)
    expect(result.text).toBe(log.replace('hunter2-secret', '***'))
    expect(result.linesLeftOut).toBe(0)
    expect(result.originalBytes).toBe(Buffer.byteLength(log))
    expect(statSync(result.path).mode & 0o777).toBe(0o644)
    expect(statSync(path.dirname(result.path)).mode & 0o777).toBe(0o755)
    expect(statSync(path.dirname(path.dirname(result.path))).mode & 0o777).toBe(0o711)
  })

  it('past the limit: a line longer than a line is kept is left out where it was, never held whole', async () => {
    const huge = `line 290 ${'x'.repeat(50_000)} end`
    const log = numbered(300, [50]).replace('line 290 ok', huge)
    const result = await kept(log)
    const lines = result.text.split('\n')
    // the tail reaches past the long line: it takes no room but its mark
    expect(lines).toContain('line 289 ok')
    expect(lines).toContain(`[codex-thread-action: a line of ${Buffer.byteLength(huge)} bytes left out]`)
    expect(lines.at(-2)).toBe('line 299 ok')
    expect(lines).toContain('line 50 ##[error]failed here')
    expect(result.text).not.toContain('xxxxxxxxxx')
  })

  it('past the limit: the lines around each ##[error] and the tail, in order, each gap marked', async () => {
    const result = await kept(numbered(300, [50, 120]))
    const lines = result.text.split('\n')
    expect(lines[0]).toMatch(
      /^\[codex-thread-action: this log is .* Left out: \d+ of 300 lines, marked where they were\.\]$/
    )
    expect(lines.slice(1, 6)).toEqual([
      '[codex-thread-action: 48 lines left out]',
      'line 48 ok',
      'line 49 ok',
      'line 50 ##[error]failed here',
      'line 51 ok'
    ])
    expect(lines).toContain('line 120 ##[error]failed here')
    expect(lines.at(-2)).toBe('line 299 ok')
    expect(result.text).not.toContain('line 100 ok')
    const keptLines = lines.filter((line) => line.startsWith('line ')).length
    const gaps = [...result.text.matchAll(/(\d+) lines left out\]/g)].reduce((sum, match) => sum + Number(match[1]), 0)
    expect(keptLines + gaps).toBe(300)
    expect(result.linesLeftOut).toBe(gaps)
  })

  it('says how many error windows it left out once their room is spent', async () => {
    const errors = Array.from({ length: 40 }, (_, index) => index * 10)
    const result = await kept(numbered(500, errors))
    expect(result.text.split('\n')[0]).toMatch(/\((\d+) of \d+ left out, past 0\.0 MiB\)/)
    expect(result.text).toContain('line 0 ##[error]failed here')
  })
})

describe('what starts the CI kind', () => {
  const event = (conclusion: string, pr?: number) =>
    workflowRunEvent({ runId: 5, name: 'CI', headSha: 'c'.repeat(40), conclusion, ...(pr && { pr }) })

  it('a failed or timed-out workflow run of a PR; nothing else', () => {
    expect(readWorkflowRunTrigger('workflow_run', event('failure', 3))).toEqual({
      run: { id: 5, name: 'CI', conclusion: 'failure' }
    })
    expect(readWorkflowRunTrigger('workflow_run', event('timed_out', 3))).toMatchObject({ run: { id: 5 } })
    expect(readWorkflowRunTrigger('workflow_run', event('success', 3))).toEqual({
      skip: 'workflow run "CI" ended success: nothing failed'
    })
    expect(readWorkflowRunTrigger('workflow_run', event('failure'))).toMatchObject({
      skip: expect.stringContaining("GitHub lists none for a fork's pull request")
    })
    expect(readWorkflowRunTrigger('workflow_run', { ...event('failure', 3), action: 'requested' })).toMatchObject({
      skip: expect.stringContaining('is requested')
    })
    expect(readWorkflowRunTrigger('pull_request', event('failure', 3))).toBeUndefined()
  })

  it('the ci command, in any case, with or without words after it', () => {
    expect(parseCommand('ci')).toEqual({ name: 'ci' })
    expect(parseCommand('CI: why is it red?')).toEqual({ name: 'ci' })
    expect(parseCommand('circle back later')).toBeUndefined()
  })
})
