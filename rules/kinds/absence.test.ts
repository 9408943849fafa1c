import { describe, expect, it } from 'vitest'
import { absenceKind, type AbsenceParams, type IntervalAbsenceState } from './absence.ts'
import { at, event, HOUR, type Input, type Logged, MIN, simulate, SUBJECT, telemetry } from './simulate.testing.ts'

const T0 = at('2026-11-21T10:00')
const beat = (ts: number, overrides = {}) => event('status.heartbeat', ts, overrides)
const HB = { expectedIntervalMinutes: 15 }
const HB_CRIT = { expectedIntervalMinutes: 15, criticalFactor: 6 }

describe('absenceKind params', () => {
  const bad: { name: string; params: unknown; path: string; message: RegExp }[] = [
    { name: 'neither interval nor window', params: {}, path: 'expectedIntervalMinutes', message: /expectedIntervalMinutes is required/ },
    { name: 'both interval and window', params: { expectedIntervalMinutes: 15, window: { start: '06:00', end: '09:00' } }, path: 'window', message: /not both/ },
    { name: 'a zero interval', params: { expectedIntervalMinutes: 0 }, path: 'expectedIntervalMinutes', message: /expectedIntervalMinutes must be more than 0/ },
    { name: 'an interval given as text', params: { expectedIntervalMinutes: '15' }, path: 'expectedIntervalMinutes', message: /expectedIntervalMinutes must be a number/ },
    { name: 'a missingFactor below 1', params: { expectedIntervalMinutes: 15, missingFactor: 0.5 }, path: 'missingFactor', message: /missingFactor must be at least 1/ },
    { name: 'a criticalFactor not above missingFactor', params: { expectedIntervalMinutes: 15, criticalFactor: 3 }, path: 'criticalFactor', message: /criticalFactor must be greater than missingFactor \(3\)/ },
    { name: 'an interval field in daily mode', params: { window: { start: '06:00', end: '09:00' }, missingFactor: 3 }, path: 'missingFactor', message: /missingFactor is for interval mode/ },
    { name: 'daily mode without a window', params: { mode: 'daily' }, path: 'window', message: /window is required in daily mode/ },
    { name: 'a bad window time', params: { window: { start: '6:00', end: '09:00' } }, path: 'window.start', message: /HH:MM/ },
    { name: 'an empty match.eventTypes', params: { expectedIntervalMinutes: 15, match: { eventTypes: [] } }, path: 'match.eventTypes', message: /match.eventTypes needs at least one/ },
    { name: 'an unknown field (typo)', params: { expectedInterval: 15 }, path: '', message: /Unrecognized key: "expectedInterval"/ },
  ]
  it.each(bad)('rejects $name, naming the field', ({ params, path, message }) => {
    const r = absenceKind.params.safeParse(params)
    expect(r.success).toBe(false)
    const issue = r.error!.issues.find((i) => i.path.join('.') === path)
    expect(issue?.message).toMatch(message)
  })

  const good: { name: string; params: unknown; parsed: AbsenceParams }[] = [
    { name: 'interval defaults (H01: 3×, receipt time)', params: HB, parsed: { mode: 'interval', expectedIntervalMinutes: 15, missingFactor: 3, criticalFactor: undefined, lastSeenFrom: 'receivedAt', match: undefined } },
    {
      name: 'interval with CRITICAL at 6× (H01)',
      params: HB_CRIT,
      parsed: { mode: 'interval', expectedIntervalMinutes: 15, missingFactor: 3, criticalFactor: 6, lastSeenFrom: 'receivedAt', match: undefined },
    },
    { name: 'H09 2 × MaxTime 1800 s', params: { expectedIntervalMinutes: 30, missingFactor: 2 }, parsed: { mode: 'interval', expectedIntervalMinutes: 30, missingFactor: 2, criticalFactor: undefined, lastSeenFrom: 'receivedAt', match: undefined } },
    {
      name: 'daily (R10)',
      params: { window: { start: '06:00', end: '09:00' }, match: { eventTypes: ['motion.detected'] } },
      parsed: { mode: 'daily', window: { start: '06:00', end: '09:00' }, match: { eventTypes: ['motion.detected'] } },
    },
  ]
  it.each(good)('accepts $name', ({ params, parsed }) => {
    expect(absenceKind.params.parse(params)).toEqual(parsed)
  })
})

