import { accessSync, constants, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { CodexExecutableNotFoundError } from './errors.js'

const codexPackage = '@openai/codex'

const platformPackages: Record<string, { triple: string; pkg: string }> = {
  'linux-x64': { triple: 'x86_64-unknown-linux-musl', pkg: '@openai/codex-linux-x64' },
  'linux-arm64': { triple: 'aarch64-unknown-linux-musl', pkg: '@openai/codex-linux-arm64' },
  'darwin-x64': { triple: 'x86_64-apple-darwin', pkg: '@openai/codex-darwin-x64' },
  'darwin-arm64': { triple: 'aarch64-apple-darwin', pkg: '@openai/codex-darwin-arm64' },
  'win32-x64': { triple: 'x86_64-pc-windows-msvc', pkg: '@openai/codex-win32-x64' },
  'win32-arm64': { triple: 'aarch64-pc-windows-msvc', pkg: '@openai/codex-win32-arm64' }
}

/**
 * The native codex binary of the installed `@openai/codex` package, else `codex` on PATH.
 * `resolveFrom` is where module resolution starts (a file or folder).
 */
export function findCodexExecutable(
  resolveFrom: string = import.meta.url,
  env: Record<string, string | undefined> = process.env
): string {
  const searched: string[] = []
  const exe = process.platform === 'win32' ? 'codex.exe' : 'codex'
  const target = platformPackages[`${process.platform}-${process.arch}`]
  if (target) {
    for (const vendorRoot of vendorRoots(resolveFrom, target.pkg)) {
      // 0.1xx packages keep the binary in bin/; earlier ones in codex/
      for (const candidate of [
        path.join(vendorRoot, target.triple, 'bin', exe),
        path.join(vendorRoot, target.triple, 'codex', exe)
      ]) {
        searched.push(candidate)
        if (isExecutable(candidate)) return candidate
      }
    }
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, exe)
    searched.push(candidate)
    if (isExecutable(candidate)) return candidate
  }
  throw new CodexExecutableNotFoundError(
    `Could not find the codex executable: install ${codexPackage} (with its optional platform package), put codex on PATH, or pass codexPathOverride`,
    searched
  )
}

function vendorRoots(resolveFrom: string, platformPackage: string): string[] {
  const roots: string[] = []
  try {
    const codexManifest = createRequire(resolveFrom).resolve(`${codexPackage}/package.json`)
    roots.push(path.join(path.dirname(codexManifest), 'vendor'))
    const platformManifest = createRequire(codexManifest).resolve(`${platformPackage}/package.json`)
    roots.unshift(path.join(path.dirname(platformManifest), 'vendor'))
  } catch {
    // not installed here: fall back to PATH
  }
  return roots.filter((root) => existsSync(root))
}

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}
