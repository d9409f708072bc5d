// Everything the bench reaches inside the project, in one place: when src/ moves, only these lines change.
import path from 'node:path'
import { codexLauncher, distEntry, projectRoot } from '../../__tests__/support/runAction.js'

export { inert, LogStreamer, type LogSink } from '../../src/action/publish/log.js'
export { Redactor } from '../../src/action/redact.js'
export { TurnReport } from '../../src/action/turn/report.js'
export { renderComment } from '../../src/action/publish/comment.js'
export { StickyComment } from '../../src/action/github/stickyComment.js'
export type { CommentApi } from '../../src/action/github/stickyComment.js'
export { codexVersion, launcherIn, resolveCodex, TOOL_NAME } from '../../src/action/codex/install.js'
export { DEFAULT_CODEX_VERSION } from '../../src/action/constants.js'
export {
  buildExecArgs,
  Codex,
  findCodexExecutable,
  parseEventLine,
  type Thread,
  type ThreadEvent,
  type Usage
} from '../../src/sdk/index.js'
export { startProcess } from '../../src/sdk/process.js'

export { codexLauncher, distEntry, projectRoot }

/** The codex package's platform folder: the native binary, the tools put on PATH, the resources. */
export const codexPlatformPackage = path.join(projectRoot, 'node_modules', '@openai', 'codex-linux-x64')
