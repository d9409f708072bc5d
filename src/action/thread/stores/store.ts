/**
 * Where a thread's sealed bundles live between runs, one per run that saved it. Failures are
 * thrown; the caller turns them into warnings.
 */
export interface BundleStore {
  /** What the log calls it, e.g. "the artifact store". */
  readonly label: string
  /**
   * The newest bundle saved for `key` that `open` accepts. Anyone who can start a run can save a
   * bundle under a key; one that does not open is passed over, as if it were missing.
   */
  load<T>(key: string, open: (bundle: Buffer) => Promise<T | undefined>): Promise<T | undefined>
  save(key: string, bundle: Buffer): Promise<void>
  /** Removes the key's bundles older than the one this run saved. */
  prune(key: string): Promise<void>
}

/** How many of the newest bundles `load` tries before it gives up. */
export const LOAD_CANDIDATES = 5

export interface RunIdentity {
  runId: string
  runAttempt: string
}

/** Where the stores report what they could not tidy up: not a failure of the run. */
export type StoreLog = (message: string) => void

/** Deletes each entry, best effort: the ones that stay, and why the first of them did. */
export async function deleteEach<T>(
  entries: T[],
  remove: (entry: T) => Promise<void>
): Promise<{ kept: T[]; reason?: string }> {
  const results = await Promise.allSettled(entries.map(remove))
  const kept = entries.filter((_, index) => results[index]?.status === 'rejected')
  const failure = results.find((result) => result.status === 'rejected')
  return { kept, reason: failure && (failure.reason as Error).message }
}
