import { describe, expect, it } from 'vitest'
import { GITHUB_BODY_LIMIT } from '../../src/action/core/constants.js'
import { commentMarker } from '../../src/action/core/markers.js'
import { renderComment } from '../../src/action/surfaces/comment.js'
import { formatUsage, shortUsage } from '../../src/action/surfaces/format.js'
import { clipOutput, LogStreamer, type LogSink } from '../../src/action/surfaces/log.js'
import { displayCommand, displayPath, TurnReport, type TurnFacts } from '../../src/action/core/report.js'
import { renderSummary, SUMMARY_LIMIT } from '../../src/action/surfaces/summary.js'
import type { ThreadEvent } from '../../src/sdk/index.js'
import { emptyTranscript, withTurn } from '../../src/action/thread/transcript.js'

const runUrl = 'https://github.com/octo/demo/actions/runs/1'

function recordingSink(): LogSink & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    info: (message) => lines.push(message),
    echo: (text) => lines.push(text),
    debug: (message) => lines.push(`debug:${message}`),
    warning: (message) => lines.push(`warning:${message}`),
    startGroup: (title) => lines.push(`group:${title}`),
    endGroup: () => lines.push('endgroup')
  }
}

const turnEvents: ThreadEvent[] = [
  { type: 'thread.started', thread_id: 'thread-1' },
  { type: 'turn.started' },
  { type: 'item.completed', item: { id: 'r', type: 'reasoning', text: 'pondering' } },
  {
    type: 'item.started',
    item: {
      id: 't',
      type: 'todo_list',
      items: [
        { text: 'read', completed: false },
        { text: 'fix', completed: false }
      ]
    }
  },
  {
    type: 'item.started',
    item: {
      id: 'c',
      type: 'command_execution',
      command: 'npm test',
      aggregated_output: '',
      exit_code: null,
      status: 'in_progress'
    }
  },
  {
    type: 'item.completed',
    item: {
      id: 'c',
      type: 'command_execution',
      command: 'npm test',
      aggregated_output: '1 failing\n',
      exit_code: 1,
      status: 'failed'
    }
  },
  {
    type: 'item.updated',
    item: {
      id: 't',
      type: 'todo_list',
      items: [
        { text: 'read', completed: true },
        { text: 'fix', completed: false }
      ]
    }
  },
  {
    type: 'item.completed',
    item: {
      id: 'f',
      type: 'file_change',
      status: 'completed',
      changes: [
        { path: 'src/a.ts', kind: 'update' },
        { path: 'src/b.ts', kind: 'add' }
      ]
    }
  },
  { type: 'error', message: 'Reconnecting... 1/5' },
  { type: 'item.completed', item: { id: 'm', type: 'agent_message', text: 'Fixed the test.' } },
  { type: 'turn.completed', usage: { input_tokens: 1200, cached_input_tokens: 200, output_tokens: 80 } }
]

function completedReport(facts: TurnFacts = {}): TurnReport {
  const report = new TurnReport(runUrl, facts)
  for (const event of turnEvents) report.apply(event)
  // the turn's own tokens, as the SDK's turnUsage gives them
  report.countUsage({ input_tokens: 1200, cached_input_tokens: 200, output_tokens: 80 })
  report.finish('success')
  return report
}

describe('LogStreamer', () => {
  it('writes each step as it happens', () => {
    const sink = recordingSink()
    const streamer = new LogStreamer(sink)
    for (const event of turnEvents) streamer.handle(event)
    streamer.close(completedReport())
    expect(sink.lines).toEqual([
      '🧵 Thread thread-1',
      'debug:reasoning: pondering',
      '📋 Plan:\n- [ ] read\n- [ ] fix',
      '▶ $ npm test',
      expect.stringMatching(/^group:✖ \$ npm test \(exit 1, [\d.]+s\)$/),
      '1 failing',
      'endgroup',
      '📋 Plan:\n- [x] read\n- [ ] fix',
      '📝 Changed files:\n  update src/a.ts\n  add    src/b.ts',
      'warning:codex: Reconnecting... 1/5',
      '💬 Fixed the test.',
      expect.stringMatching(
        /^✅ Turn completed in [\d.]+s · 1200 input tokens \(200 cached\), 80 output tokens · this PR's thread: 1200 input tokens \(200 cached\), 80 output tokens$/
      )
    ])
  })

  it('keeps the head and tail of a huge output', () => {
    const output = `${'a'.repeat(100_000)}MIDDLE${'z'.repeat(100_000)}`
    const clipped = clipOutput(output)
    expect(clipped.length).toBeLessThan(70_000)
    expect(clipped.startsWith('aaa')).toBe(true)
    expect(clipped.endsWith('zzz')).toBe(true)
    expect(clipped).not.toContain('MIDDLE')
    expect(clipped).toContain('characters cut')
  })
})

