import { flattenConfig, mergeConfig, toToml } from './config.js'
import type { CodexConfigObject, CyberAccessProgram, ThreadOptions } from './options.js'

/** The model provider the SDK defines when `baseUrl` is given. */
const CUSTOM_PROVIDER_ID = 'codex_thread_action'

export interface ExecArgsRequest {
  config?: CodexConfigObject
  /** Raw `key=value` overrides, passed after `config` and before the thread options. */
  configOverrides?: string[]
  baseUrl?: string
  /** Whether the provider for `baseUrl` should send CODEX_API_KEY (false: a keyless endpoint). */
  providerUsesKey: boolean
  thread: ThreadOptions
  outputSchemaPath?: string
  cyberAccessProgram?: CyberAccessProgram
  threadId?: string | null
  images: string[]
}

/** The argument list of `codex exec --experimental-json`; the prompt goes to stdin. */
export function buildExecArgs(request: ExecArgsRequest): string[] {
  const { thread } = request
  let config: CodexConfigObject = {}
  if (request.baseUrl) {
    // Not `openai_base_url` as in @openai/codex-sdk: that keeps the built-in provider, which
    // tries websockets first and, against an endpoint that streams over HTTP only (proxies,
    // Azure, self-hosted), loses ~6 s a turn to failed handshakes reported as `error` events.
    // A custom provider speaks plain HTTPS SSE at once, and can be keyless.
    config.model_providers = {
      [CUSTOM_PROVIDER_ID]: {
        name: 'codex-thread-action',
        base_url: request.baseUrl,
        wire_api: 'responses',
        supports_websockets: false,
        ...(request.providerUsesKey ? { env_key: 'CODEX_API_KEY' } : {})
      }
    }
    config.model_provider = CUSTOM_PROVIDER_ID
  }
  // Merged table by table: the caller's settings refine the SDK's provider (retries, headers)
  // without erasing it.
  if (request.config) config = mergeConfig(config, request.config)
  const fromThread: CodexConfigObject = {}
  if (thread.modelReasoningEffort) fromThread.model_reasoning_effort = thread.modelReasoningEffort
  if (thread.networkAccessEnabled !== undefined) {
    fromThread.sandbox_workspace_write = { network_access: thread.networkAccessEnabled }
  }
  const webSearch =
    thread.webSearchMode ??
    (thread.webSearchEnabled === undefined ? undefined : thread.webSearchEnabled ? 'live' : 'disabled')
  if (webSearch) fromThread.web_search = webSearch
  if (thread.approvalPolicy) fromThread.approval_policy = thread.approvalPolicy

  // codex applies overrides in order, the last one winning: thread options come after the
  // caller's config and raw overrides, and only ever set leaf keys, so they refine those tables.
  const overrides = [
    ...flattenConfigKeepingProviderInline(config),
    ...(request.configOverrides ?? []),
    ...flattenConfig(fromThread)
  ]
  const args = ['exec', '--experimental-json']
  for (const override of overrides) args.push('--config', override)
  if (thread.model) args.push('--model', thread.model)
  // codex takes a source only for the thread it creates
  if (thread.threadSource !== undefined && !request.threadId) args.push('--thread-source', thread.threadSource)
  if (thread.sandboxMode) args.push('--sandbox', thread.sandboxMode)
  if (thread.workingDirectory) args.push('--cd', thread.workingDirectory)
  for (const dir of thread.additionalDirectories ?? []) args.push('--add-dir', dir)
  if (thread.skipGitRepoCheck) args.push('--skip-git-repo-check')
  if (request.outputSchemaPath) args.push('--output-schema', request.outputSchemaPath)
  if (request.cyberAccessProgram) args.push('--cyber-access-program', request.cyberAccessProgram)
  if (request.threadId) args.push('resume', request.threadId)
  for (const image of request.images) args.push('--image', image)
  return args
}

// A provider must arrive whole (codex validates each provider table as one value), so its
// table is written inline rather than flattened key by key.
function flattenConfigKeepingProviderInline(config: CodexConfigObject): string[] {
  const { model_providers: providers, ...rest } = config
  const providerOverrides =
    providers && typeof providers === 'object' && !Array.isArray(providers)
      ? Object.entries(providers).flatMap(([name, table]) => {
          const path = `model_providers.${name}`
          return table === undefined ? [] : [`${path}=${toToml(table, path)}`]
        })
      : flattenConfig({ model_providers: providers })
  return [...providerOverrides, ...flattenConfig(rest)]
}
