import { describe, expect, it } from 'vitest'
import { createKeyedBuckets, createTokenBucket } from './rate-limit.ts'

describe('token bucket', () => {
  it('lets a burst through at once, then spaces the rest at the rate', () => {
    const bucket = createTokenBucket({ perSecond: 10, burst: 3 }, 0)
    expect([0, 0, 0].map(() => bucket.reserve(0))).toEqual([0, 0, 0])
    expect(bucket.reserve(0)).toBe(100)
    expect(bucket.reserve(0)).toBe(200)
  })

  it('refills with time, never above the burst', () => {
    const bucket = createTokenBucket({ perSecond: 10, burst: 2 }, 0)
    bucket.reserve(0)
    bucket.reserve(0)
    expect(bucket.reserve(100)).toBe(0)
    expect(bucket.isIdle(10_000)).toBe(true)
    expect([bucket.reserve(10_000), bucket.reserve(10_000), bucket.reserve(10_000)]).toEqual([0, 0, 100])
  })

  const refusals: { name: string; takes: number[]; expected: boolean[] }[] = [
    { name: 'refuses past the burst at one instant', takes: [0, 0, 0], expected: [true, true, false] },
    { name: 'allows again after a token refills', takes: [0, 0, 0, 600], expected: [true, true, false, true] },
  ]
  it.each(refusals)('tryTake $name', ({ takes, expected }) => {
    const bucket = createTokenBucket({ perSecond: 2, burst: 2 }, 0)
    expect(takes.map((t) => bucket.tryTake(t))).toEqual(expected)
  })

  const looks: { name: string; steps: ({ look: number } | { take: number })[]; expected: boolean[] }[] = [
    { name: 'looking takes nothing', steps: [{ look: 0 }, { look: 0 }, { look: 0 }], expected: [true, true, true] },
    { name: 'sees the bucket empty once taken', steps: [{ take: 0 }, { take: 0 }, { look: 0 }], expected: [true, true, false] },
    { name: 'sees it refilled with time', steps: [{ take: 0 }, { take: 0 }, { look: 499 }, { look: 500 }], expected: [true, true, false, true] },
  ]
  it.each(looks)('hasToken $name', ({ steps, expected }) => {
    const bucket = createTokenBucket({ perSecond: 2, burst: 2 }, 0)
    expect(steps.map((s) => ('look' in s ? bucket.hasToken(s.look) : bucket.tryTake(s.take)))).toEqual(expected)
  })
})

describe('keyed buckets', () => {
  it('limits each key on its own and forgets idle keys', () => {
    const buckets = createKeyedBuckets({ perSecond: 1, burst: 1 })
    expect(buckets.tryTake('a', 0)).toBe(true)
    expect(buckets.tryTake('a', 0)).toBe(false)
    expect(buckets.tryTake('b', 0)).toBe(true)
    expect(buckets.size()).toBe(2)
    expect(buckets.hasToken('a', 0)).toBe(false)
    expect(buckets.hasToken('b', 0)).toBe(false)
    buckets.tryTake('c', 120_000)
    expect(buckets.size()).toBe(1)
  })
})
