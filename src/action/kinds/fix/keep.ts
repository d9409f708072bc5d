import { DefaultArtifactClient } from '@actions/artifact'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'

/**
 * The fix's whole patch as an artifact of the workflow run, for a patch longer than the reply and
 * the job summary show: named after the comment that asked (and the run's attempt, since a re-run
 * keeps the first attempt's artifacts). Returns the artifact's name.
 */
export async function keepPatchAsArtifact(patch: string, commentId: number, tempDir: string): Promise<string> {
  const name = `codex-fix-${commentId}-attempt-${process.env.GITHUB_RUN_ATTEMPT || '1'}`
  const dir = await mkdtemp(path.join(tempDir, 'fix-patch-'))
  try {
    const file = path.join(dir, 'fix.patch')
    await writeFile(file, patch)
    await new DefaultArtifactClient().uploadArtifact(name, [file], dir)
    return name
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