describe('absenceKind interval mode (H01/H09)', () => {
  const cases: { name: string; params: unknown; inputs: Input[]; log: Logged[] }[] = [
    {
      name: 'fires MISSING for a device that never reported, armed from registration',
      params: HB,
      inputs: [{ until: T0 + 10 * HOUR }],
      log: [['raise', `${T0}`, T0 + 45 * MIN]],
    },
    {
      name: 'fires MISSING then CRITICAL (6×) for a device that never reported',
      params: HB_CRIT,
      inputs: [{ until: T0 + 10 * HOUR }],
      log: [
        ['raise', `${T0}`, T0 + 45 * MIN],
        ['raise', `${T0}:critical`, T0 + 90 * MIN],
      ],
    },
    {
      name: 'does not fire while heartbeats arrive every 15 minutes',
      params: HB_CRIT,
      inputs: [...Array.from({ length: 12 }, (_, i) => ({ record: beat(T0 + (i + 1) * 15 * MIN) })), { until: T0 + 13 * 15 * MIN }],
      log: [],
    },
    {
      name: 'does not fire at 44 minutes of silence (3 × 15 is the limit)',
      params: HB,
      inputs: [{ record: beat(T0 + 10 * MIN) }, { until: T0 + 54 * MIN }],
      log: [],
    },
    {
      name: 'fires 45 minutes after the last heartbeat, keyed by when silence began, and the next one restores',
      params: HB,
      inputs: [{ record: beat(T0 + 10 * MIN) }, { until: T0 + 2 * HOUR }, { record: beat(T0 + 2 * HOUR) }, { until: T0 + 2 * HOUR + 30 * MIN }],
      log: [
        ['raise', `${T0 + 10 * MIN}`, T0 + 55 * MIN],
        ['clear', `${T0 + 10 * MIN}`, T0 + 2 * HOUR],
      ],
    },
    {
      name: 'restoring after CRITICAL clears both alerts, and the clock starts again',
      params: HB_CRIT,
      inputs: [{ until: T0 + 2 * HOUR }, { record: beat(T0 + 2 * HOUR) }, { until: T0 + 2 * HOUR + 45 * MIN }],
      log: [
        ['raise', `${T0}`, T0 + 45 * MIN],
        ['raise', `${T0}:critical`, T0 + 90 * MIN],
        ['clear', `${T0}`, T0 + 2 * HOUR],
        ['clear', `${T0}:critical`, T0 + 2 * HOUR],
        ['raise', `${T0 + 2 * HOUR}`, T0 + 2 * HOUR + 45 * MIN],
      ],
    },
    {
      name: 'a timer firing 5 h late raises only the highest level reached, once, dated when it was due',
      params: HB_CRIT,
      inputs: [{ record: beat(T0 + 15 * MIN) }, { outageUntil: T0 + 5 * HOUR }, { until: T0 + 6 * HOUR }],
      log: [['raise', `${T0 + 15 * MIN}:critical`, T0 + 105 * MIN]],
    },
    {
      name: 'a 2-factor H09 rule for a 30-minute LoRaWAN MaxTime fires at 60 minutes',
      params: { expectedIntervalMinutes: 30, missingFactor: 2 },
      inputs: [{ record: telemetry({ temperature: 19 }, T0) }, { until: T0 + 3 * HOUR }],
      log: [['raise', `${T0}`, T0 + HOUR]],
    },
    {
      name: 'records Lookout writes itself (disconnect, registration) are not heartbeats',
      params: HB,
      inputs: [{ record: event('device.registered', T0 + 1 * MIN) }, { record: event('device.disconnected', T0 + 40 * MIN) }, { until: T0 + HOUR }],
      log: [['raise', `${T0}`, T0 + 45 * MIN]],
    },
    {
      name: 'with match.eventTypes, other records do not restore',
      params: { ...HB, match: { eventTypes: ['status.heartbeat'] } },
      inputs: [{ until: T0 + HOUR }, { record: event('motion.detected', T0 + HOUR) }, { record: telemetry({ battery_pct: 80 }, T0 + HOUR) }, { until: T0 + 2 * HOUR }],
      log: [['raise', `${T0}`, T0 + 45 * MIN]],
    },
    {
      name: 'with match.metrics, telemetry carrying the metric counts',
      params: { ...HB, match: { metrics: ['battery_pct'] } },
      inputs: [{ record: telemetry({ battery_pct: 80 }, T0 + 30 * MIN) }, { record: telemetry({ temperature: 20 }, T0 + 60 * MIN) }, { until: T0 + 80 * MIN }],
      log: [['raise', `${T0 + 30 * MIN}`, T0 + 75 * MIN]],
    },
    {
      name: 'last seen is the receipt time by default: a device clock 2 h slow still counts as alive',
      params: HB,
      inputs: [{ record: beat(T0 + 20 * MIN - 2 * HOUR, { receivedAt: T0 + 20 * MIN }) }, { until: T0 + 60 * MIN }],
      log: [],
    },
    {
      name: "lastSeenFrom 'ts': an out-of-order record older than the last one changes nothing",
      params: { ...HB, lastSeenFrom: 'ts' },
      inputs: [{ record: beat(T0 + 30 * MIN) }, { record: beat(T0 + 10 * MIN), now: T0 + 50 * MIN }, { until: T0 + 80 * MIN }],
      log: [['raise', `${T0 + 30 * MIN}`, T0 + 75 * MIN]],
    },
    {
      name: "lastSeenFrom 'ts': a buffered backlog after an outage keeps one alert open until a fresh record (no raise/clear storm)",
      params: { ...HB, lastSeenFrom: 'ts' },
      inputs: [
        { record: beat(T0) },
        { until: T0 + 3 * HOUR },
        // the device buffered a heartbeat every 15 min and uploads them all at T0 + 3 h
        ...Array.from({ length: 11 }, (_, i) => ({ record: beat(T0 + (i + 1) * 15 * MIN), now: T0 + 3 * HOUR })),
        { record: beat(T0 + 3 * HOUR) },
        { until: T0 + 3 * HOUR + 30 * MIN },
      ],
      log: [
        ['raise', `${T0}`, T0 + 45 * MIN],
        // the first buffered record less than 45 min old (T0 + 2 h 30) is fresh: the device is back
        ['clear', `${T0}`, T0 + 150 * MIN],
      ],
    },
  ]
  it.each(cases)('$name', ({ params, inputs, log }) => {
    expect(simulate(absenceKind, params, T0, inputs).log).toEqual(log)
  })

  it('raises with facts the engine can use for hub inhibition', () => {
    const run = simulate(absenceKind, HB_CRIT, T0, [{ record: beat(T0 + 15 * MIN) }, { until: T0 + 2 * HOUR }])
    expect(run.raises.map((r) => r.facts)).toEqual([
      { level: 'missing', silentSinceMs: T0 + 15 * MIN, neverSeen: false, expectedIntervalMinutes: 15, factor: 3 },
      { level: 'critical', silentSinceMs: T0 + 15 * MIN, neverSeen: false, expectedIntervalMinutes: 15, factor: 6 },
    ])
  })

  it('a record arriving after the due time, before the late timer, raises what was due and then restores', () => {
    const p = absenceKind.params.parse(HB)
    const init = absenceKind.init(p, SUBJECT, T0)
    expect(init.actions).toEqual([{ type: 'arm', timer: 'silence', at: T0 + 45 * MIN }])
    const step = absenceKind.onRecord(init.state, beat(T0 + HOUR), p, SUBJECT, T0 + HOUR)
    expect(step.actions).toEqual([
      { type: 'raise', key: `${T0}`, occurredAt: T0 + 45 * MIN, facts: { level: 'missing', silentSinceMs: T0, neverSeen: true, expectedIntervalMinutes: 15, factor: 3 } },
      { type: 'clear', key: `${T0}`, at: T0 + HOUR },
      { type: 'arm', timer: 'silence', at: T0 + HOUR + 45 * MIN },
    ])
  })

  it('a timer firing twice, or early, or with an unknown name, raises nothing more', () => {
    const p = absenceKind.params.parse(HB)
    const s0 = absenceKind.init(p, SUBJECT, T0).state
    const early = absenceKind.onTimer(s0, 'silence', p, SUBJECT, T0 + 10 * MIN)
    expect(early.actions).toEqual([{ type: 'arm', timer: 'silence', at: T0 + 45 * MIN }])
    const first = absenceKind.onTimer(s0, 'silence', p, SUBJECT, T0 + 45 * MIN)
    expect(first.actions.filter((a) => a.type === 'raise')).toHaveLength(1)
    const again = absenceKind.onTimer(first.state, 'silence', p, SUBJECT, T0 + 46 * MIN)
    expect(again.actions).toEqual([{ type: 'disarm', timer: 'silence' }])
    expect(absenceKind.onTimer(first.state, 'other', p, SUBJECT, T0 + 46 * MIN).actions).toEqual([])
  })

  it('damaged state is replaced by a fresh one instead of throwing', () => {
    const p = absenceKind.params.parse(HB)
    const step = absenceKind.onRecord({ junk: true } as unknown as IntervalAbsenceState, beat(T0 + MIN), p, SUBJECT, T0 + MIN)
    expect((step.state as IntervalAbsenceState).lastSeen).toBe(T0 + MIN)
    expect(step.actions.at(-1)).toEqual({ type: 'arm', timer: 'silence', at: T0 + 46 * MIN })
  })
})

