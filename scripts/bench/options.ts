/** Sections of `npm run bench`, in the order they run; `floor` and `profile` only when asked for. */
export const SECTIONS = [
  'sdk',
  'action',
  'throughput',
  'memory',
  'coldstart',
  'install',
  'stores',
  'proxy',
  'cost',
  'dial',
  'isolation',
  'writes',
  'ci',
  'floor',
  'profile'
] as const
export type Section = (typeof SECTIONS)[number]
/** The default of the action's `compact-at-tokens`. */
const COMPACT_AT = 100_000
const DEFAULT_SECTIONS: Section[] = [
  'sdk',
  'action',
  'throughput',
  'memory',
  'coldstart',
  'install',
  'stores',
  'proxy',
  'cost',
  'dial',
  'isolation',
  'writes',
  'ci'
]

export interface Options {
  sections: Section[]
  /** Pairs of SDK vs raw turns (item 1). */
  pairs: number
  /** Pairs of action vs raw turns (item 2), per model delay. */
  actionPairs: number
  /** How long the slow turn's model takes to answer. */
  modelDelayMs: number
  /** How late the GitHub stand-in answers in item 2, as api.github.com would from a runner; 0: loopback. */
  githubLatencyMs: number
  /** Size of the synthetic JSONL stream (item 3). */
  streamMB: number
  /** Bytes the loud command prints (item 4). */
  outputBytes: number
  /** Repetitions of the short measurements (load time, --version, restore). */
  repeats: number
  /** Turns of the thread whose cost is followed. */
  costTurns: number
  /** codex's `model_auto_compact_token_limit` for the compacted series. */
  compactAt: number
  /** Checkout sizes the isolation series measures (entries). */
  isolationEntries: number[]
  /** Where the report goes; undefined: not written. */
  write?: string
}

const HELP = `npm run bench -- [flags]     (each flag also as an env variable)
  --only=sdk,action,...   sections: ${SECTIONS.join(', ')}      BENCH_ONLY
                          default: all but floor and profile
  --pairs=N               SDK vs raw pairs (item 1), and direct vs proxied codex turns, default 10    BENCH_PAIRS
  --action-pairs=N        action vs raw pairs per turn (item 2), default 10    BENCH_ACTION_PAIRS
  --delay=MS              the slow turn's model delay, default 2000    BENCH_DELAY_MS
  --github-latency=MS     each GitHub answer's delay in item 2 (a runner's round trip), default 0    BENCH_GITHUB_LATENCY_MS
  --stream-mb=N           synthetic JSONL size (item 3), default 100    BENCH_STREAM_MB
  --output-bytes=N        the loud command's output (item 4), default 500000000    BENCH_OUTPUT_BYTES
  --repeats=N             short measurements' repetitions, default 10    BENCH_REPEATS
  --cost-turns=N          turns of the thread whose cost is followed, default 20    BENCH_COST_TURNS
  --compact-at=N          the compacted series' model_auto_compact_token_limit, default ${COMPACT_AT}    BENCH_COMPACT_AT
  --isolation-entries=N,…  checkout sizes of the isolation series, default 1000,10000,100000 (add 1000000 for a monorepo)    BENCH_ISOLATION_ENTRIES
  --write[=FILE]          write the report (default BENCHMARKS.md; on by default when every default section runs)
  --no-write              do not write it`

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const flags = new Map<string, string>()
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      console.log(HELP)
      process.exit(0)
    }
    const match = /^--([\w-]+)(?:=(.*))?$/.exec(arg)
    if (!match) throw new Error(`unknown argument ${arg}\n${HELP}`)
    flags.set(match[1]!, match[2] ?? '')
  }
  const value = (flag: string, variable: string): string | undefined => flags.get(flag) ?? env[variable]
  const number = (flag: string, variable: string, fallback: number): number => {
    const text = value(flag, variable)
    if (text === undefined || text === '') return fallback
    const parsed = Number(text)
    if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${flag} must be a number, got ${text}`)
    return parsed
  }
  const only = value('only', 'BENCH_ONLY')
  const sections = only
    ? only.split(',').map((name) => {
        const section = name.trim() as Section
        if (!SECTIONS.includes(section)) throw new Error(`unknown section ${name}; sections: ${SECTIONS.join(', ')}`)
        return section
      })
    : DEFAULT_SECTIONS
  const everyDefault = DEFAULT_SECTIONS.every((section) => sections.includes(section))
  let write: string | undefined = everyDefault ? 'BENCHMARKS.md' : undefined
  if (flags.has('write')) write = flags.get('write') || 'BENCHMARKS.md'
  if (flags.has('no-write')) write = undefined
  for (const flag of flags.keys()) {
    if (
      ![
        'only',
        'pairs',
        'action-pairs',
        'delay',
        'github-latency',
        'stream-mb',
        'output-bytes',
        'repeats',
        'cost-turns',
        'compact-at',
        'isolation-entries',
        'write',
        'no-write'
      ].includes(flag)
    )
      throw new Error(`unknown flag --${flag}\n${HELP}`)
  }
  return {
    sections: SECTIONS.filter((section) => sections.includes(section)),
    pairs: Math.max(1, Math.round(number('pairs', 'BENCH_PAIRS', 10))),
    actionPairs: Math.max(1, Math.round(number('action-pairs', 'BENCH_ACTION_PAIRS', 10))),
    modelDelayMs: number('delay', 'BENCH_DELAY_MS', 2000),
    githubLatencyMs: number('github-latency', 'BENCH_GITHUB_LATENCY_MS', 0),
    streamMB: number('stream-mb', 'BENCH_STREAM_MB', 100),
    outputBytes: Math.round(number('output-bytes', 'BENCH_OUTPUT_BYTES', 500_000_000)),
    repeats: Math.max(1, Math.round(number('repeats', 'BENCH_REPEATS', 10))),
    costTurns: Math.max(1, Math.round(number('cost-turns', 'BENCH_COST_TURNS', 20))),
    compactAt: Math.max(1, Math.round(number('compact-at', 'BENCH_COMPACT_AT', COMPACT_AT))),
    isolationEntries: (value('isolation-entries', 'BENCH_ISOLATION_ENTRIES') || '1000,10000,100000')
      .split(',')
      .map((text) => {
        const entries = Number(text)
        if (!Number.isInteger(entries) || entries < 1)
          throw new Error(`--isolation-entries must list whole numbers, got ${text}`)
        return entries
      }),
    write
  }
}
