import type { CodexConfigObject, CodexConfigValue } from './options.js'

/** Flattens a nested config object into `key.path=value` overrides, each value written as TOML. */
export function flattenConfig(config: CodexConfigObject, prefix = ''): string[] {
  const overrides: string[] = []
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue
    if (!key) throw new TypeError('Codex config keys must be non-empty strings')
    const path = prefix ? `${prefix}.${tomlKey(key)}` : tomlKey(key)
    if (isConfigObject(value) && Object.keys(value).length > 0) {
      overrides.push(...flattenConfig(value, path))
    } else {
      overrides.push(`${path}=${toToml(value, path)}`)
    }
  }
  return overrides
}

export function toToml(value: CodexConfigValue, path: string): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'boolean') return String(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`Codex config value at ${path} must be a finite number`)
    return String(value)
  }
  if (Array.isArray(value)) return `[${value.map((entry, index) => toToml(entry, `${path}[${index}]`)).join(', ')}]`
  if (isConfigObject(value)) {
    const fields = Object.entries(value)
      .filter((entry): entry is [string, CodexConfigValue] => entry[1] !== undefined)
      .map(([key, child]) => `${tomlKey(key)} = ${toToml(child, `${path}.${key}`)}`)
    return `{${fields.join(', ')}}`
  }
  throw new TypeError(`Codex config value at ${path} has unsupported type ${value === null ? 'null' : typeof value}`)
}

function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key)
}

function isConfigObject(value: unknown): value is CodexConfigObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
