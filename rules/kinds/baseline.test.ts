import { DateTime } from 'luxon'
import { describe, expect, it } from 'vitest'
import { baselineKind, judgePeriod, type BaselineParams } from './baseline.ts'
import { at, event, type Input, LONDON, type Logged, MIN, simulate, telemetry } from './simulate.testing.ts'

/** R15: night bathroom visits (PIR triggers < 5 min apart merged) ≥ median + max(2, 3×MAD) on 2 of 3 nights. */
const R15 = { match: { eventTypes: ['motion.detected'] }, window: { start: '22:00', end: '07:00' }, direction: 'up' }
/** R16: daily kitchen events < 50 % of the 14-day median on 2 consecutive days. */
const R16 = { match: { eventTypes: ['motion.detected'] }, window: { start: '07:00', end: '21:00' }, direction: 'down', ratioBelow: 0.5, mergeWithinMinutes: 0, required: { of: 2, atLeast: 2 } }

const parse = (raw: unknown) => baselineKind.params.parse(raw)
const day = (date: string, plus: number) => DateTime.fromISO(date, { zone: LONDON }).plus({ days: plus }).toISODate()!

/**
 * Night `date` (its evening) with `visits` bathroom visits from 23:00, 40 min apart, each three PIR
 * triggers 2 min apart (one episode). 0: a heartbeat only (valid, no visit); null: nothing at all.
 */
function night(date: string, visits: number | null): Input[] {
  if (visits === null) return []
  if (visits === 0) return [{ record: event('status.heartbeat', at(`${date}T23:30`)) }]
  const out: Input[] = []
  for (let v = 0; v < visits; v++) {
    const t = at(`${date}T23:00`) + v * 40 * MIN
    for (const d of [0, 2, 4]) out.push({ record: event('motion.detected', t + d * MIN) })
  }
  return out
}
const nights = (first: string, counts: (number | null)[]): Input[] => counts.flatMap((c, i) => night(day(first, i), c))

describe('baselineKind params', () => {
  it('fills the B3/R15 defaults', () => {
    expect(parse(R15)).toEqual({
      ...R15,
      mergeWithinMinutes: 5,
      historyDays: 14,
      coldStartDays: 7,
      k: 3,
      madScale: 1,
      minDelta: 2,
      required: { of: 3, atLeast: 2 },
      requireAnyRecord: true,
    })
  })
  it.each([
    { params: { ...R15, historyDays: 6 }, path: 'historyDays', message: /historyDays must be at least 7/ },
    { params: { ...R15, historyDays: 29 }, path: 'historyDays', message: /historyDays must be at most 28/ },
    { params: { ...R15, historyDays: 10, coldStartDays: 12 }, path: 'coldStartDays', message: /coldStartDays must be at most historyDays \(10\)/ },
    { params: { ...R15, ratioBelow: 0.5 }, path: 'ratioBelow', message: /ratioBelow applies to direction "down"/ },
    { params: { ...R15, direction: 'sideways' }, path: 'direction', message: /direction must be "up"/ },
    { params: { ...R15, minDelta: 0 }, path: 'minDelta', message: /minDelta must be more than 0/ },
    { params: { ...R15, required: { of: 3, atLeast: 4 } }, path: 'required.atLeast', message: /required.atLeast must be at most required.of \(3\)/ },
    { params: { ...R15, match: { metrics: ['x'] } }, path: 'match', message: /Unrecognized key/ },
    { params: { ...R15, window: undefined }, path: 'window', message: /./ },
  ])('rejects $path', ({ params, path, message }) => {
    const r = baselineKind.params.safeParse(params)
    expect(r.error?.issues.find((i) => i.path.join('.') === path)?.message).toMatch(message)
  })
})