describe('absenceKind daily mode (R10 no bathroom motion 06:00-09:00)', () => {
  const R10 = { window: { start: '06:00', end: '09:00' }, match: { eventTypes: ['motion.detected'] } }
  const NIGHT = { window: { start: '22:00', end: '06:00' }, match: { eventTypes: ['motion.detected'] } }
  const motion = (local: string) => ({ record: event('motion.detected', at(local)) })
  const cases: { name: string; params: unknown; start: string; inputs: Input[]; log: Logged[] }[] = [
    {
      name: 'fires at 09:00 for a device that never reported, keyed by the local date',
      params: R10,
      start: '2026-11-20T12:00',
      inputs: [{ until: at('2026-11-21T12:00') }],
      log: [['raise', '2026-11-21', at('2026-11-21T09:00')]],
    },
    {
      name: 'does not fire when there is motion at 07:10',
      params: R10,
      start: '2026-11-20T12:00',
      inputs: [motion('2026-11-21T07:10'), { until: at('2026-11-21T12:00') }],
      log: [],
    },
    {
      name: 'motion at 05:59 or at 09:00 is outside the window: fires, and the 09:00 motion restores',
      params: R10,
      start: '2026-11-20T12:00',
      inputs: [motion('2026-11-21T05:59'), motion('2026-11-21T09:00'), { until: at('2026-11-21T12:00') }],
      log: [
        ['raise', '2026-11-21', at('2026-11-21T09:00')],
        ['clear', '2026-11-21', at('2026-11-21T09:00')],
      ],
    },
    {
      name: 'one alert per episode: empty mornings in a row raise once; motion clears; the next empty morning raises again',
      params: R10,
      start: '2026-11-20T12:00',
      inputs: [{ until: at('2026-11-23T12:00') }, motion('2026-11-23T15:00'), { until: at('2026-11-24T12:00') }],
      log: [
        ['raise', '2026-11-21', at('2026-11-21T09:00')],
        ['clear', '2026-11-21', at('2026-11-23T15:00')],
        ['raise', '2026-11-24', at('2026-11-24T09:00')],
      ],
    },
    {
      name: 'registered at 07:30 (mid-window): that morning is not judged, the next one is',
      params: R10,
      start: '2026-11-21T07:30',
      inputs: [{ until: at('2026-11-22T12:00') }],
      log: [['raise', '2026-11-22', at('2026-11-22T09:00')]],
    },
    {
      name: 'a timer 3 days late raises once (first missed morning), not once per morning',
      params: R10,
      start: '2026-11-20T12:00',
      inputs: [{ outageUntil: at('2026-11-24T10:00') }, { until: at('2026-11-25T12:00') }],
      log: [['raise', '2026-11-21', at('2026-11-21T09:00')]],
    },
    {
      name: 'after a late timer, a morning with motion that follows is not judged empty',
      params: R10,
      start: '2026-11-20T12:00',
      inputs: [motion('2026-11-21T06:30'), { outageUntil: at('2026-11-22T07:00') }, motion('2026-11-22T07:30'), { until: at('2026-11-22T12:00') }],
      log: [],
    },
    {
      name: 'spring forward (29 Mar 2026): fires at 09:00 BST = 08:00 UTC',
      params: R10,
      start: '2026-03-28T12:00',
      inputs: [{ until: at('2026-03-29T12:00') }],
      log: [['raise', '2026-03-29', Date.UTC(2026, 2, 29, 8, 0)]],
    },
    {
      name: 'fall back (25 Oct 2026): fires at 09:00 GMT = 09:00 UTC',
      params: R10,
      start: '2026-10-24T12:00',
      inputs: [{ until: at('2026-10-25T12:00') }],
      log: [['raise', '2026-10-25', Date.UTC(2026, 9, 25, 9, 0)]],
    },
    {
      name: 'night window across midnight: motion at 00:30 satisfies the night keyed by its evening',
      params: NIGHT,
      start: '2026-11-20T12:00',
      inputs: [motion('2026-11-21T00:30'), { until: at('2026-11-22T12:00') }],
      log: [['raise', '2026-11-21', at('2026-11-22T06:00')]],
    },
    {
      name: 'night window on the spring-forward night: ends 06:00 BST (7 h night); motion at 05:30 BST counts',
      params: NIGHT,
      start: '2026-03-28T12:00',
      inputs: [motion('2026-03-29T05:30'), { until: at('2026-03-29T12:00') }],
      log: [],
    },
    {
      name: 'night window on the fall-back night: an empty night fires at 06:00 GMT (9 h night)',
      params: NIGHT,
      start: '2026-10-24T12:00',
      inputs: [motion('2026-10-24T21:59'), { until: at('2026-10-25T12:00') }],
      log: [['raise', '2026-10-24', Date.UTC(2026, 9, 25, 6, 0)]],
    },
    {
      name: 'a late record from inside the judged window clears the alert (the routine did happen)',
      params: R10,
      start: '2026-11-20T12:00',
      inputs: [{ until: at('2026-11-21T10:00') }, { record: event('motion.detected', at('2026-11-21T08:00')), now: at('2026-11-21T10:00') }],
      log: [
        ['raise', '2026-11-21', at('2026-11-21T09:00')],
        ['clear', '2026-11-21', at('2026-11-21T08:00')],
      ],
    },
  ]
  it.each(cases)('$name', ({ params, start, inputs, log }) => {
    expect(simulate(absenceKind, params, at(start), inputs).log).toEqual(log)
  })

  it('uses the subject time zone, not the server one', () => {
    const subject = { ...SUBJECT, timeZone: 'America/New_York' }
    const run = simulate(absenceKind, R10, at('2026-11-20T12:00', 'America/New_York'), [{ until: at('2026-11-21T12:00', 'America/New_York') }], subject)
    expect(run.log).toEqual([['raise', '2026-11-21', Date.UTC(2026, 10, 21, 14, 0)]])
  })

  it('raises with the window and the last-seen time as facts', () => {
    const run = simulate(absenceKind, R10, at('2026-11-20T12:00'), [motion('2026-11-20T18:00'), { until: at('2026-11-21T12:00') }])
    expect(run.raises[0]?.facts).toEqual({ windowStartMs: at('2026-11-21T06:00'), windowEndMs: at('2026-11-21T09:00'), silentSinceMs: at('2026-11-20T18:00'), neverSeen: false })
  })
})
