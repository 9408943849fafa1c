import { describe, expect, it } from 'vitest'
import { deepMerge } from './deep-merge.ts'

describe('deepMerge', () => {
  const cases: { name: string; base: unknown; override: unknown; expected: unknown }[] = [
    { name: 'replaces a number', base: { a: 1, b: 2 }, override: { a: 5 }, expected: { a: 5, b: 2 } },
    { name: 'merges nested objects key by key', base: { window: { start: '22:00', end: '06:00' } }, override: { window: { end: '07:00' } }, expected: { window: { start: '22:00', end: '07:00' } } },
    { name: 'replaces lists whole', base: { eventTypes: ['a', 'b'] }, override: { eventTypes: ['c'] }, expected: { eventTypes: ['c'] } },
    { name: 'adds new keys', base: { a: 1 }, override: { b: 2 }, expected: { a: 1, b: 2 } },
    { name: 'lets null replace', base: { a: { b: 1 } }, override: { a: null }, expected: { a: null } },
    { name: 'keeps the base for undefined', base: { a: 1 }, override: undefined, expected: { a: 1 } },
    { name: 'replaces a non-object base', base: 3, override: { a: 1 }, expected: { a: 1 } },
  ]
  it.each(cases)('$name', ({ base, override, expected }) => expect(deepMerge(base, override)).toEqual(expected))

  it('does not change its inputs', () => {
    const base = { window: { start: '22:00', end: '06:00' } }
    deepMerge(base, { window: { end: '07:00' } })
    expect(base).toEqual({ window: { start: '22:00', end: '06:00' } })
  })
})