describe('judgePeriod', () => {
  const regular = [1, 1, 2, 2, 1, 2, 1] // median 1, MAD 0
  const spread = [2, 4, 3, 5, 3, 4, 2, 3] // median 3, MAD 1
  const cases: { name: string; params: unknown; count: number; history: number[]; deviant: boolean | undefined; threshold?: number }[] = [
    { name: 'cold start: 6 valid periods is not enough', params: R15, count: 9, history: [1, 1, 1, 1, 1, 1], deviant: undefined },
    { name: 'MAD 0: threshold is median + minDelta (1 + 2), 3 fires', params: R15, count: 3, history: regular, deviant: true, threshold: 3 },
    { name: 'MAD 0: 2 does not fire', params: R15, count: 2, history: regular, deviant: false, threshold: 3 },
    { name: 'R15: median 3 + max(2, 3×MAD 1) = 6 fires', params: R15, count: 6, history: spread, deviant: true, threshold: 6 },
    { name: 'R15: 5 does not fire', params: R15, count: 5, history: spread, deviant: false, threshold: 6 },
    { name: 'B3 score reading (madScale 1.4826): 7 does not fire', params: { ...R15, madScale: 1.4826 }, count: 7, history: spread, deviant: false, threshold: 3 + 3 * 1.4826 },
    { name: 'R16: 4 < 50 % of median 10 fires', params: R16, count: 4, history: [10, 9, 11, 10, 10, 12, 8], deviant: true, threshold: 5 },
    { name: 'R16: 5 is not below 50 % of 10', params: R16, count: 5, history: [10, 9, 11, 10, 10, 12, 8], deviant: false, threshold: 5 },
    { name: 'R16: a median of 0 gives nothing to fall from', params: R16, count: 0, history: [0, 0, 0, 0, 1, 0, 0], deviant: false, threshold: 0 },
    { name: 'down without ratio: ≤ median − max(2, 3×MAD)', params: { ...R16, ratioBelow: undefined }, count: 7, history: [10, 9, 11, 10, 10, 12, 9], deviant: true, threshold: 7 },
  ]
  it.each(cases)('$name', ({ params, count, history, deviant, threshold }) => {
    const v = judgePeriod(count, history, parse(params) as BaselineParams)
    expect(v?.deviant).toBe(deviant)
    if (threshold !== undefined) expect(v?.threshold).toBeCloseTo(threshold, 6)
  })
})

