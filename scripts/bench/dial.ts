// Issue 23: how many review comments the action posts on one sample PR with the noise dial off, at
// its defaults and at a strict team setting. It counts what reached the GitHub test server and
// checks it against the job summary's account of each finding; it measures no time.
import type { Severity } from '../../src/action/core/constants.js'
import { countBySeverity, type Finding, type ReviewResponse } from '../../src/action/core/findings.js'
import { startGitHubServer } from '../../__tests__/support/githubServer.js'
import { PrRepo } from '../../__tests__/support/prRepo.js'
import { codexLauncher, outputJson, runAction } from '../../__tests__/support/runAction.js'
import { startScriptedModel } from '../../__tests__/support/scriptedModel.js'
import { tempDir } from '../../__tests__/support/tempDirs.js'
import type { Row, SectionResult } from './report.js'
import { API_KEY } from './turns.js'

const PR = 23
const SOURCES = ['src/auth.ts', 'src/orders.ts', 'src/report.ts']
const LOCKFILE = 'package-lock.json'
const GENERATED = 'gen/client.ts'
/** Lines 1 to CHANGED of every file change; the sources' lines past OUTSIDE are far from any hunk. */
const CHANGED = 12
const OUTSIDE = 40

const lines = (count: number, text: (line: number) => string): string =>
  Array.from({ length: count }, (_, index) => text(index + 1)).join('\n') + '\n'
const source = (changed: boolean) =>
  lines(60, (line) => `export const setting${line} = ${changed && line <= CHANGED ? line * 2 : line}`)

/** Three source files, a lockfile and a file the base's .gitattributes marks generated, each changed. */
function samplePr(): PrRepo {
  const generated = (version: number) => lines(30, (line) => `export const field${line} = 'v${version}' // generated`)
  const lockfile = (version: string) =>
    `{\n  "lockfileVersion": 3,\n${lines(CHANGED + 8, (line) => `  "dep${line}": "${line <= CHANGED ? version : '1.0.0'}",`)}  "end": true\n}\n`
  const repo = new PrRepo({
    ...Object.fromEntries(SOURCES.map((name) => [name, source(false)])),
    [LOCKFILE]: lockfile('1.0.0'),
    [GENERATED]: generated(1),
    '.gitattributes': 'gen/** linguist-generated=true\n'
  })
  repo.commit({
    ...Object.fromEntries(SOURCES.map((name) => [name, source(true)])),
    [LOCKFILE]: lockfile('2.0.0'),
    [GENERATED]: generated(2)
  })
  return repo
}

type Place = 'diff' | 'outside' | 'lockfile' | 'generated'
/** 30 findings: 2 critical, 5 major, 10 minor, 13 nit; 22 on the sources' diff lines. */
const SPREAD: Array<[Severity, Place, number]> = [
  ['critical', 'diff', 2],
  ['major', 'diff', 4],
  ['major', 'outside', 1],
  ['minor', 'diff', 7],
  ['minor', 'outside', 1],
  ['minor', 'lockfile', 1],
  ['minor', 'generated', 1],
  ['nit', 'diff', 9],
  ['nit', 'outside', 2],
  ['nit', 'lockfile', 1],
  ['nit', 'generated', 1]
]

const PLACES: Record<Place, string> = {
  diff: "on the sources' diff lines",
  outside: 'on lines of the sources outside the diff',
  lockfile: 'on the lockfile',
  generated: 'on the generated file'
}

/** Where SPREAD puts the findings, in words: "22 on the sources' diff lines (2 critical, …), …". */
function spreadText(): string {
  return Object.entries(PLACES)
    .map(([place, where]) => {
      const here = SPREAD.filter((entry) => entry[1] === place)
      const total = here.reduce((sum, entry) => sum + entry[2], 0)
      return `${total} ${where} (${here.map(([severity, , count]) => `${count} ${severity}`).join(', ')})`
    })
    .join(', ')
}

const TITLES: Record<Severity, string> = {
  critical: 'Unchecked input reaches the query',
  major: 'Error is swallowed and the caller sees success',
  minor: 'Magic number instead of the named limit',
  nit: 'Name does not say what the value holds'
}

/** The scripted review, as a reviewer model reports it: a paragraph each, a suggestion on every other. */
function sampleFindings(): Finding[] {
  const findings: Finding[] = []
  const placed = new Map<Place, number>()
  for (const [severity, place, count] of SPREAD)
    for (let index = 0; index < count; index++) {
      const nth = placed.get(place) ?? 0
      placed.set(place, nth + 1)
      const [path, line] =
        place === 'diff'
          ? [SOURCES[nth % SOURCES.length]!, 1 + Math.floor(nth / SOURCES.length)]
          : place === 'outside'
            ? [SOURCES[nth % SOURCES.length]!, OUTSIDE + nth]
            : [place === 'lockfile' ? LOCKFILE : GENERATED, 3 + nth]
      findings.push({
        path,
        line,
        start_line: null,
        severity,
        title: `${TITLES[severity]} (${path}:${line})`,
        body:
          `Line ${line} of \`${path}\` changes behaviour the callers rely on, and no test covers it. ` +
          'When the value is out of range the code goes on with a default, so the failure surfaces later ' +
          'and far from its cause; check it where it enters and say in the error what was expected.',
        suggestion: findings.length % 2 ? null : `export const setting${line} = ${line * 2} // checked`
      })
    }
  return findings
}

interface DialRun {
  label: string
  inputs: Record<string, string>
}

