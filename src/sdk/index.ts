export { Codex } from './codex.js'
export {
  Thread,
  CodexOutputSchemaError,
  type Turn,
  type StreamedTurn,
  type RunResult,
  type RunStreamedResult
} from './thread.js'
export * from './errors.js'
export { isUsage } from './events.js'
export type * from './events.js'
export type * from './options.js'
export { mergeConfig } from './config.js'
export { strictSchemaFromZod, strictSchemaProblems } from './outputSchema.js'
export { findCodexInstallation, resolveNativePackage, prependPathDirs, type CodexInstallation } from './binary.js'
