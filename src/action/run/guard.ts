import type { ThreadEvent } from '../../sdk/index.js'
import { formatDuration } from '../../shared/text.js'

/**
 * codex never gives up on an endpoint it cannot connect to ("Reconnecting... waiting for network"
 * forever), so a wrong base-url would hold the job until timeout-minutes. Past this long without
 * reaching the model, the turn is ended as failed.
 */
const UNREACHABLE_AFTER_MS = 45_000

type StopReason =
  | { kind: 'cancelled'; message: string }
  | { kind: 'timed_out'; message: string }
  | { kind: 'unreachable'; message: string }

/** Ends a turn through one AbortSignal: on the runner's cancel signals, the timeout, or an unreachable model. */
export class TurnGuard {
  readonly #abort = new AbortController()
  readonly #timer: NodeJS.Timeout
  readonly #onSignal = (signal: NodeJS.Signals): void =>
    this.#stop({ kind: 'cancelled', message: `The turn was cancelled (${signal})` })
  #unreachableTimer?: NodeJS.Timeout
  #reason?: StopReason

  constructor(
    timeoutMs: number,
    private readonly signals: NodeJS.Signals[],
    private readonly unreachableAfterMs = UNREACHABLE_AFTER_MS
  ) {
    this.#timer = setTimeout(
      () => this.#stop({ kind: 'timed_out', message: `The turn timed out after ${formatDuration(timeoutMs)}` }),
      timeoutMs
    )
    for (const signal of signals) process.on(signal, this.#onSignal)
  }

  get signal(): AbortSignal {
    return this.#abort.signal
  }

  /** Why the turn was stopped, once it was. */
  get reason(): StopReason | undefined {
    return this.#reason
  }

  /** Watches codex's notices: connection failures start the unreachable clock, anything else stops it. */
  observe(event: ThreadEvent): void {
    const connectionFailure = event.type === 'error' && /waiting for network|connection failed/i.test(event.message)
    if (!connectionFailure) {
      if (event.type !== 'error') this.#clearUnreachable()
      return
    }
    this.#unreachableTimer ??= setTimeout(
      () =>
        this.#stop({
          kind: 'unreachable',
          message: `The model endpoint could not be reached for ${formatDuration(this.unreachableAfterMs)}: ${event.message}`
        }),
      this.unreachableAfterMs
    )
  }

  dispose(): void {
    clearTimeout(this.#timer)
    this.#clearUnreachable()
    for (const signal of this.signals) process.off(signal, this.#onSignal)
  }

  #clearUnreachable(): void {
    clearTimeout(this.#unreachableTimer)
    this.#unreachableTimer = undefined
  }

  #stop(reason: StopReason): void {
    if (this.#reason) return
    this.#reason = reason
    this.#abort.abort(new Error(reason.message))
  }
}
