import { describe, expect, it } from 'vitest'
import type { HistoryData, HistoryRequest } from '../engine/types.ts'
import { baselineKind, type BaselineState } from './baseline.ts'
import { baselineHistory, historyCounts, periodsBefore } from './baseline-history.ts'
import { at, event, HOUR, type Input, LONDON, MIN, simulate, SUBJECT } from './simulate.testing.ts'

const R15 = baselineKind.params.parse({ match: { eventTypes: ['motion.detected'] }, window: { start: '22:00', end: '07:00' }, direction: 'up' })
const NIGHT = { start: '22:00', end: '07:00' } as const

/** `visits` three-trigger visits from 23:00 on the night of `date`. */
function night(date: string, visits: number): Input[] {
  const out: Input[] = []
  for (let v = 0; v < visits; v++) for (const d of [0, 2, 4]) out.push({ record: event('motion.detected', at(`${date}T23:00`) + v * 40 * MIN + d * MIN) })
  return out
}

/** An answer with the same count in every period the request names. */
const every = (episodes: number, active = true) => (request: HistoryRequest): HistoryData => ({ periods: request.periods.map(() => ({ episodes, active })) })

describe('periodsBefore', () => {
  it('gives the last n nights that ended by the time, oldest first, contiguous', () => {
    const periods = periodsBefore(at('2026-11-20T21:00'), LONDON, NIGHT, 28)
    expect(periods).toHaveLength(28)
    expect(periods.at(-1)).toMatchObject({ key: '2026-11-19', end: at('2026-11-20T07:00') })
    expect(periods[0]).toMatchObject({ key: '2026-10-23' })
    for (let i = 1; i < periods.length; i++) expect(periods[i]!.start).toBeGreaterThan(periods[i - 1]!.end)
  })

  it('leaves out the night under way', () => {
    expect(periodsBefore(at('2026-11-20T03:00'), LONDON, NIGHT, 2).map((p) => p.key)).toEqual(['2026-11-17', '2026-11-18'])
  })

  it('takes both DST nights at their real length (8 h and 10 h of a 9 h window)', () => {
    const spring = periodsBefore(at('2026-03-30T12:00'), LONDON, NIGHT, 2).map((p) => (p.end - p.start) / HOUR)
    const autumn = periodsBefore(at('2026-10-26T12:00'), LONDON, NIGHT, 2).map((p) => (p.end - p.start) / HOUR)
    expect(spring).toEqual([8, 9])
    expect(autumn).toEqual([10, 9])
  })
})

describe('baselineHistory', () => {
  const fresh = baselineKind.init(R15, SUBJECT, at('2026-11-20T21:00')).state

  it('a fresh state asks for twice its history of nights before its start, with its merge gap', () => {
    const request = baselineHistory.wanted(fresh, R15, SUBJECT)!
    expect(request.token).toBe(at('2026-11-20T21:00'))
    expect(request.eventTypes).toEqual(['motion.detected'])
    expect(request.mergeMs).toBe(5 * MIN)
    expect(request.periods).toHaveLength(28)
    expect(request.periods.at(-1)!.end).toBe(at('2026-11-20T07:00'))
    // the state itself counts from the first full night after its start: no night is counted twice
    expect(fresh.occ.start).toBe(at('2026-11-20T22:00'))
  })

  it.each([
    { name: 'folds the last 14 valid nights in', periods: Array.from({ length: 28 }, (_, i) => ({ episodes: i % 3, active: true })), history: Array.from({ length: 14 }, (_, i) => (i + 14) % 3) },
    { name: 'leaves nights with no record out (away)', periods: [{ episodes: 2, active: true }, { episodes: 0, active: false }, { episodes: 0, active: true }], history: [2, 0] },
    { name: 'a night with no record at all but nothing asked: no history', periods: [], history: [] },
  ])('$name', ({ periods, history }) => {
    const after = baselineHistory.apply(fresh, R15, SUBJECT, fresh.backfill!, { periods })
    expect(after.history).toEqual(history)
    expect(after.backfill).toBeUndefined()
    expect(baselineHistory.wanted(after, R15, SUBJECT)).toBeUndefined()
  })

  it('counts every night when requireAnyRecord is off', () => {
    const p = { ...R15, requireAnyRecord: false }
    expect(historyCounts({ periods: [{ episodes: 0, active: false }, { episodes: 1, active: true }] }, p)).toEqual([0, 1])
  })

  it('puts stored nights before the ones the state counted itself, keeping at most historyDays', () => {
    const counted: BaselineState = { ...fresh, history: [5, 6, 7] }
    const after = baselineHistory.apply(counted, R15, SUBJECT, fresh.backfill!, { periods: Array.from({ length: 20 }, () => ({ episodes: 1, active: true })) })
    expect(after.history).toEqual([...Array<number>(11).fill(1), 5, 6, 7])
  })

  it.each([
    { name: 'another state (the rule restarted since)', state: { ...fresh, backfill: fresh.backfill! + 1 } },
    { name: 'a state that has its history already', state: (({ backfill: _, ...rest }) => rest)(fresh) as BaselineState },
  ])('changes nothing for $name', ({ state }) => {
    expect(baselineHistory.apply(state, R15, SUBJECT, fresh.backfill!, { periods: [{ episodes: 9, active: true }] })).toBe(state)
  })
})

describe('baselineKind with stored history', () => {
  const start = at('2026-11-20T21:00')
  const deviant = [...night('2026-11-20', 5), ...night('2026-11-21', 5), { until: at('2026-11-22T12:00') }]

  it('fires on the second high night after its start, from 14 stored nights of 1 visit', () => {
    const run = simulate(baselineKind, R15, start, [{ history: every(1) }, ...deviant])
    expect(run.log).toEqual([['raise', '2026-11-21', at('2026-11-22T07:00')]])
    expect(run.raises[0]!.facts).toMatchObject({ count: 5, median: 1, validPeriods: 14 })
  })

  it('does not fire without it: the same two nights fall in the cold start', () => {
    expect(simulate(baselineKind, R15, start, deviant).log).toEqual([])
  })

  it('does not fire when the stored nights were as busy (5 visits)', () => {
    expect(simulate(baselineKind, R15, start, [{ history: every(5) }, ...deviant]).log).toEqual([])
  })

  it('does not fire when the stored nights had no record at all (away): still the cold start', () => {
    expect(simulate(baselineKind, R15, start, [{ history: every(0, false) }, ...deviant]).log).toEqual([])
  })

  it('history arriving after the state counted a night of its own goes before it', () => {
    const run = simulate(baselineKind, R15, start, [...night('2026-11-20', 1), { until: at('2026-11-21T12:00') }, { history: every(1) }])
    expect(run.state.history).toEqual(Array<number>(14).fill(1))
    expect(run.state.backfill).toBeUndefined()
  })
})
