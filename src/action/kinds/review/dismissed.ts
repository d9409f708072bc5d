import type { Dismissal, ReviewState } from '../../core/findings.js'
import type { GitHubApi } from '../../github/api.js'
import type { PostedFinding } from './posted.js'

/** Base permissions that count a 👎 as the team's decision. */
const WRITERS = new Set(['admin', 'write'])

/**
 * Findings the team dismissed on GitHub since the last review: still open (the agent had not
 * reported them fixed) and their thread resolved by someone other than the action, or given a 👎 by
 * someone with write access. Who may dismiss is checked here, not trusted from the thread.
 */
export async function detectDismissals(parts: {
  api: Pick<GitHubApi, 'viewer' | 'permission'>
  open: ReviewState['open']
  posted: Map<string, PostedFinding>
  known: readonly Dismissal[]
  at: string
  warn: (message: string) => void
}): Promise<Dismissal[]> {
  const { api, posted, at, warn } = parts
  // GraphQL names a bot without its "[bot]" suffix
  const viewer = (await api.viewer())?.replace(/\[bot\]$/, '').toLowerCase()
  const known = new Set(parts.known.map((entry) => entry.id))
  const writer = memoize(async (login: string) => {
    try {
      return WRITERS.has((await api.permission(login))?.permission ?? 'none')
    } catch (error) {
      warn(`Could not read @${login}'s permission, so their 👎 does not dismiss: ${(error as Error).message}`)
      return false
    }
  })
  const found: Dismissal[] = []
  for (const finding of parts.open.filter((entry) => !known.has(entry.id))) {
    const state = posted.get(finding.id)
    const base = { id: finding.id, title: finding.title, path: finding.path, at }
    const resolver = state?.isResolved ? state.resolvedBy : undefined
    if (resolver && resolver.toLowerCase() !== viewer) {
      found.push({ ...base, by: resolver, how: 'resolved' })
      continue
    }
    for (const login of state?.thumbsDown ?? []) {
      if (login.toLowerCase() === viewer || !(await writer(login))) continue
      found.push({ ...base, by: login, how: 'thumbs-down' })
      break
    }
  }
  return found
}

function memoize<T>(read: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const seen = new Map<string, Promise<T>>()
  return (key) => {
    if (!seen.has(key)) seen.set(key, read(key))
    return seen.get(key)!
  }
}