describe('baselineKind (R15 night bathroom visits, 22:00-07:00)', () => {
  const ten = Array<number>(10).fill(1)
  const cases: { name: string; params?: unknown; start: string; inputs: Input[]; log: Logged[] }[] = [
    {
      name: 'does not fire on ordinary nights (1 visit each)',
      start: '2026-11-01T12:00',
      inputs: [...nights('2026-11-01', [...ten, 1, 2, 1, 2]), { until: at('2026-11-16T12:00') }],
      log: [],
    },
    {
      name: 'does not fire on a single high night (2 of 3 needed)',
      start: '2026-11-01T12:00',
      inputs: [...nights('2026-11-01', [...ten, 4, 1, 1]), { until: at('2026-11-14T12:00') }],
      log: [],
    },
    {
      name: 'fires on the second high night of three, keyed by its evening, at 07:00; clears once fewer than 2 of the last 3 are high',
      start: '2026-11-01T12:00',
      inputs: [...nights('2026-11-01', [...ten, 4, 1, 4, 4, 1, 1]), { until: at('2026-11-17T12:00') }],
      log: [
        ['raise', '2026-11-13', at('2026-11-14T07:00')],
        ['clear', '2026-11-13', at('2026-11-17T07:00')],
      ],
    },
    {
      name: 'no alerts in the cold start (5 valid nights, then two high ones)',
      start: '2026-11-01T12:00',
      inputs: [...nights('2026-11-01', [1, 1, 1, 1, 1, 4, 4]), { until: at('2026-11-08T12:00') }],
      log: [],
    },
    {
      name: 'nights with no record at all (away, sensor offline) are skipped, and do not break 2 of 3',
      start: '2026-11-01T12:00',
      inputs: [...nights('2026-11-01', [1, 1, 1, 1, 0, 1, 1, 1, null, null, 4, null, 4]), { until: at('2026-11-15T12:00') }],
      log: [['raise', '2026-11-13', at('2026-11-14T07:00')]],
    },
    {
      name: 'only 6 valid nights among 8 (2 empty): still in the cold start',
      start: '2026-11-01T12:00',
      inputs: [...nights('2026-11-01', [1, null, 1, 1, null, 1, 1, 1, 4, 4]), { until: at('2026-11-11T12:00') }],
      log: [],
    },
    {
      name: 'spring forward: high nights 27 and 28 Mar fire at 07:00 BST (an 8-hour night)',
      start: '2026-03-16T12:00',
      inputs: [...nights('2026-03-16', [...ten, 1, 4, 4]), { until: at('2026-03-29T12:00') }],
      log: [['raise', '2026-03-28', Date.UTC(2026, 2, 29, 6, 0)]],
    },
    {
      name: 'fall back: high nights 23 and 24 Oct fire at 07:00 GMT',
      start: '2026-10-12T12:00',
      inputs: [...nights('2026-10-12', [...ten, 1, 4, 4]), { until: at('2026-10-25T12:00') }],
      log: [['raise', '2026-10-24', Date.UTC(2026, 9, 25, 7, 0)]],
    },
    {
      name: 'a visit at 01:30 on the fall-back night counts for the evening of the 24th',
      start: '2026-10-12T12:00',
      inputs: [
        ...nights('2026-10-12', [...ten, 1, 4, 0]),
        ...[0, 1, 2, 3].map((i) => ({ record: event('motion.detected', Date.UTC(2026, 9, 25, 0, 30) + i * 10 * MIN) })),
        { until: at('2026-10-25T12:00') },
      ],
      log: [['raise', '2026-10-24', Date.UTC(2026, 9, 25, 7, 0)]],
    },
    {
      name: 'a timer days late decides the watched night once and skips the unseen ones',
      start: '2026-11-01T12:00',
      inputs: [...nights('2026-11-01', [...ten, 4, 4]), { outageUntil: at('2026-11-16T12:00') }, ...nights('2026-11-16', [1, 1]), { until: at('2026-11-18T12:00') }],
      log: [
        ['raise', '2026-11-12', at('2026-11-13T07:00')],
        ['clear', '2026-11-12', at('2026-11-18T07:00')],
      ],
    },
    {
      name: 'R16 kitchen activity down: two days under 50 % of the median fire',
      params: R16,
      start: '2026-11-01T06:00',
      inputs: [
        ...Array.from({ length: 12 }, (_, d) =>
          Array.from({ length: d < 10 ? 10 : 4 }, (_, i) => ({ record: event('motion.detected', at(`${day('2026-11-01', d)}T08:00`) + i * 60 * MIN) })),
        ).flat(),
        { until: at('2026-11-13T06:00') },
      ],
      log: [['raise', '2026-11-12', at('2026-11-12T21:00')]],
    },
    {
      name: 'R16 with requireAnyRecord false: two silent days count as 0 and fire',
      params: { ...R16, requireAnyRecord: false },
      start: '2026-11-01T06:00',
      inputs: [
        ...Array.from({ length: 10 }, (_, d) => Array.from({ length: 10 }, (_, i) => ({ record: event('motion.detected', at(`${day('2026-11-01', d)}T08:00`) + i * 60 * MIN) }))).flat(),
        { until: at('2026-11-13T06:00') },
      ],
      log: [['raise', '2026-11-12', at('2026-11-12T21:00')]],
    },
  ]
  it.each(cases)('$name', ({ params, start, inputs, log }) => {
    expect(simulate(baselineKind, params ?? R15, at(start), inputs).log).toEqual(log)
  })

  it('merges triggers less than 5 min apart into one episode (chained), 5 min apart or more are two', () => {
    const t = at('2026-11-01T23:00')
    const run = simulate(baselineKind, R15, at('2026-11-01T12:00'), [
      ...[0, 4, 8, 12].map((m) => ({ record: event('motion.detected', t + m * MIN) })), // one chained episode
      { record: event('motion.detected', t + 17 * MIN) }, // 5 min after: a second
      { record: event('motion.detected', t + 17 * MIN) }, // duplicate: same event
      { record: event('motion.detected', t + 10 * MIN), now: t + 18 * MIN }, // out of order: ignored
      { record: telemetry({ battery_pct: 90 }, t + 20 * MIN) },
      { until: at('2026-11-02T12:00') },
    ])
    expect(run.state.history).toEqual([2])
  })

  it('raises with the numbers behind the decision', () => {
    const run = simulate(baselineKind, R15, at('2026-11-01T12:00'), [...nights('2026-11-01', [...ten, 5, 5]), { until: at('2026-11-13T12:00') }])
    expect(run.raises[0]?.facts).toEqual({ count: 5, median: 1, mad: 0, threshold: 3, deviantPeriods: 2, of: 3, validPeriods: 11 })
  })

  it('keeps state bounded: history never exceeds historyDays', () => {
    const run = simulate(baselineKind, R15, at('2026-10-01T12:00'), [...nights('2026-10-01', Array<number>(40).fill(1)), { until: at('2026-11-11T12:00') }])
    expect(run.state.history).toHaveLength(14)
    expect(run.state.recent).toHaveLength(3)
  })
})
