import { execFileAsync, stderrOf } from '../../../shared/exec.js'

/** What the review's diff commands need from the checkout: the PR's commits, and the last reviewed one. */
export interface RangeRequest {
  prNumber: number
  baseSha: string
  headSha: string
  /** The commit the last review looked at, for an incremental review. */
  lastReviewed?: string
  workingDirectory: string
  /** Passed to `git fetch` in its environment only: never written into .git/config nor on a command line. */
  token: string
  /** The server the token is for (GITHUB_SERVER_URL): the token is sent to no other. */
  serverUrl: string
  /** Registers the header that carries the token as a secret, before git sees it. */
  secret: (value: string) => void
  log: (message: string) => void
}

/** The range an incremental review covers, or why the whole PR is reviewed instead. */
export type Increment =
  | {
      since: string
      /**
       * The tree the PR's own new changes are diffed from: the last reviewed commit with the base, as
       * the head holds it, merged in (`git merge-tree --write-tree`), so that what came from the base
       * is not shown as new. Undefined when that is the last reviewed commit's own tree (a plain push).
       */
      from?: string
      /** How the head got from the last reviewed commit to here: new commits, or a rewritten branch. */
      how: 'pushed' | 'base merged' | 'rewritten'
    }
  | { fullReason: string }

const FIX = "check out the pull request with actions/checkout's `fetch-depth: 0`"

/**
 * Makes the review's range readable before the agent is asked to read it: the checkout must be the
 * PR's head or its merge ref (as actions/checkout makes it), and the base, the head, their merge
 * base and the last reviewed commit must be in the repository; what a shallow clone lacks is
 * fetched. Throws, in one line naming the fix, when the PR's own diff cannot be read. Returns the
 * incremental range when there was a last review.
 */
export async function prepareRange(request: RangeRequest): Promise<Increment | undefined> {
  const git = gitIn(request.workingDirectory)
  const { baseSha, headSha, prNumber } = request
  const checkedOut = await git.text('rev-parse', 'HEAD').catch((error: unknown) => {
    throw new Error(
      `The review needs the pull request checked out in ${request.workingDirectory}, which is not a git checkout (${firstLine(stderrOf(error))}): ${FIX}`
    )
  })
  if (checkedOut !== headSha && !(await isMergeRef(git, checkedOut, headSha)))
    throw new Error(
      `The checkout is at ${checkedOut.slice(0, 12)}, not pull request #${prNumber}'s head ${headSha.slice(0, 12)} nor its merge ref: the review reads the PR's code from the checkout, so check out \`refs/pull/${prNumber}/head\` (or the event's merge ref)`
    )
  const fetcher = new Fetcher(git, request)
  // the merge bases come from the fetcher's own checks (run only once the commits are there), not asked again
  let baseOfHead: string | undefined
  await fetcher.need([baseSha, headSha], async () => (baseOfHead = await git.mergeBase(baseSha, headSha)) !== undefined)
  if (!baseOfHead)
    throw new Error(
      `Cannot read pull request #${prNumber}'s diff: its base ${baseSha.slice(0, 12)} and head ${headSha.slice(0, 12)} have no merge base in the checkout${fetcher.failure ? ` (git fetch: ${fetcher.failure})` : ''}; ${FIX}`
    )
  const last = request.lastReviewed
  if (!last) return undefined
  // the newest base commit the head holds: what came from the base up to the head, and no further
  const headBase = baseOfHead
  let lastBase: string | undefined
  await fetcher.need([last], async () => (lastBase = await git.mergeBase(last, headBase)) !== undefined)
  if (!lastBase)
    return {
      fullReason: `the last reviewed commit ${last.slice(0, 12)} cannot be read any more (force-pushed away${fetcher.failure ? `; git fetch: ${fetcher.failure}` : ''}), so the whole PR is reviewed again`
    }
  return increment(git, last, headBase, headSha)
}

/**
 * What the PR's own commits changed since the last review: the head against the last reviewed
 * commit merged with the base as the head holds it (`headBase`, the merge base of the PR's base and
 * head). After "Update branch" (the base merged into the PR) or a rebase, the base's changes are on
 * both sides, so only the PR's own work is left in the diff; and the head's side is the head itself,
 * so the lines the agent reports are the head's.
 */
async function increment(git: Git, last: string, headBase: string, head: string): Promise<Increment> {
  const pushed = await git.succeeds('merge-base', '--is-ancestor', last, head)
  let merged: string
  try {
    // the first line of --write-tree's output is the merged tree; exit 1 means conflicts
    merged = firstLine(await git.text('merge-tree', '--write-tree', '--no-messages', last, headBase))
  } catch (error) {
    return {
      fullReason: `merging the base into the last reviewed commit ${last.slice(0, 12)} does not work out cleanly (${firstLine(stderrOf(error)) || 'conflicts'}), so the PR's own changes since then cannot be told apart: the whole PR is reviewed again`
    }
  }
  const lastTree = await git.text('rev-parse', `${last}^{tree}`)
  if (merged === lastTree) return { since: last, how: pushed ? 'pushed' : 'rewritten' }
  return { since: last, from: merged, how: pushed ? 'base merged' : 'rewritten' }
}

