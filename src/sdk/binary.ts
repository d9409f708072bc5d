import { accessSync, constants, existsSync, statSync } from 'node:fs'
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

/** An executable and the folders its package wants on PATH (helpers such as `rg`). */
export interface CodexInstallation {
  executablePath: string
  pathDirs: string[]
}

/**
 * The native codex binary of the installed `@openai/codex` package, else `codex` on PATH.
 * `resolveFrom` is where module resolution starts (a file or folder).
 */
export function findCodexExecutable(
  resolveFrom: string = import.meta.url,
  env: Record<string, string | undefined> = process.env
): string {
  return findCodexInstallation(resolveFrom, env).executablePath
}

/** As findCodexExecutable, with the PATH folders the package ships for the agent's commands. */
export function findCodexInstallation(
  resolveFrom: string = import.meta.url,
  env: Record<string, string | undefined> = process.env
): CodexInstallation {
  const searched: string[] = []
  const exe = process.platform === 'win32' ? 'codex.exe' : 'codex'
  const target = platformPackages[`${process.platform}-${process.arch}`]
  if (target) {
    for (const vendorRoot of vendorRoots(resolveFrom, target.pkg)) {
      const found = resolveNativePackage(vendorRoot, target.triple, exe)
      if (found && isExecutable(found.executablePath)) return found
      searched.push(path.join(vendorRoot, target.triple, 'bin', exe))
    }
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, exe)
    searched.push(candidate)
    if (isExecutable(candidate)) return { executablePath: candidate, pathDirs: [] }
  }
  throw new CodexExecutableNotFoundError(
    `Could not find the codex executable: install ${codexPackage} (with its optional platform package), put codex on PATH, or pass codexPathOverride`,
    searched
  )
}

/**
 * The binary in one platform package's vendor folder: 0.1xx packages keep it in bin/ (with a
 * codex-package.json marker) and their PATH helpers in codex-path/; earlier ones in codex/ and path/.
 */
export function resolveNativePackage(vendorRoot: string, triple: string, exe: string): CodexInstallation | null {
  const packageRoot = path.join(vendorRoot, triple)
  const current = path.join(packageRoot, 'bin', exe)
  if (isFile(current) && isFile(path.join(packageRoot, 'codex-package.json'))) {
    return { executablePath: current, pathDirs: existingDirs(path.join(packageRoot, 'codex-path')) }
  }
  const legacy = path.join(packageRoot, 'codex', exe)
  if (isFile(legacy)) return { executablePath: legacy, pathDirs: existingDirs(path.join(packageRoot, 'path')) }
  return null
}

/** `dirs` first on a PATH value, each once. */
export function prependPathDirs(pathValue: string | undefined, dirs: string[]): string {
  const rest = (pathValue ?? '').split(path.delimiter).filter((entry) => entry && !dirs.includes(entry))
  return [...dirs, ...rest].join(path.delimiter)
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

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function isFile(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false
}

function existingDirs(...dirs: string[]): string[] {
  return dirs.filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false)
}
