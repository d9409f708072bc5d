import { describe, expect, it } from 'vitest'
import { parseCommand } from '../../src/action/kinds/commands.js'
import { skippedByAttributes } from '../../src/action/kinds/review/ignore.js'

describe('parseCommand', () => {
  it.each([
    ['review', { name: 'review' }],
    ['Review.', { name: 'review' }],
    ['FULL   Review please', { name: 'full review' }],
    ['pause', { name: 'pause' }],
    ['resume!', { name: 'resume' }],
    ['help', { name: 'help' }],
    ['dismiss', { name: 'dismiss' }],
    ['Dismiss: we chose this\non purpose', { name: 'dismiss', reason: 'we chose this on purpose' }],
    ['fix', { name: 'fix' }],
    ['Fix: rename x to y\nand keep z', { name: 'fix', words: 'rename x to y\nand keep z' }]
  ])('reads %j as a command', (text, command) => {
    expect(parseCommand(text)).toEqual(command)
  })

  it.each([
    'why is this wrong?',
    'reviews are nice',
    'helpful?',
    'paused-state',
    'please review',
    'fixed yet?',
    'fix-up?',
    ''
  ])('takes %j for a question', (text) => {
    expect(parseCommand(text)).toBeUndefined()
  })
})

describe('skippedByAttributes', () => {
  it('reads the linguist-generated and -vendored patterns as globs from the root, and nothing else', () => {
    const text = [
      '# comment',
      '*.pb.go linguist-generated',
      '/dist/** linguist-generated=true',
      'vendor/** linguist-vendored',
      'docs/** linguist-documentation',
      'keep.js -linguist-generated',
      'off.js linguist-generated=false',
      "bad'name linguist-generated",
      '*.png binary'
    ].join('\n')
    expect(skippedByAttributes(text)).toEqual(['**/*.pb.go', 'dist/**', 'vendor/**'])
  })
})
