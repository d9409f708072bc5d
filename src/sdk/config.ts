import type { CodexConfigObject, CodexConfigValue } from './options.js'
import { isPlainObject } from '../shared/checks.js'

/**
 * Flattens a nested config object into `key.path=value` overrides, each value written as TOML.
 * codex splits the key path on dots and takes each part literally (quotes included), so a table
 * with a key that is not a bare key (`"my server"`) is written whole, as an inline table.
 */
export function flattenConfig(config: CodexConfigObject, prefix = ''): string[] {
  const overrides: string[] = []
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue
    if (!key) throw new TypeError('Codex config keys must be non-empty strings')
    if (!isBareKey(key)) {
      throw new TypeError(`Codex config key ${JSON.stringify(key)} must be a bare key (letters, digits, _ and -)`)
    }
    const path = prefix ? `${prefix}.${key}` : key
    if (isConfigObject(value) && Object.keys(value).length > 0 && Object.keys(value).every(isBareKey)) {
      overrides.push(...flattenConfig(value, path))
    } else {
      overrides.push(`${path}=${toToml(value, path)}`)
    }
  }
  return overrides
}

export function toToml(value: CodexConfigValue, path: string): string {
  if (typeof value === 'string') return tomlString(value)
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

function isBareKey(key: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(key)
}

function tomlKey(key: string): string {
  return isBareKey(key) ? key : tomlString(key)
}

/** A TOML basic string: JSON's escapes are TOML's, except that TOML also requires DEL escaped. */
function tomlString(text: string): string {
  return JSON.stringify(text).replaceAll('\x7f', '\\u007f')
}

/** `override` laid over `base`: tables are merged key by key, anything else is replaced. */
export function mergeConfig(base: CodexConfigObject, override: CodexConfigObject): CodexConfigObject {
  const merged: CodexConfigObject = { ...base }
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue
    const current = merged[key]
    merged[key] = isConfigObject(current) && isConfigObject(value) ? mergeConfig(current, value) : value
  }
  return merged
}

function isConfigObject(value: unknown): value is CodexConfigObject {
  return isPlainObject(value)
}