const RUNS: DialRun[] = [
  { label: 'dial off', inputs: { 'min-severity': 'nit', 'max-comments': '9999', 'ignore-paths': '!defaults' } },
  { label: 'defaults', inputs: {} },
  { label: 'strict team', inputs: { 'min-severity': 'major', 'max-comments': '5' } }
]

interface Counted {
  run: DialRun
  inline: number
  inBody: number
  listed: number
  ignored: number
  reviews: number
  bodyChars: number
  inlineChars: number
  structured: number
}

/** How many findings the job summary's table says went `where`. */
const summaryCount = (summary: string, where: string): number =>
  summary.split('\n').filter((line) => line.endsWith(`| ${where} |`)).length

async function review(repo: PrRepo, modelUrl: string, run: DialRun, total: number): Promise<Counted> {
  const github = await startGitHubServer()
  try {
    repo.publish(github, PR)
    const result = await runAction({
      inputs: {
        mode: 'review',
        prompt: '',
        'openai-api-key': API_KEY,
        'base-url': modelUrl,
        'codex-path': codexLauncher,
        'github-token': 'ghs_bench_0123456789',
        'thread-store': 'directory',
        'thread-store-path': tempDir('bench-dial-store'),
        ...run.inputs
      },
      payload: repo.payload(PR),
      githubUrl: github.url,
      workspace: repo.dir
    })
    if (result.exitCode !== 0) throw new Error(`the ${run.label} review failed:\n${result.log}`)
    const inline = github.reviewComments.filter((comment) => comment.in_reply_to_id === undefined)
    const folded = github.reviews.map((entry) => Number(/<summary>(\d+) more finding/.exec(entry.body)?.[1] ?? 0))
    const counted: Counted = {
      run,
      inline: inline.length,
      inBody: summaryCount(result.summary, 'review body'),
      listed: summaryCount(result.summary, 'listed (min-severity / max-comments)'),
      ignored: summaryCount(result.summary, 'ignored (ignore-paths)'),
      reviews: github.reviews.length,
      bodyChars: github.reviews.reduce((sum, entry) => sum + entry.body.length, 0),
      inlineChars: inline.reduce((sum, comment) => sum + comment.body.length, 0),
      structured: (outputJson(result, 'structured-output') as ReviewResponse).findings.length
    }
    // the summary's account and what GitHub received must agree, and no finding may go unaccounted
    const listedOnGitHub = folded.reduce((sum, count) => sum + count, 0)
    if (
      summaryCount(result.summary, 'inline') !== counted.inline ||
      listedOnGitHub !== counted.listed ||
      counted.inline + counted.inBody + counted.listed + counted.ignored !== total
    )
      throw new Error(`the ${run.label} review's counts disagree: ${JSON.stringify(counted)}\n${result.summary}`)
    return counted
  } finally {
    await github.close()
  }
}

const describeInputs = (run: DialRun): string =>
  Object.entries(run.inputs)
    .map(([name, value]) => `\`${name}: ${value}\``)
    .join(', ') || 'none set'
const count = (value: number): string => value.toLocaleString('en-US')

function detailsTable(runs: Counted[], total: number): string {
  return [
    '| run | inputs | inline comments | in the review body | listed, collapsed | ignored | review body (chars) | inline comments (chars) | structured-output |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map(
      (entry) =>
        `| ${entry.run.label} | ${describeInputs(entry.run)} | ${entry.inline} | ${entry.inBody} | ${entry.listed} | ` +
        `${entry.ignored} | ${count(entry.bodyChars)} | ${count(entry.inlineChars)} | ${entry.structured} of ${total} |`
    )
  ].join('\n')
}

/** Issue 23: the comments one sample review posts with the noise dial off, at its defaults and strict. */
export async function dial(): Promise<SectionResult> {
  const findings = sampleFindings()
  const answer = JSON.stringify({ summary: 'Reviewed the change.', findings, resolved: [] } satisfies ReviewResponse)
  const model = await startScriptedModel(() => ({ message: answer }))
  const repo = samplePr()
  const runs: Counted[] = []
  try {
    for (const run of RUNS) runs.push(await review(repo, model.url, run, findings.length))
  } finally {
    await model.close()
  }
  const rows: Row[] = runs.map((entry) => ({
    item: 'dial',
    measure: `inline comments of one review of ${findings.length} findings, ${entry.run.label}`,
    median: String(entry.inline),
    note:
      `${describeInputs(entry.run)}; ${entry.inBody} in the body, ${entry.listed} listed collapsed, ` +
      `${entry.ignored} ignored; body ${count(entry.bodyChars)} chars; structured-output ${entry.structured}/${findings.length}`
  }))
  return {
    title: 'The noise dial on a sample review (issue 23)',
    rows,
    explanation:
      `One PR changes lines 1–${CHANGED} of ${SOURCES.length} source files, \`${LOCKFILE}\` and \`${GENERATED}\` ` +
      "(which the base's `.gitattributes` marks `linguist-generated`). The scripted model reports the same " +
      `${findings.length} findings in each run: ${countBySeverity(findings)}; ${spreadText()}. Each finding has a two-sentence body, every other a ` +
      'one-line suggestion. Each run is a fresh PR (its own GitHub test server and thread store) reviewed by ' +
      '`dist/index.js`; the counts are what GitHub received (inline comments, the review body and its ' +
      "collapsed list), checked against the job summary's table of where each finding went. Body lengths " +
      'include the hidden markers. "Listed, collapsed" are the findings below `min-severity` or past ' +
      '`max-comments`, one line each; "in the review body" those at or above `min-severity` outside the diff, ' +
      'in full.',
    details: detailsTable(runs, findings.length)
  }
}
