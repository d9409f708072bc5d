// Everything the bench reaches inside the project, in one place: when src/ moves, only these lines change.
import path from 'node:path'
import { codexLauncher, distEntry, projectRoot } from '../../__tests__/support/runAction.js'

export { inert, LogStreamer, type LogSink } from '../../src/action/surfaces/log.js'
export { Redactor } from '../../src/action/core/redact.js'
export { TurnReport } from '../../src/action/core/report.js'
export { renderComment } from '../../src/action/surfaces/comment.js'
export { StickyComment } from '../../src/action/github/stickyComment.js'
export type { CommentApi } from '../../src/action/github/stickyComment.js'
export { createMarkerProof } from '../../src/action/thread/markerProof.js'
export { codexVersion, launcherIn, resolveCodex, TOOL_NAME } from '../../src/action/codex/install.js'
export { startModelProxy } from '../../src/action/codex/modelProxy.js'
export { DEFAULT_CODEX_VERSION } from '../../src/action/core/constants.js'
export { Codex, type Thread, type ThreadEvent, type Usage } from '../../src/sdk/index.js'
export { buildExecArgs } from '../../src/sdk/args.js'
export { findCodexExecutable } from '../../src/sdk/binary.js'
export { parseEventLine } from '../../src/sdk/events.js'
export { startProcess } from '../../src/sdk/process.js'

export { codexLauncher, distEntry, projectRoot }

/** The codex package's platform folder: the native binary, the tools put on PATH, the resources. */
export const codexPlatformPackage = path.join(projectRoot, 'node_modules', '@openai', 'codex-linux-x64')
