import type { Codex, Thread, ThreadOptions } from '../sdk/index.js'
import type { CommentParts } from './comment.js'
import { emptyRecord, encodeRecord, mergeRecords, withTurn, type ThreadRecord, type TurnEntry } from './record.js'
import type { Redactor } from './redact.js'
import type { TurnReport } from './report.js'
import { seedPrompt, type ThreadMemory } from './threadMemory.js'

export interface ThreadRunOptions {
  key: string
  /** Where the key's thread is kept between runs; undefined: a thread of this run alone. */
  memory?: ThreadMemory
  /** false: start the key's thread over. */
  resume: boolean
  /** The record in the thread's sticky comment, when there is one. */
  commentRecord?: ThreadRecord
  /** The user's prompt, as the record keeps it. */
  prompt: string
  redactor: Redactor
  log: (message: string) => void
}

/** One run's turn in a key's thread: which thread it runs in, and what the record keeps of it. */
export class ThreadRun {
  #record: ThreadRecord
  #finished = false

  private constructor(
    private readonly options: ThreadRunOptions,
    record: ThreadRecord,
    /** The thread resumed, its session in codex home; undefined: a new thread. */
    readonly resumeId: string | undefined
  ) {
    this.#record = record
  }

  static async begin(options: ThreadRunOptions): Promise<ThreadRun> {
    const { key, memory } = options
    if (!memory) return new ThreadRun(options, emptyRecord(key), undefined)
    if (!options.resume) {
      options.log(`Thread ${key}: resume is false, starting a new thread`)
      return new ThreadRun(options, emptyRecord(key), undefined)
    }
    const { record, resumeId } = await memory.load(options.commentRecord)
    return new ThreadRun(options, record, resumeId)
  }

  get resumed(): boolean {
    return this.resumeId !== undefined
  }

  start(codex: Codex, threadOptions: ThreadOptions): Thread {
    return this.resumeId ? codex.resumeThread(this.resumeId, threadOptions) : codex.startThread(threadOptions)
  }

  /** The turn's input: a new thread that continues a lost one gets the earlier turns first. */
  input(prompt: string): string {
    return !this.resumed && this.#record.turns.length ? seedPrompt(this.#record, prompt) : prompt
  }

  /** The comment's history of turns (this one first) and the hidden record. */
  commentParts(report: TurnReport): Pick<CommentParts, 'record' | 'encodedRecord'> {
    return {
      record: this.#finished ? this.#record : withTurn(this.#record, this.#turn(report)),
      encodedRecord: encodeRecord(this.#record)
    }
  }

  /**
   * Adds this run's turn to the record, with the turns of runs of the same thread that ended
   * meanwhile: `comment` is the comment's record re-read just now. The store is read again too,
   * since this run's own progress edits may have overwritten the comment since such a run wrote it.
   */
  async finish(report: TurnReport, comment?: ThreadRecord): Promise<void> {
    const record = withTurn(this.#record, this.#turn(report))
    const { key, memory, resume } = this.options
    this.#record = resume && memory ? mergeRecords(key, record, comment, await memory.latestRecord()) : record
    this.#finished = true
  }

  /** Keeps the record and the thread's session for the next run; failures are warnings. */
  async save(): Promise<void> {
    await this.options.memory?.save(this.#record)
  }

  #turn(report: TurnReport): TurnEntry {
    const { redactor } = this.options
    return {
      // when the turn ended: the newest turn is the one whose session was saved last
      at: new Date(report.finishedAt ?? Date.now()).toISOString(),
      prompt: redactor.redact(this.options.prompt),
      response: redactor.redact(report.finalResponse),
      conclusion: report.status,
      runUrl: report.runUrl,
      threadId: report.threadId
    }
  }
}
