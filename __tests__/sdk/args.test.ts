import { describe, expect, it } from 'vitest'
import { buildExecArgs } from '../../src/sdk/args.js'
import { flattenConfig } from '../../src/sdk/config.js'
import type { CodexConfigObject, ModelReasoningEffort } from '../../src/sdk/index.js'
import type { ExecArgsRequest } from '../../src/sdk/args.js'
import { toToml } from '../../src/sdk/config.js'

function args(request: Partial<ExecArgsRequest> = {}): string[] {
  return buildExecArgs({ providerUsesKey: false, thread: {}, images: [], ...request })
}

/** The values of every `--config` flag, in order. */
function overrides(argv: string[]): string[] {
  return argv.flatMap((arg, index) => (argv[index - 1] === '--config' ? [arg] : []))
}

describe('buildExecArgs', () => {
  it('starts with exec --experimental-json and adds nothing unasked', () => {
    expect(args()).toEqual(['exec', '--experimental-json'])
  })

  it('takes the older webSearchEnabled flag, with webSearchMode winning', () => {
    expect(overrides(args({ thread: { webSearchEnabled: true } }))).toEqual(['web_search="live"'])
    expect(overrides(args({ thread: { webSearchEnabled: false } }))).toEqual(['web_search="disabled"'])
    expect(overrides(args({ thread: { webSearchEnabled: true, webSearchMode: 'cached' } }))).toEqual([
      'web_search="cached"'
    ])
  })

  it('maps every thread option to its flag', () => {
    expect(
      args({
        thread: {
          model: 'gpt-5.1-codex',
          sandboxMode: 'workspace-write',
          workingDirectory: '/repo',
          additionalDirectories: ['/cache', '/data dir'],
          skipGitRepoCheck: true
        },
        outputSchemaPath: '/tmp/schema.json',
        cyberAccessProgram: 'daybreak_blue'
      })
    ).toEqual([
      'exec',
      '--experimental-json',
      '--model',
      'gpt-5.1-codex',
      '--sandbox',
      'workspace-write',
      '--cd',
      '/repo',
      '--add-dir',
      '/cache',
      '--add-dir',
      '/data dir',
      '--skip-git-repo-check',
      '--output-schema',
      '/tmp/schema.json',
      '--cyber-access-program',
      'daybreak_blue'
    ])
  })

  it("passes each of the official SDK's reasoning efforts through to model_reasoning_effort", () => {
    const efforts: ModelReasoningEffort[] = ['minimal', 'low', 'medium', 'high', 'xhigh', 'max', 'ultra', 'persistent']
    for (const effort of efforts) {
      expect(overrides(args({ thread: { modelReasoningEffort: effort } }))).toEqual([
        `model_reasoning_effort="${effort}"`
      ])
    }
  })

  it('leaves out false and empty options', () => {
    expect(args({ thread: { skipGitRepoCheck: false, additionalDirectories: [] }, threadId: null })).toEqual([
      'exec',
      '--experimental-json'
    ])
  })

  it('passes effort, network access, web search and approval policy as config', () => {
    const argv = args({
      thread: {
        modelReasoningEffort: 'high',
        networkAccessEnabled: false,
        webSearchMode: 'live',
        approvalPolicy: 'never'
      }
    })
    expect(overrides(argv)).toEqual([
      'model_reasoning_effort="high"',
      'sandbox_workspace_write.network_access=false',
      'web_search="live"',
      'approval_policy="never"'
    ])
    expect(overrides(args({ thread: { networkAccessEnabled: true } }))).toEqual([
      'sandbox_workspace_write.network_access=true'
    ])
  })

  it('puts resume <id> before the images', () => {
    const argv = args({ thread: { model: 'm' }, threadId: 'thread-1', images: ['a.png', 'b c.jpg'] })
    expect(argv.slice(-6)).toEqual(['resume', 'thread-1', '--image', 'a.png', '--image', 'b c.jpg'])
    expect(argv.indexOf('--model')).toBeLessThan(argv.indexOf('resume'))
    expect(args({ images: ['a.png'] }).slice(-2)).toEqual(['--image', 'a.png'])
  })

  it('defines an inline provider for baseUrl, with the key only when there is one', () => {
    const withKey = args({ baseUrl: 'https://proxy.example/v1', providerUsesKey: true })
    expect(withKey).toEqual([
      'exec',
      '--experimental-json',
      '--config',
      'model_providers.codex_thread_action={name = "codex-thread-action", base_url = "https://proxy.example/v1", wire_api = "responses", supports_websockets = false, env_key = "CODEX_API_KEY"}',
      '--config',
      'model_provider="codex_thread_action"'
    ])
    const keyless = overrides(args({ baseUrl: 'http://localhost:8080/v1', providerUsesKey: false }))
    expect(keyless[0]).toBe(
      'model_providers.codex_thread_action={name = "codex-thread-action", base_url = "http://localhost:8080/v1", wire_api = "responses", supports_websockets = false}'
    )
    expect(keyless[0]).not.toContain('env_key')
  })

  it('lets config refine the SDK provider and add others without erasing it', () => {
    const argv = overrides(
      args({
        baseUrl: 'http://localhost:8080/v1',
        config: {
          model_providers: {
            codex_thread_action: { request_max_retries: 0 },
            other: { name: 'other', base_url: 'http://other/v1' }
          },
          model: 'gpt-test'
        }
      })
    )
    expect(argv).toEqual([
      'model_providers.codex_thread_action={name = "codex-thread-action", base_url = "http://localhost:8080/v1", wire_api = "responses", supports_websockets = false, request_max_retries = 0}',
      'model_providers.other={name = "other", base_url = "http://other/v1"}',
      'model_provider="codex_thread_action"',
      'model="gpt-test"'
    ])
  })

  it('lets config choose another provider than the one for baseUrl', () => {
    const argv = overrides(args({ baseUrl: 'http://localhost:8080/v1', config: { model_provider: 'oss' } }))
    expect(argv).toContain('model_provider="oss"')
    expect(argv.filter((override) => override.startsWith('model_provider='))).toHaveLength(1)
  })

  it('passes config, then raw configOverrides in order, then thread options, so the thread options win', () => {
    const argv = overrides(
      args({
        config: {
          sandbox_workspace_write: { writable_roots: ['/cache'], network_access: true },
          model_reasoning_effort: 'low'
        },
        configOverrides: ['features.shell_snapshot=false', 'model_reasoning_effort="medium"'],
        thread: { networkAccessEnabled: false, modelReasoningEffort: 'xhigh' }
      })
    )
    expect(argv).toEqual([
      'sandbox_workspace_write.writable_roots=["/cache"]',
      'sandbox_workspace_write.network_access=true',
      'model_reasoning_effort="low"',
      'features.shell_snapshot=false',
      'model_reasoning_effort="medium"',
      'model_reasoning_effort="xhigh"',
      'sandbox_workspace_write.network_access=false'
    ])
  })

  it('passes threadSource for a new thread only', () => {
    expect(args({ thread: { threadSource: 'ci', model: 'm' } })).toEqual([
      'exec',
      '--experimental-json',
      '--model',
      'm',
      '--thread-source',
      'ci'
    ])
    expect(args({ thread: { threadSource: 'ci' }, threadId: 'thread-1' })).not.toContain('--thread-source')
  })

  it('does not change the config object it is given', () => {
    const config: CodexConfigObject = { sandbox_workspace_write: { writable_roots: ['/a'] } }
    const before = structuredClone(config)
    args({ config, thread: { networkAccessEnabled: true }, baseUrl: 'http://x/v1' })
    expect(config).toEqual(before)
  })
})

