import { describe, it, expect } from 'vitest'
import { streamIdAfter } from './alert-hub.ts'

describe('streamIdAfter', () => {
  const cases: { name: string; a: string; b: string; expected: boolean }[] = [
    { name: 'is true for a larger ms part', a: '1700000000001-0', b: '1700000000000-5', expected: true },
    { name: 'is true for the same ms and a larger seq', a: '1700000000000-2', b: '1700000000000-1', expected: true },
    { name: 'is false for equal ids', a: '1700000000000-1', b: '1700000000000-1', expected: false },
    { name: 'is false for a smaller ms part', a: '1699999999999-9', b: '1700000000000-0', expected: false },
    { name: 'is false for the same ms and a smaller seq', a: '1700000000000-0', b: '1700000000000-1', expected: false },
    { name: 'compares ms numerically, not lexically (10-0 after 9-0)', a: '10-0', b: '9-0', expected: true },
    { name: 'compares ms numerically, not lexically (9-0 not after 10-0)', a: '9-0', b: '10-0', expected: false },
    { name: 'compares seq numerically, not lexically (5-10 after 5-9)', a: '5-10', b: '5-9', expected: true },
    { name: 'puts any real id after the 0-0 start', a: '1-0', b: '0-0', expected: true },
    { name: 'treats a missing seq as 0 (5 equals 5-0)', a: '5', b: '5-0', expected: false },
    { name: 'treats a missing seq as 0 (5-1 after 5)', a: '5-1', b: '5', expected: true },
  ]
  it.each(cases)('$name', ({ a, b, expected }) => {
    expect(streamIdAfter(a, b)).toBe(expected)
  })
})
