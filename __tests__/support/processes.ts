import { readdirSync, readFileSync } from 'node:fs'

/** Pids of live processes whose environment holds `NAME=value` (Linux /proc; we run as their owner). */
export function processesWithEnv(entry: string): number[] {
  const found: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue
      if (readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(entry)) found.push(Number(name))
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return found
}

/** Peak resident memory (VmHWM) of a live process, in MiB. */
export function peakMemoryMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) / 1024 : 0
}
