import { createHash } from 'node:crypto'
import { buildPatch, patchStats } from '../diff.js'
import { API_REPO, HTML_REPO } from './http.js'
import type { FileStatus, PullFile } from './types.js'

/** A file's change as a test describes it: its text before and after, or a patch written by hand. */
export type FileChange =
  | {
      /** null for a file the pull request adds. */
      before: string | null
      /** null for a file the pull request removes. */
      after: string | null
      previous_filename?: string
      /** GitHub lists binary files without a patch and with zero counts. */
      binary?: boolean
    }
  | {
      /** Hunks only, as GitHub lists them; leave it out for a file GitHub shows no patch for (too large). */
      patch?: string
      status?: FileStatus
      previous_filename?: string
      /** Counted from the patch unless given; give them for a file without a patch. */
      additions?: number
      deletions?: number
    }

/** The blob id git gives `text`, so a file's `sha` is what `git hash-object` would say. */
export function blobSha(text: string): string {
  const content = Buffer.from(text, 'utf8')
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${content.length}\0`), content]))
    .digest('hex')
}

/** A pull request file entry, as GET /pulls/{n}/files lists it, with its patch built from `change`. */
export function pullFile(filename: string, change: FileChange): PullFile {
  let sha: string
  let status: FileStatus
  let patch: string | undefined
  let additions: number
  let deletions: number
  if ('before' in change) {
    sha = blobSha(change.after ?? change.before ?? '')
    status =
      change.before === null
        ? 'added'
        : change.after === null
          ? 'removed'
          : change.previous_filename
            ? 'renamed'
            : 'modified'
    patch = change.binary ? undefined : buildPatch(change.before ?? '', change.after ?? '')
    ;({ additions, deletions } = patch === undefined ? { additions: 0, deletions: 0 } : patchStats(patch))
  } else {
    patch = change.patch
    sha = blobSha(patch ?? filename)
    status = change.status ?? (change.previous_filename ? 'renamed' : 'modified')
    const counted = patch === undefined ? { additions: 0, deletions: 0 } : patchStats(patch)
    additions = change.additions ?? counted.additions
    deletions = change.deletions ?? counted.deletions
  }
  const path = filename.split('/').map(encodeURIComponent).join('/')
  return {
    sha,
    filename,
    status,
    additions,
    deletions,
    changes: additions + deletions,
    blob_url: `${HTML_REPO}/blob/${sha}/${path}`,
    raw_url: `${HTML_REPO}/raw/${sha}/${path}`,
    contents_url: `${API_REPO}/contents/${path}?ref=${sha}`,
    // GitHub leaves the key out, rather than null, when it shows no patch
    ...(patch === undefined ? {} : { patch }),
    ...(change.previous_filename === undefined ? {} : { previous_filename: change.previous_filename })
  }
}
