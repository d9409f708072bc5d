/** Nearest-rank quantile of the samples. */
export function quantile(samples: readonly number[], q: number): number {
  if (!samples.length) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  // the index is clamped into a non-empty array
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}

export const median = (samples: readonly number[]): number => quantile(samples, 0.5)
export const p90 = (samples: readonly number[]): number => quantile(samples, 0.9)

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now()
  const value = await fn()
  return { ms: performance.now() - started, value }
}

export interface Pairs<A, B> {
  a: A[]
  b: B[]
}

/**
 * Runs `pairs` pairs of A and B, alternating which goes first, so a drift of the machine (another
 * job, a warming cache) weighs on both sides alike.
 */
export async function alternate<A, B>(
  pairs: number,
  a: () => Promise<A>,
  b: () => Promise<B>,
  progress?: (index: number) => void
): Promise<Pairs<A, B>> {
  const result: Pairs<A, B> = { a: [], b: [] }
  for (let index = 0; index < pairs; index++) {
    if (index % 2 === 0) {
      result.a.push(await a())
      result.b.push(await b())
    } else {
      result.b.push(await b())
      result.a.push(await a())
    }
    progress?.(index)
  }
  return result
}

/** Median of per-pair ratios: robust to drift between pairs. */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return perPair(a, b, (x, y) => x / y)
}

/** Median of per-pair differences. */
export function pairedDelta(a: readonly number[], b: readonly number[]): number {
  return perPair(a, b, (x, y) => x - y)
}

function perPair(a: readonly number[], b: readonly number[], combine: (x: number, y: number) => number): number {
  if (a.length !== b.length) throw new Error(`unpaired samples: ${a.length} against ${b.length}`)
  return median(a.map((value, index) => combine(value, b[index]!)))
}

/**
 * `alternate` for more than two: `rounds` rounds that each run every function once, the order
 * rotating by one each round; the samples of `fns[i]` come back in `[i]`, round by round.
 */
export async function rotate<T>(
  rounds: number,
  fns: ReadonlyArray<() => Promise<T>>,
  progress?: (index: number) => void
): Promise<T[][]> {
  const samples: T[][] = fns.map(() => [])
  for (let round = 0; round < rounds; round++) {
    for (let step = 0; step < fns.length; step++) {
      const index = (step + round) % fns.length
      samples[index]!.push(await fns[index]!())
    }
    progress?.(round)
  }
  return samples
}