/**
 * Whether `commit` is a merge of `head` into the base, as GitHub's refs/pull/N/merge is: its raw
 * parents, read from the object itself (a shallow clone hides them from rev-parse).
 */
async function isMergeRef(git: Git, commit: string, head: string): Promise<boolean> {
  const raw = await git.text('cat-file', 'commit', commit).catch(() => '')
  const parents = [...raw.split('\n\n')[0]!.matchAll(/^parent ([0-9a-f]+)$/gm)].map((match) => match[1])
  return parents.length === 2 && parents[1] === head
}

/**
 * Fetches what the checkout lacks, shallow-safe: the missing commits alone, then deeper from the
 * shallow boundary until `enough` holds, then the whole history. The token goes in as an HTTP header,
 * as actions/checkout sends it, through git's environment (a command line is readable by every user
 * of the machine, and would be quoted in git's errors), and is never stored.
 */
class Fetcher {
  /** The first line of the last failed fetch's error. */
  failure?: string

  constructor(
    private readonly git: Git,
    private readonly request: RangeRequest
  ) {}

  /** Whether all of `commits` are present and `enough` holds, after fetching what it takes. */
  async need(commits: string[], enough: () => Promise<boolean>): Promise<boolean> {
    const ready = async () => (await this.missing(commits)).length === 0 && (await enough())
    if (await ready()) return true
    const shallow = (await this.git.text('rev-parse', '--is-shallow-repository')) === 'true'
    const missing = await this.missing(commits)
    if (missing.length && !(await this.fetch(shallow ? ['--depth=1'] : [], missing))) return false
    if (!shallow) return ready()
    for (const deeper of [['--deepen=50'], ['--deepen=1000'], ['--unshallow']]) {
      if (await ready()) return true
      if (!(await this.fetch(deeper, commits))) return false
    }
    return ready()
  }

  private async missing(commits: string[]): Promise<string[]> {
    const present = await Promise.all(commits.map((sha) => this.git.succeeds('cat-file', '-e', `${sha}^{commit}`)))
    return commits.filter((_, index) => !present[index])
  }

  private async fetch(how: string[], commits: string[]): Promise<boolean> {
    const { token, serverUrl, log } = this.request
    let auth: Record<string, string> = {}
    if (token) {
      const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`
      this.request.secret(header)
      // scoped to the server's URL (a remote elsewhere never receives the token), and the empty value
      // first drops a header actions/checkout persisted there, so GitHub gets one Authorization
      const key = `http.${serverUrl.replace(/\/?$/, '/')}.extraheader`
      auth = configEnv([
        [key, ''],
        [key, header]
      ])
    }
    log(`Fetching ${commits.map((sha) => sha.slice(0, 12)).join(', ')} (${how.join(' ') || 'full history'})`)
    try {
      await gitIn(this.request.workingDirectory, auth).text(
        'fetch',
        '--no-tags',
        '--no-recurse-submodules',
        '--no-write-fetch-head',
        ...how,
        'origin',
        ...commits
      )
      return true
    } catch (error) {
      this.failure = firstLine(stderrOf(error)) || (error as Error).message
      log(`git fetch failed: ${this.failure}`)
      return false
    }
  }
}

interface Git {
  text(...args: string[]): Promise<string>
  succeeds(...args: string[]): Promise<boolean>
  mergeBase(a: string, b: string): Promise<string | undefined>
}

/** `entries` as git reads configuration from its environment, after any the workflow set there. */
function configEnv(entries: Array<[string, string]>): Record<string, string> {
  const first = Number(process.env.GIT_CONFIG_COUNT) || 0
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(first + entries.length) }
  entries.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${first + index}`] = key
    env[`GIT_CONFIG_VALUE_${first + index}`] = value
  })
  return env
}

function gitIn(cwd: string, env: Record<string, string> = {}): Git {
  const git: Git = {
    async text(...args) {
      const { stdout } = await execFileAsync('git', args, {
        cwd,
        encoding: 'utf8',
        // never a prompt for credentials on the runner: a fetch without them fails at once
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...env }
      })
      return stdout.trim()
    },
    succeeds: (...args) =>
      git.text(...args).then(
        () => true,
        () => false
      ),
    mergeBase: (a, b) => git.text('merge-base', a, b).catch(() => undefined)
  }
  return git
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((line) => line.trim())
      ?.trim() ?? ''
  )
}