describe('TurnReport', () => {
  it('derives commands, changed files, the todo list and the final response', () => {
    const report = completedReport()
    expect(report.threadId).toBe('thread-1')
    expect(report.finalResponse).toBe('Fixed the test.')
    expect(report.commands.map((command) => command.exit_code)).toEqual([1])
    expect(report.changedFiles).toEqual(['src/a.ts', 'src/b.ts'])
    expect(report.todoList?.items[0]?.completed).toBe(true)
  })
})

describe('renderComment', () => {
  it('holds the status line, the response, folded details, usage and the run link under the marker', () => {
    const report = completedReport({
      requestedBy: 'alice',
      threadUsageBefore: { input_tokens: 3000, cached_input_tokens: 2000, output_tokens: 400 }
    })
    const body = renderComment({ key: 'pr-3', report })
    expect(body.startsWith(commentMarker('pr-3'))).toBe(true)
    expect(body).toMatch(/^### 🤖 Codex · 🏁 Done in [\d.]+s · asked by alice · \[workflow run\]\(.+\)$/m)
    expect(body).toContain('Fixed the test.')
    expect(body).toContain('<details><summary>Commands (1)</summary>')
    expect(body).toContain('| 1 | `npm test` |')
    expect(body).toContain('<details><summary>Files changed (2)</summary>')
    expect(body).toContain('<details><summary>Plan (1/2 done)</summary>')
    expect(body).toContain(
      '<sub>this turn 1.2k in · 80 out · 200 cached · this PR 4.2k in · 480 out · 2.2k cached · thread `thread-1` · '
    )
    expect(body).toContain(`[workflow run](${runUrl})`)
  })

  it('shows what the agent is doing, the plan with plain marks and running commands while the turn runs', () => {
    const report = new TurnReport(runUrl)
    for (const event of turnEvents.slice(0, 5)) report.apply(event)
    const body = renderComment({ key: 'pr-3', report })
    expect(body).toContain('⏳ Working for')
    expect(body).toContain('**Now:** Running `npm test`')
    expect(body).toContain('- 🔄 read\n- ⬜ fix')
    expect(body).toContain('| 🔄 running | `npm test` |')
    expect(body).not.toContain('[ ]')
  })

  it('says plainly that a turn failed, was cancelled or timed out, and what to do next', () => {
    for (const [status, headline, words] of [
      ['failure', '❌ Failed', '`resume: false` starts it over'],
      ['cancelled', '⏹️ Cancelled', '**The workflow run was cancelled**'],
      ['timed_out', '⌛ Timed out', '(`timeout-minutes`)']
    ] as const) {
      const report = completedReport()
      report.finish(status, 'the reason')
      const body = renderComment({ key: 'k', report })
      expect(body).toContain(`### 🤖 Codex · ${headline} in`)
      expect(body).toContain(words)
      expect(body).toMatch(/re-run the job/i)
      // a cancelled or timed-out turn's reason is our own message, which the notice already says
      expect(body.includes('> the reason'), status).toBe(status === 'failure')
    }
  })

  it('never exceeds GitHub comment limit, and says where the rest is', () => {
    const report = completedReport()
    report.finalResponse = 'x'.repeat(200_000)
    const body = renderComment({ key: 'pr-3', report, encodedTranscript: '<!-- codex-thread-action:record=AAAA -->' })
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT)
    expect(body.length).toBeGreaterThan(GITHUB_BODY_LIMIT * 0.7)
    expect(body).toContain('cut to fit a GitHub comment')
    expect(body).toContain(runUrl)
    expect(body.startsWith(commentMarker('pr-3'))).toBe(true)
    expect(body.endsWith('\n<!-- codex-thread-action:record=AAAA -->')).toBe(true)
  })

  it('fences the raw JSON whatever backticks it holds', () => {
    const report = completedReport()
    report.structuredOutput = { text: '```nested```' }
    expect(renderComment({ key: 'k', report })).toContain('````json')
  })
})