describe('flattenConfig', () => {
  it('writes nested tables as dotted keys and values as TOML', () => {
    expect(
      flattenConfig({
        model: 'gpt-5',
        model_verbosity: undefined,
        shell_environment_policy: { inherit: 'core', ignore_default_excludes: false, exclude: ['AWS_*', 'GH_*'] },
        tools: { web_search: true },
        limits: { retries: 3, ratio: 0.5, offset: -2 }
      })
    ).toEqual([
      'model="gpt-5"',
      'shell_environment_policy.inherit="core"',
      'shell_environment_policy.ignore_default_excludes=false',
      'shell_environment_policy.exclude=["AWS_*", "GH_*"]',
      'tools.web_search=true',
      'limits.retries=3',
      'limits.ratio=0.5',
      'limits.offset=-2'
    ])
  })

  it('escapes quotes, backslashes, newlines and control characters in strings', () => {
    expect(flattenConfig({ instructions: 'say "hi"\\now\nthen\ttab\u0001 and \u007f' })).toEqual([
      'instructions="say \\"hi\\"\\\\now\\nthen\\ttab\\u0001 and \\u007f"'
    ])
  })

  it('writes a table whose keys are not bare keys inline, quoting those keys', () => {
    // codex splits the key path on dots and keeps quotes literally, so `mcp_servers."my server"`
    // would name a server `"my server"`
    expect(flattenConfig({ mcp_servers: { 'my server': { command: 'npx', args: ['-y', 'srv'] }, plain: {} } })).toEqual(
      ['mcp_servers={"my server" = {command = "npx", args = ["-y", "srv"]}, plain = {}}']
    )
    expect(flattenConfig({ env: { 'a.b': '1', 'quo"te': '2' } })).toEqual(['env={"a.b" = "1", "quo\\"te" = "2"}'])
  })

  it('writes arrays of tables and nested inline tables', () => {
    expect(flattenConfig({ list: [{ a: 1, b: { c: [true, 'x'] } }, [1, 2], []] })).toEqual([
      'list=[{a = 1, b = {c = [true, "x"]}}, [1, 2], []]'
    ])
  })

  it('writes an empty table as {}', () => {
    expect(flattenConfig({ features: {} })).toEqual(['features={}'])
    expect(flattenConfig({})).toEqual([])
  })

  it('refuses values TOML cannot hold, naming the key', () => {
    expect(() => flattenConfig({ limits: { timeout: Number.POSITIVE_INFINITY } })).toThrow(
      /limits\.timeout must be a finite number/
    )
    expect(() => flattenConfig({ ratio: Number.NaN })).toThrow(TypeError)
    expect(() => flattenConfig({ list: [1, -Infinity] })).toThrow(/list\[1\] must be a finite number/)
    expect(() => flattenConfig({ nothing: null as unknown as string })).toThrow(/nothing has unsupported type null/)
  })

  it('refuses empty keys and top-level keys that codex cannot take', () => {
    expect(() => flattenConfig({ '': 'x' })).toThrow(/non-empty/)
    expect(() => flattenConfig({ 'a.b': 'x' })).toThrow(/"a\.b" must be a bare key/)
  })
})

describe('toToml', () => {
  it('writes scalars', () => {
    expect(toToml('plain', 'k')).toBe('"plain"')
    expect(toToml('', 'k')).toBe('""')
    expect(toToml(42, 'k')).toBe('42')
    expect(toToml(1.25, 'k')).toBe('1.25')
    expect(toToml(false, 'k')).toBe('false')
    expect(toToml('ünïcode ✓', 'k')).toBe('"ünïcode ✓"')
  })
})
