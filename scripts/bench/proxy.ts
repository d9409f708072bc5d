import type { Options } from './options.js'
import { ms, type Row, type SectionResult } from './report.js'
import { alternate, median, p90, pairedDelta } from './stats.js'
import { tempDir } from '../../__tests__/support/tempDirs.js'
import { API_KEY, benchScript, PROMPT, startBench, type Bench } from './turns.js'
import { Codex, startModelProxy } from './targets.js'

/** When a turn's answers arrived, from its start. */
interface TurnTimes {
  /** The first event that needed the model: its first answer, streamed through. */
  firstEvent: number
  total: number
}

/** A codex turn through the SDK against `baseUrl`, timed to its first model-made event and to its end. */
async function codexTurn(bench: Bench, baseUrl: string, apiKey: string): Promise<TurnTimes> {
  const home = tempDir('bench-home')
  const codex = new Codex({
    baseUrl,
    apiKey,
    env: { PATH: process.env.PATH ?? '', HOME: home, CODEX_HOME: home },
    logger: { warn: () => {} }
  })
  const thread = codex.startThread({ workingDirectory: bench.repo, sandboxMode: 'read-only', skipGitRepoCheck: true })
  const started = performance.now()
  const { events } = await thread.runStreamed(PROMPT)
  let firstEvent = Number.NaN
  for await (const event of events) {
    // thread.started and turn.started come before codex asks the model anything
    if (Number.isNaN(firstEvent) && event.type.startsWith('item.')) firstEvent = performance.now() - started
    if (event.type === 'turn.failed') throw new Error(`bench turn failed: ${event.error.message}`)
  }
  return { firstEvent, total: performance.now() - started }
}

/** One Responses request as codex makes it, timed to the first byte of the stream and to its end. */
async function modelRequest(url: string, authorization: string, body: string): Promise<TurnTimes> {
  const started = performance.now()
  const answer = await fetch(`${url}/responses`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json', accept: 'text/event-stream' },
    body
  })
  if (!answer.ok || !answer.body) throw new Error(`bench request failed: ${answer.status}`)
  const reader = answer.body.getReader()
  let firstEvent = Number.NaN
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    if (Number.isNaN(firstEvent)) firstEvent = performance.now() - started
  }
  return { firstEvent, total: performance.now() - started }
}

function rows(label: string, through: TurnTimes[], direct: TurnTimes[], n: number, judged: boolean): Row[] {
  const pick = (times: TurnTimes[], key: keyof TurnTimes): number[] => times.map((time) => time[key])
  return (['firstEvent', 'total'] as const).flatMap((key) => {
    const name = key === 'firstEvent' ? 'first event' : 'total'
    const delta = pairedDelta(pick(through, key), pick(direct, key))
    return [
      {
        item: 'proxy',
        measure: `${label}, direct: ${name}`,
        median: ms(median(pick(direct, key))),
        p90: ms(p90(pick(direct, key))),
        note: `n=${n}`
      },
      {
        item: 'proxy',
        measure: `${label}, through the proxy: ${name}`,
        median: ms(median(pick(through, key))),
        p90: ms(p90(pick(through, key))),
        ratio: `${delta >= 0 ? '+' : ''}${delta.toFixed(1)} ms`,
        // a codex turn's own spread (hundreds of ms) hides a few ms: the bare requests are judged
        goal: judged ? '≤ 5 ms' : undefined,
        met: judged ? delta <= 5 : undefined,
        note: `n=${n} pairs`
      }
    ]
  })
}

/** What the model proxy adds to a turn: codex's own turns, and the bare requests it forwards. */
export async function proxyOverhead(options: Options): Promise<SectionResult> {
  const bench = await startBench(benchScript(0))
  const proxy = await startModelProxy({ upstreamBaseUrl: bench.model.url, apiKey: API_KEY })
  try {
    await codexTurn(bench, bench.model.url, API_KEY) // warm the page cache for the binary
    const turns = await alternate(
      options.pairs,
      () => codexTurn(bench, proxy.baseUrl, proxy.token),
      () => codexTurn(bench, bench.model.url, API_KEY),
      (index) => void process.stderr.write(`  proxy: codex pair ${index + 1}/${options.pairs}\r`)
    )
    process.stderr.write('\n')
    // the body codex sent for the first turn: the size and shape the proxy streams on every turn
    const body = JSON.stringify(bench.model.requests[0]?.body ?? {})
    const requests = options.pairs * 10
    const bare = await alternate(
      requests,
      () => modelRequest(proxy.baseUrl, `Bearer ${proxy.token}`, body),
      () => modelRequest(bench.model.url, `Bearer ${API_KEY}`, body)
    )
    return {
      title: 'Model proxy: added time per turn',
      rows: [
        ...rows('codex turn', turns.a, turns.b, options.pairs, false),
        ...rows(`one Responses request (${(body.length / 1024).toFixed(0)} KiB)`, bare.a, bare.b, requests, true)
      ],
      explanation:
        'The scripted turn of item 1 (the model asks for `echo bench`, then answers at once: two Responses ' +
        'requests), run by the SDK with codex talking to the scripted model directly, and through the model ' +
        'proxy (a per-run token, the key added on the way), alternating. "first event" is the first `item.*` ' +
        'event, the first one that needed the model\'s answer; "total" is the whole turn. The "ratio" column ' +
        "holds the median per-pair difference (through − direct). The bare rows isolate the proxy from codex's " +
        'own noise: the same request body codex sent, POSTed with fetch, timed to the first byte of the event ' +
        'stream and to its end.'
    }
  } finally {
    await proxy.close()
    await bench.close()
  }
}