describe('renderSummary', () => {
  it('lists the result, commands, files and the run, with a link to the comment', () => {
    const report = completedReport()
    report.structuredOutput = { verdict: 'approve', issues: ['a|b'] }
    const summary = renderSummary(report, { commentUrl: 'https://github.com/o/r/pull/1#issuecomment-2' })
    expect(summary).toMatch(/^## 🤖 Codex · 🏁 Done in [\d.]+s\n/)
    expect(summary).toContain('### Result\n\n**Verdict:** approve\n\n**Issues:**\n\n- a\\|b')
    expect(summary).toContain('| 1 | `npm test` |')
    expect(summary).toContain('- `src/a.ts`')
    expect(summary).toContain('- **Thread:** `thread-1` (new)')
    expect(summary).toContain("[the thread's comment](https://github.com/o/r/pull/1#issuecomment-2)")
  })

  it('leaves out what is empty', () => {
    const report = new TurnReport(runUrl)
    report.finish('success')
    const summary = renderSummary(report)
    expect(summary).not.toMatch(/###|No response|no token usage|\| \| \|/)
  })

  it('is cut with a note past 1 MiB', () => {
    const report = completedReport()
    report.finalResponse = 'y'.repeat(2 * 1024 * 1024)
    const summary = renderSummary(report)
    expect(summary.length).toBeLessThan(SUMMARY_LIMIT)
    expect(summary.length).toBeGreaterThan(SUMMARY_LIMIT * 0.7)
    expect(summary).toContain("cut to GitHub's 1 MiB summary limit")
    expect(summary).toContain('### Commands')
  })
})

describe('displayCommand', () => {
  it.each([
    ["/bin/bash -lc 'git log --oneline'", 'git log --oneline'],
    ["bash -lc 'echo '\\''quoted'\\'''", "echo 'quoted'"],
    ["/usr/bin/zsh -c 'ls'", 'ls'],
    ['/bin/bash -lc "rg -n \\"foo\\" src"', 'rg -n "foo" src'],
    ['/bin/bash -lc "echo \\$HOME \\`date\\` a\\\\b c\\d"', 'echo $HOME `date` a\\b c\\d'],
    ['python3 script.py', 'python3 script.py']
  ])('shows %s as %s', (command, shown) => {
    expect(displayCommand(command)).toBe(shown)
  })
})

describe('renderSummary of a skipped run', () => {
  it('says why it was skipped, not that it failed', () => {
    const report = new TurnReport(runUrl)
    report.finish('skipped', 'mallory has read access')
    const summary = renderSummary(report)
    expect(summary).toContain('## 🤖 Codex · ⏭️ Skipped')
    expect(summary).toContain('**No turn was taken.**\n\n> mallory has read access')
    expect(summary).not.toContain('failed')
  })
})

describe('displayPath', () => {
  it.each([
    ['/work/repo/src/a.ts', '/work/repo', 'src/a.ts'],
    ['/work/repo/src/a.ts', '/work/repo/', 'src/a.ts'],
    ['/work/other/a.ts', '/work/repo', '/work/other/a.ts'],
    ['/work/repo-two/a.ts', '/work/repo', '/work/repo-two/a.ts'],
    ['src/a.ts', '/work/repo', 'src/a.ts'],
    ['/work/repo/a.ts', undefined, '/work/repo/a.ts']
  ])('shows %s under %s as %s', (file, root, shown) => {
    expect(displayPath(file, root)).toBe(shown)
  })
})

describe('formatUsage', () => {
  it('shows cache writes and reasoning tokens when codex reports them', () => {
    expect(
      formatUsage({
        input_tokens: 1000,
        cached_input_tokens: 400,
        cache_write_input_tokens: 300,
        output_tokens: 90,
        reasoning_output_tokens: 60
      })
    ).toBe('1000 input tokens (400 cached, 300 written to the cache), 90 output tokens (60 reasoning)')
  })
})

describe('shortUsage', () => {
  it('reads at a glance, with cached and reasoning tokens where known', () => {
    expect(
      shortUsage({
        input_tokens: 16_520,
        cached_input_tokens: 12_000,
        output_tokens: 1_940,
        reasoning_output_tokens: 900
      })
    ).toBe('16.5k in · 1.9k out · 12k cached · 900 reasoning')
    expect(shortUsage({ input_tokens: 2_400_000, cached_input_tokens: 0, output_tokens: 120_000 })).toBe(
      '2.4M in · 120k out'
    )
    expect(shortUsage(null)).toBeUndefined()
  })
})

describe('TurnReport.currentStep', () => {
  it('names what the agent is doing and what it acts on', () => {
    const report = new TurnReport(runUrl, { workingDirectory: '/work/repo' })
    expect(report.currentStep).toEqual({ verb: 'Starting' })
    report.apply({ type: 'item.completed', item: { id: 'r', type: 'reasoning', text: '…' } })
    expect(report.currentStep).toEqual({ verb: 'Thinking' })
    report.apply({
      type: 'item.started',
      item: {
        id: 'f',
        type: 'file_change',
        status: 'in_progress',
        changes: [{ path: '/work/repo/src/x.ts', kind: 'update' }]
      }
    })
    expect(report.currentStep).toEqual({ verb: 'Editing', subject: 'src/x.ts' })
  })
})

describe('an earlier turn that failed', () => {
  it('says why it ended, from the transcript, as plain text', () => {
    const failed = {
      at: '2026-01-01T00:00:00.000Z',
      prompt: 'Review',
      response: '',
      conclusion: 'failure',
      runUrl,
      threadId: null,
      error: 'model said: **context too long** <details>'
    }
    const transcript = withTurn(withTurn(emptyTranscript('pr-1'), failed), {
      ...failed,
      conclusion: 'success',
      error: undefined
    })
    const report = completedReport()
    const body = renderComment({
      key: 'pr-1',
      report,
      history: { ...transcript, turns: [transcript.turns[0]!, failed] }
    })
    expect(body).toContain('**Why it ended:** model said\\: \\*\\*context too long\\*\\* \\<details\\>')
    expect(body.match(/Why it ended/g)).toHaveLength(1)
    expect(withTurn(emptyTranscript('k'), { ...failed, error: 'x'.repeat(1000) }).turns[0]?.error).toHaveLength(300)
  })
})
