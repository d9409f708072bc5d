// Ported from openai/codex, sdk/typescript/tests/codexExecSpy.ts (Apache-2.0, © OpenAI; see
// http://www.apache.org/licenses/LICENSE-2.0). Changed: jest → vitest, `.js` import suffixes. vi.mock is hoisted per
// test file, so the files using this spy mock node:child_process themselves (spawn wrapped).
import * as child_process from 'node:child_process'
import { vi } from 'vitest'

const spawnMock = vi.mocked(child_process.spawn)

export function codexExecSpy(): {
  args: string[][]
  envs: (Record<string, string> | undefined)[]
  restore: () => void
} {
  const previousImplementation = spawnMock.getMockImplementation()!
  const args: string[][] = []
  const envs: (Record<string, string> | undefined)[] = []

  spawnMock.mockImplementation(((...spawnArgs: Parameters<typeof child_process.spawn>) => {
    const commandArgs = spawnArgs[1]
    args.push(Array.isArray(commandArgs) ? [...commandArgs] : [])
    const options = spawnArgs[2] as child_process.SpawnOptions | undefined
    envs.push(options?.env as Record<string, string> | undefined)
    return previousImplementation(...spawnArgs)
  }) as typeof child_process.spawn)

  return {
    args,
    envs,
    restore: () => {
      spawnMock.mockClear()
      spawnMock.mockImplementation(previousImplementation)
    }
  }
}
