// The official suite reaches into @openai/codex-sdk's internals (src/exec.ts: CodexExec,
// resolveNativePackage, prependPathDirs). Rebuilt here on our public API, so the tests that use
// them exercise what our users get; nothing in this file is a copy of the official source.
import { Codex, type UserInput } from 'codex-thread-action'

export { resolveNativePackage, prependPathDirs } from 'codex-thread-action'

export type CodexExecArgs = {
  input: string
  baseUrl?: string
  apiKey?: string
  threadId?: string | null
  images?: string[]
  signal?: AbortSignal
}

/** One `codex exec` run, as the JSONL lines codex printed (here: the events our SDK parsed). */
export class CodexExec {
  constructor(
    private readonly executablePath: string | null = null,
    private readonly env?: Record<string, string>
  ) {}

  async *run(args: CodexExecArgs): AsyncGenerator<string> {
    const codex = new Codex({
      codexPathOverride: this.executablePath ?? undefined,
      env: this.env,
      apiKey: args.apiKey,
      baseUrl: args.baseUrl,
      logger: { warn: () => {} }
    })
    const thread = args.threadId ? codex.resumeThread(args.threadId) : codex.startThread()
    const input: UserInput[] = [
      { type: 'text', text: args.input },
      ...(args.images ?? []).map((path): UserInput => ({ type: 'local_image', path }))
    ]
    const { events } = await thread.runStreamed(input, { signal: args.signal })
    for await (const event of events) yield JSON.stringify(event)
  }
}
