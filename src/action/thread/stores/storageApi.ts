import { httpStatusOf, type Octokit } from '../../github/octokit.js'

export interface StoredArtifact {
  id: number
  name: string
  createdAt: string
  expiresAt?: string
  expired: boolean
  /** The run that uploaded it; the REST API leaves it out for some artifacts. */
  workflowRun?: {
    id: number
    /** The repository the run's commit came from: a fork's, for a fork PR's own runs. */
    headRepositoryId?: number
    repositoryId?: number
  }
}

export interface StoredCache {
  id: number
  key: string
  createdAt: string
}

/**
 * The REST calls that find the thread stores' entries of earlier runs again, and delete old ones
 * (listing needs `actions: read`, deleting `actions: write`).
 */
export interface StorageApi {
  /** The repository's artifacts of exactly this name, from every run. */
  listArtifacts(name: string): Promise<StoredArtifact[]>
  deleteArtifact(id: number): Promise<void>
  /** The repository's caches whose key starts with `prefix`, on every ref. */
  listCaches(prefix: string): Promise<StoredCache[]>
  deleteCache(id: number): Promise<void>
}

export function createStorageApi(octokit: Octokit, owner: string, repo: string): StorageApi {
  return {
    async listArtifacts(name) {
      const artifacts = await needs(
        'actions: read',
        octokit.paginate(octokit.rest.actions.listArtifactsForRepo, { owner, repo, name, per_page: 100 })
      )
      return artifacts.map((artifact) => ({
        id: artifact.id,
        name: artifact.name,
        createdAt: artifact.created_at ?? '',
        expiresAt: artifact.expires_at ?? undefined,
        expired: artifact.expired,
        workflowRun: artifact.workflow_run?.id
          ? {
              id: artifact.workflow_run.id,
              headRepositoryId: artifact.workflow_run.head_repository_id,
              repositoryId: artifact.workflow_run.repository_id
            }
          : undefined
      }))
    },
    async deleteArtifact(id) {
      await needs('actions: write', octokit.rest.actions.deleteArtifact({ owner, repo, artifact_id: id }))
    },
    async listCaches(prefix) {
      const caches = await needs(
        'actions: read',
        octokit.paginate(octokit.rest.actions.getActionsCacheList, { owner, repo, key: prefix, per_page: 100 })
      )
      return caches.flatMap((entry) =>
        entry.id !== undefined && entry.key !== undefined
          ? [{ id: entry.id, key: entry.key, createdAt: entry.created_at ?? '' }]
          : []
      )
    },
    async deleteCache(id) {
      await needs('actions: write', octokit.rest.actions.deleteActionsCacheById({ owner, repo, cache_id: id }))
    }
  }
}

/** A refusal names the permission the workflow's `permissions:` block lacks. */
async function needs<T>(permission: string, call: Promise<T>): Promise<T> {
  try {
    return await call
  } catch (error) {
    if (httpStatusOf(error) !== 403) throw error
    throw new Error(`${(error as Error).message} (the token needs ${permission})`, { cause: error })
  }
}
