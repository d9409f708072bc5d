export { Codex, ORIGINATOR } from './codex.js'
export {
  Thread,
  CodexOutputSchemaError,
  type Turn,
  type StreamedTurn,
  type RunResult,
  type RunStreamedResult
} from './thread.js'
export * from './errors.js'
export * from './events.js'
export type * from './options.js'
export { flattenConfig, mergeConfig } from './config.js'
export { buildExecArgs } from './args.js'
export { strictSchemaFromZod, strictSchemaProblems } from './outputSchema.js'
export {
  findCodexExecutable,
  findCodexInstallation,
  resolveNativePackage,
  prependPathDirs,
  type CodexInstallation
} from './binary.js'
