/** What the session logs through: the toolkit's `core`, or a log held until the run's gate answers. */
export interface SessionLog {
  info: (message: string) => void
  warning: (message: string) => void
  debug: (message: string) => void
}

type Level = keyof SessionLog

/**
 * A log whose lines wait for the gate: the session is opened while the run is still being gated,
 * and a refused run must say nothing more than it did before (no codex found, no thread continued).
 * Released, it writes what it held in order and passes every later line straight through; dropped,
 * it forgets them.
 */
export class HeldLog implements SessionLog {
  /** The lines waiting for the gate; 'released': written through; 'dropped': forgotten. */
  #state: Array<[Level, string]> | 'released' | 'dropped' = []

  constructor(private readonly target: SessionLog) {}

  readonly info = (message: string): void => this.#write('info', message)
  readonly warning = (message: string): void => this.#write('warning', message)
  readonly debug = (message: string): void => this.#write('debug', message)

  /** Writes what was held, in order; from then on, lines pass straight through. */
  release(): void {
    const held = Array.isArray(this.#state) ? this.#state : []
    this.#state = 'released'
    for (const [level, message] of held) this.target[level](message)
  }

  /** Forgets what was held, and whatever comes later. */
  drop(): void {
    this.#state = 'dropped'
  }

  #write(level: Level, message: string): void {
    if (Array.isArray(this.#state)) this.#state.push([level, message])
    else if (this.#state === 'released') this.target[level](message)
  }
}
