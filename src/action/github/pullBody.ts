import type { Octokit } from './octokit.js'

/** A pull request's description, read and written whole (describe: placeholder). */
export interface PullBodyApi {
  /** The description as it is now; '' when it has none. */
  pullRequestBody(number: number): Promise<string>
  updatePullRequestBody(number: number, body: string): Promise<void>
}

export function createPullBodyApi(octokit: Octokit, owner: string, repo: string): PullBodyApi {
  return {
    async pullRequestBody(number) {
      const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: number })
      return data.body ?? ''
    },
    async updatePullRequestBody(number, body) {
      await octokit.rest.pulls.update({ owner, repo, pull_number: number, body })
    }
  }
}
