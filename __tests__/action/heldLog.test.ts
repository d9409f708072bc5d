import { describe, expect, it } from 'vitest'
import { HeldLog } from '../../src/action/run/heldLog.js'

function target(): {
  lines: string[]
  log: { info: (m: string) => void; warning: (m: string) => void; debug: (m: string) => void }
} {
  const lines: string[] = []
  return {
    lines,
    log: {
      info: (message) => lines.push(`info ${message}`),
      warning: (message) => lines.push(`warning ${message}`),
      debug: (message) => lines.push(`debug ${message}`)
    }
  }
}

describe('HeldLog', () => {
  it('holds lines until released, writes them in order, then passes lines through', () => {
    const { lines, log } = target()
    const held = new HeldLog(log)
    const { warning } = held // handed on alone, as the session hands `log.warning` to the sticky comment
    held.info('codex found')
    warning('no store')
    held.debug('detail')
    expect(lines).toEqual([])
    held.release()
    expect(lines).toEqual(['info codex found', 'warning no store', 'debug detail'])
    held.info('later')
    expect(lines.at(-1)).toBe('info later')
  })

  it('forgets what it held once dropped, and everything after', () => {
    const { lines, log } = target()
    const held = new HeldLog(log)
    held.warning('isolation: codex runs as this step’s user')
    held.drop()
    held.info('the session closed')
    held.release()
    expect(lines).toEqual([])
  })
})
