import type { Codex, Thread, ThreadOptions, Usage } from '../../sdk/index.js'
import type { Dismissal, ReviewPause, ReviewState } from '../core/findings.js'
import type { Redactor } from '../core/redact.js'
import type { TurnReport } from '../core/report.js'
import type { ThreadArchive } from './archive.js'
import {
  emptyTranscript,
  mergeTranscripts,
  seedPrompt,
  threadUsage,
  TranscriptCodec,
  withTurn,
  type Transcript,
  type TranscriptTurn
} from './transcript.js'

/**
 * A copy of the transcript kept where people see the thread (the sticky comment). Runs of one
 * thread that overlap each write their turn there, so it is read when the run starts and again
 * before the run saves. `read` gives the text holding the copy; the continuation checks it.
 */
export interface TranscriptMirror {
  read(): Promise<string | undefined>
}

/** The mirror in a comment found by `find`; a comment that cannot be read is a warning, not a failure. */
export function commentMirror(
  comment: { find(): Promise<{ body: string } | undefined> },
  warn: (message: string) => void
): TranscriptMirror {
  return {
    async read() {
      try {
        return (await comment.find())?.body
      } catch (error) {
        warn(`Could not read the PR comments: ${(error as Error).message}`)
        return undefined
      }
    }
  }
}

interface ContinuationOptions {
  key: string
  /** Where the key's thread is kept between runs; undefined: a thread of this run alone. */
  archive?: ThreadArchive
  /** false: start the key's thread over. */
  resume: boolean
  mirror?: TranscriptMirror
  /**
   * What checks the mirror's copy and signs this run's (TranscriptCodec.create): its key derivation
   * takes ~60 ms, so the caller starts it early and the mirror is read meanwhile.
   */
  codec: Promise<TranscriptCodec>
  redactor: Redactor
  log: (message: string) => void
  warn: (message: string) => void
}

/** This run's turn in a key's thread: which codex thread it runs in, and what the transcript keeps of it. */
export class ThreadContinuation {
  #transcript: Transcript
  #finished = false
  /** The PR thread's tokens before this run's turn, in every codex thread it ran in. */
  readonly usageBefore: Usage

  private constructor(
    private readonly options: ContinuationOptions,
    private readonly codec: TranscriptCodec,
    transcript: Transcript,
    /** The thread resumed, its session in codex home; undefined: a new thread. */
    readonly resumeId: string | undefined
  ) {
    this.#transcript = transcript
    this.usageBefore = threadUsage(transcript)
  }

  static async begin(options: ContinuationOptions): Promise<ThreadContinuation> {
    const { key, archive } = options
    if (!archive) return new ThreadContinuation(options, await options.codec, emptyTranscript(key), undefined)
    if (!options.resume) {
      options.log(`Thread ${key}: resume is false, starting a new thread`)
      return new ThreadContinuation(options, await options.codec, emptyTranscript(key), undefined)
    }
    const mirrored = readMirror(options)
    const [codec, { record, resumeId }] = await Promise.all([options.codec, archive.load(mirrored)])
    return new ThreadContinuation(options, codec, record, resumeId)
  }

  get resumed(): boolean {
    return this.resumeId !== undefined
  }

  start(codex: Codex, threadOptions: ThreadOptions): Thread {
    return this.resumeId ? codex.resumeThread(this.resumeId, threadOptions) : codex.startThread(threadOptions)
  }

  /** The turn's input: a new thread that continues a lost one gets the earlier turns first. */
  input(prompt: string): string {
    return !this.resumed && this.#transcript.turns.length ? seedPrompt(this.#transcript, prompt) : prompt
  }

  /** The thread's turns for display, this one first, as `report` shows it now. */
  history(report: TurnReport): Transcript {
    return this.#finished ? this.#transcript : withTurn(this.#transcript, this.#turn(report))
  }

  /** What the thread's last review left: the commit it looked at and the findings still open. */
  get lastReview(): ReviewState | undefined {
    return this.#transcript.review
  }

  /** Findings the team dismissed on this PR. */
  get dismissed(): Dismissal[] {
    return this.#transcript.dismissed ?? []
  }

  /** Whether automatic reviews are paused, and who said so; undefined: never paused. */
  get pause(): ReviewPause | undefined {
    return this.#transcript.pause
  }

  /** The transcript as the comment's last line keeps it; undefined without a secret, since no run could trust it. */
  get encodedTranscript(): string | undefined {
    return this.codec.encode(this.#transcript)
  }

  /**
   * Adds this run's turn to the transcript (and its review's state, for the next review), with the
   * turns of runs of the same thread that ended meanwhile: the mirror is read again, and so is the
   * archive, since this run's own progress edits may have overwritten the mirror since such a run wrote it.
   */
  async finish(
    report: TurnReport,
    changes: { reviewState?: ReviewState; dismissed?: Dismissal[]; pause?: ReviewPause } = {}
  ): Promise<void> {
    const { reviewState, dismissed = [], pause } = changes
    const record = this.#transcript
    const transcript = withTurn(
      {
        ...record,
        ...(reviewState && { review: reviewState }),
        ...(dismissed.length && { dismissed: [...(record.dismissed ?? []), ...dismissed] }),
        ...(pause && { pause })
      },
      this.#turn(report)
    )
    const { key, archive, resume } = this.options
    this.#transcript =
      resume && archive
        ? mergeTranscripts(key, transcript, ...(await Promise.all([readMirror(this.options), archive.latestRecord()])))
        : transcript
    this.#finished = true
  }

  /** Keeps the transcript and the thread's session for the next run; failures are warnings. */
  async save(): Promise<void> {
    await this.options.archive?.save(this.#transcript)
  }

  #turn(report: TurnReport): TranscriptTurn {
    const { redactor } = this.options
    return {
      // when the turn ended: the newest turn is the one whose session was saved last
      at: new Date(report.finishedAt ?? Date.now()).toISOString(),
      prompt: redactor.redact(report.request),
      response: redactor.redact(report.finalResponse),
      conclusion: report.status,
      runUrl: report.runUrl,
      threadId: report.threadId,
      ...(report.usage && { usage: report.usage }),
      ...(report.status !== 'success' && report.error !== undefined && { error: redactor.redact(report.error) })
    }
  }
}

/** The mirror's record once checked; one that fails the check is a warning, and counts as missing. */
async function readMirror({ key, mirror, codec, warn }: ContinuationOptions): Promise<Transcript | undefined> {
  const [body, checker] = await Promise.all([mirror?.read(), codec])
  if (body === undefined) return undefined
  const { record, problem } = checker.decode(body)
  if (problem) warn(`Thread ${key}: the record in the PR comment ${problem}; it is ignored`)
  return record
}
