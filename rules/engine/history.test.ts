import { describe, expect, it } from 'vitest'
import { countEpisodes, summarizeHistory } from './history.ts'

const MIN = 60_000

describe('countEpisodes', () => {
  it.each([
    { name: 'no events', times: [], mergeMs: 5 * MIN, episodes: 0 },
    { name: 'one event', times: [0], mergeMs: 5 * MIN, episodes: 1 },
    { name: 'three triggers 2 min apart are one visit', times: [0, 2 * MIN, 4 * MIN], mergeMs: 5 * MIN, episodes: 1 },
    { name: 'chained: each less than 5 min after the previous, 8 min in all', times: [0, 4 * MIN, 8 * MIN], mergeMs: 5 * MIN, episodes: 1 },
    { name: 'exactly 5 min apart are two', times: [0, 5 * MIN], mergeMs: 5 * MIN, episodes: 2 },
    { name: 'equal times are one event, even with no merging', times: [0, 0, 0], mergeMs: 0, episodes: 1 },
    { name: 'no merging counts every distinct event', times: [0, 1, 2], mergeMs: 0, episodes: 3 },
    { name: 'two visits 40 min apart', times: [0, 2 * MIN, 40 * MIN, 42 * MIN], mergeMs: 5 * MIN, episodes: 2 },
  ])('$name: $episodes', ({ times, mergeMs, episodes }) => {
    expect(countEpisodes(times, mergeMs)).toBe(episodes)
  })
})

describe('summarizeHistory', () => {
  const request = {
    token: 1000,
    eventTypes: ['motion.detected'],
    mergeMs: 5 * MIN,
    periods: [
      { start: 0, end: 100 * MIN },
      { start: 200 * MIN, end: 300 * MIN },
      { start: 400 * MIN, end: 500 * MIN },
    ],
  }

  it('counts the episodes inside each period, its end excluded, and ignores events between periods', () => {
    const events = [0, 2 * MIN, 50 * MIN, 100 * MIN, 150 * MIN, 200 * MIN, 299 * MIN]
    expect(summarizeHistory(request, events, [true, true, true]).periods).toEqual([
      { episodes: 2, active: true },
      { episodes: 2, active: true },
      { episodes: 0, active: true },
    ])
  })

  it('a period is active when the device sent anything in it, or any matching event', () => {
    expect(summarizeHistory(request, [210 * MIN], [false, false, true]).periods).toEqual([
      { episodes: 0, active: false },
      { episodes: 1, active: true },
      { episodes: 0, active: true },
    ])
  })

  it('merging does not carry over from one period to the next', () => {
    expect(summarizeHistory({ ...request, mergeMs: 200 * MIN }, [99 * MIN, 200 * MIN], [true, true, true]).periods.map((p) => p.episodes)).toEqual([1, 1, 0])
  })
})
