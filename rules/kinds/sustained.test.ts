import { describe, expect, it } from 'vitest'
import type { IngestRecord } from '../../lib/records.ts'
import { eventRecord, telemetryRecord } from '../../test/fixtures/records.ts'
import type { RuleAction, Subject } from '../engine/types.ts'
import { MAX_PARTS, SUSTAINED_TIMER, sustainedKind, SustainedParams, totalAt, type SustainedState } from './sustained.ts'

const LONDON: Subject = { tenant: 'acme', deviceId: 'env-007', deviceType: 'environment-sensor', site: 'flat-12', timeZone: 'Europe/London' }
const MIN = 60_000
const at = (iso: string) => Date.parse(iso)
const iso = (t: number | string) => new Date(Number(t)).toISOString().replace(':00.000Z', 'Z')
const params = (p: unknown) => SustainedParams.parse(p)

/** F01 (docs/domain.md B4): RH > 70 % for > 2 h in any 12 h. */
const F01 = params({ metric: 'humidity', above: 70, forMinutes: 120, withinMinutes: 720 })

type Reading = [ts: number, value: number]

/** Readings every `every` minutes from `from` (inclusive) to `to` (exclusive); value fixed or by time. */
function series(from: string, to: string, every: number, value: number | ((t: number) => number)): Reading[] {
  const out: Reading[] = []
  for (let t = at(from); t < at(to); t += every * MIN) out.push([t, typeof value === 'number' ? value : value(t)])
  return out
}

const rh = (ts: number, value: number, metric = 'humidity') => telemetryRecord({ ts, receivedAt: ts + 40, metrics: { [metric]: value } })

/**
 * Plays readings in order the way the engine does: a due timer fires (now = its time) before a
 * later record; timers then fire up to `until`. State goes through JSON between steps, as in Redis.
 * Logs "raise <key> (<minutes> min)" and "clear <key> at <time>".
 */
function drive(p: SustainedParams, readings: Reading[], until: string, subject: Subject = LONDON, metric = 'humidity'): { log: string[]; state: SustainedState } {
  let state = sustainedKind.init(p, subject, readings[0]?.[0] ?? 0).state
  let timer: number | null = null
  const log: string[] = []
  const apply = (step: { state: SustainedState; actions: RuleAction[] }) => {
    state = JSON.parse(JSON.stringify(step.state)) as SustainedState
    for (const a of step.actions) {
      if (a.type === 'raise') log.push(`raise ${iso(a.key)} (${a.facts?.minutes} min)`)
      else if (a.type === 'clear') log.push(`clear ${iso(a.key)} at ${iso(a.at)}`)
      else if (a.type === 'arm') timer = a.at
      else timer = null
    }
  }
  const fireUntil = (t: number) => {
    for (let guard = 0; timer !== null && timer <= t && guard < 1000; guard++) {
      const due: number = timer
      timer = null
      apply(sustainedKind.onTimer(state, SUSTAINED_TIMER, p, subject, due))
    }
  }
  for (const [ts, value] of readings) {
    fireUntil(ts)
    apply(sustainedKind.onRecord(state, rh(ts, value, metric), p, subject, ts + 40))
  }
  fireUntil(at(until))
  return { log, state }
}

describe('sustained params', () => {
  const base = { metric: 'humidity', above: 70, forMinutes: 120, withinMinutes: 720 }
  const bad: { name: string; input: unknown; path: string; says: string }[] = [
    { name: 'neither above nor below', input: { ...base, above: undefined }, path: 'above', says: 'above or below' },
    { name: 'both above and below', input: { ...base, below: 10 }, path: 'below', says: 'only one' },
    { name: 'forMinutes 0', input: { ...base, forMinutes: 0 }, path: 'forMinutes', says: 'forMinutes' },
    { name: 'no withinMinutes', input: { ...base, withinMinutes: undefined }, path: 'withinMinutes', says: 'withinMinutes' },
    { name: 'forMinutes longer than withinMinutes', input: { ...base, forMinutes: 800 }, path: 'forMinutes', says: 'cannot exceed withinMinutes' },
    { name: 'withinMinutes over 31 days', input: { ...base, withinMinutes: 50_000 }, path: 'withinMinutes', says: 'withinMinutes' },
    { name: 'a negative maxGapMinutes', input: { ...base, maxGapMinutes: -5 }, path: 'maxGapMinutes', says: 'maxGapMinutes' },
    { name: 'clearBelowMinutes over forMinutes', input: { ...base, clearBelowMinutes: 121 }, path: 'clearBelowMinutes', says: 'clearBelowMinutes' },
    { name: 'month 13', input: { ...base, months: [10, 13] }, path: 'months.1', says: 'months' },
    { name: 'a month twice', input: { ...base, months: [10, 10] }, path: 'months', says: 'months' },
    { name: 'an empty months list', input: { ...base, months: [] }, path: 'months', says: 'months' },
    { name: 'a window end that is not HH:MM', input: { ...base, window: { start: '07:00', end: '7pm' } }, path: 'window.end', says: 'HH:MM' },
    { name: 'a metric name with a dash', input: { ...base, metric: 'rel-humidity' }, path: 'metric', says: 'metric' },
  ]
  it.each(bad)('rejects $name, naming the field', ({ input, path, says }) => {
    const result = SustainedParams.safeParse(input)
    expect(result.success).toBe(false)
    const issue = result.error!.issues[0]!
    expect(issue.path.join('.')).toBe(path)
    expect(issue.message).toContain(says)
  })

  it('defaults maxGapMinutes to 60 and leaves clearBelowMinutes to forMinutes', () => {
    expect(F01).toEqual({ metric: 'humidity', above: 70, forMinutes: 120, withinMinutes: 720, maxGapMinutes: 60 })
  })
})

describe('sustained: F01 humidity > 70 % for 2 h in any 12 h', () => {
  const cases: { name: string; p?: SustainedParams; readings: Reading[]; until: string; log: string[] }[] = [
    {
      name: 'fires at the 2 h point, between readings (timer), and clears as that time leaves the 12 h window',
      readings: [...series('2026-11-21T00:00Z', '2026-11-21T03:00Z', 15, 75), ...series('2026-11-21T03:00Z', '2026-11-21T16:00Z', 15, 60)],
      until: '2026-11-21T16:00Z',
      log: ['raise 2026-11-21T02:00Z (120 min)', 'clear 2026-11-21T02:00Z at 2026-11-21T13:00:00.001Z'],
    },
    {
      name: 'fires with no further reading: the last one holds for maxGap (60 min)',
      readings: series('2026-11-21T00:00Z', '2026-11-21T01:01Z', 30, 75),
      until: '2026-11-21T13:00Z',
      log: ['raise 2026-11-21T02:00Z (120 min)', 'clear 2026-11-21T02:00Z at 2026-11-21T12:00:00.001Z'],
    },
    {
      name: 'does not fire for a sensor that goes silent: one damp reading counts 60 min, not 24 h',
      readings: [[at('2026-11-21T00:00Z'), 75]],
      until: '2026-11-22T00:00Z',
      log: [],
    },
    {
      name: 'readings 90 min apart count 60 min each (maxGap), so 2 h is reached at 02:30',
      readings: series('2026-11-21T00:00Z', '2026-11-21T06:00Z', 90, 75),
      until: '2026-11-21T06:00Z',
      log: ['raise 2026-11-21T02:30Z (120 min)'],
    },
    {
      name: 'counts time in total: 1 h damp, 1 h dry, 1 h damp fires at 03:00',
      readings: [
        ...series('2026-11-21T00:00Z', '2026-11-21T01:00Z', 15, 75),
        ...series('2026-11-21T01:00Z', '2026-11-21T02:00Z', 15, 60),
        ...series('2026-11-21T02:00Z', '2026-11-21T03:15Z', 15, 75),
        ...series('2026-11-21T03:15Z', '2026-11-21T04:00Z', 15, 60),
      ],
      until: '2026-11-21T04:00Z',
      log: ['raise 2026-11-21T03:00Z (120 min)'],
    },
    {
      name: 'does not fire when the 2 h are spread over more than 12 h',
      readings: [
        ...series('2026-11-21T00:00Z', '2026-11-21T01:00Z', 15, 75),
        ...series('2026-11-21T01:00Z', '2026-11-21T13:00Z', 15, 60),
        ...series('2026-11-21T13:00Z', '2026-11-21T14:00Z', 15, 75),
        ...series('2026-11-21T14:00Z', '2026-11-21T18:00Z', 15, 60),
      ],
      until: '2026-11-21T18:00Z',
      log: [],
    },
    { name: 'does not fire at the limit (70 is not above 70)', readings: series('2026-11-21T00:00Z', '2026-11-22T00:00Z', 15, 70), until: '2026-11-22T00:00Z', log: [] },
    { name: 'does not fire on 1 h 59 min', readings: [...series('2026-11-21T00:00Z', '2026-11-21T01:59Z', 1, 75), [at('2026-11-21T01:59Z'), 60]], until: '2026-11-21T12:00Z', log: [] },
    {
      name: 'stays raised while it stays damp (one alert, not one per reading)',
      readings: series('2026-11-21T00:00Z', '2026-11-22T00:00Z', 15, 75),
      until: '2026-11-22T00:00Z',
      log: ['raise 2026-11-21T02:00Z (120 min)'],
    },
    {
      name: 'a sensor that falls silent while damp stops accumulating, and the alert clears when its time leaves the window',
      readings: series('2026-11-21T00:00Z', '2026-11-21T04:00Z', 15, 75),
      until: '2026-11-22T00:00Z',
      log: ['raise 2026-11-21T02:00Z (120 min)', 'clear 2026-11-21T02:00Z at 2026-11-21T14:45:00.001Z'],
    },
    {
      name: 'clearBelowMinutes 30 adds hysteresis: clears only when under 30 min remain in the window',
      p: params({ metric: 'humidity', above: 70, forMinutes: 120, withinMinutes: 720, clearBelowMinutes: 30 }),
      readings: [...series('2026-11-21T00:00Z', '2026-11-21T03:00Z', 15, 75), ...series('2026-11-21T03:00Z', '2026-11-21T16:00Z', 15, 60)],
      until: '2026-11-21T16:00Z',
      log: ['raise 2026-11-21T02:00Z (120 min)', 'clear 2026-11-21T02:00Z at 2026-11-21T14:30:00.001Z'],
    },
    {
      name: 'F01 > 90 % for 1 h: fires at 01:00',
      p: params({ metric: 'humidity', above: 90, forMinutes: 60, withinMinutes: 720 }),
      readings: [...series('2026-11-21T00:00Z', '2026-11-21T01:30Z', 10, 95), ...series('2026-11-21T01:30Z', '2026-11-21T02:00Z', 10, 80)],
      until: '2026-11-21T02:00Z',
      log: ['raise 2026-11-21T01:00Z (60 min)'],
    },
    {
      name: 'ignores other metrics',
      readings: series('2026-11-21T00:00Z', '2026-11-21T06:00Z', 15, 60),
      until: '2026-11-21T06:00Z',
      log: [],
    },
  ]
  it.each(cases)('$name', ({ p, readings, until, log }) => {
    expect(drive(p ?? F01, readings, until).log).toEqual(log)
  })
})

describe('sustained: local windows, midnight, DST and months', () => {
  const hot = (forMinutes: number, window: { start: string; end: string }) => params({ metric: 'temperature', above: 26, forMinutes, withinMinutes: 720, window })
  const NIGHT = { start: '22:00', end: '06:00' }
  const R22 = params({ metric: 'temperature', below: 18, forMinutes: 240, withinMinutes: 1440, window: { start: '07:00', end: '23:00' } })
  const damp = params({ metric: 'temperature', above: 70, forMinutes: 120, withinMinutes: 720, months: [10, 11, 12, 1, 2, 3, 4] })
  const cases: { name: string; p: SustainedParams; readings: Reading[]; until: string; log: string[]; subject?: Subject }[] = [
    {
      name: 'R22 < 18 °C for 4 h while occupied 07:00-23:00: cold all day fires at 11:00',
      p: R22,
      readings: series('2026-11-21T00:00Z', '2026-11-22T00:00Z', 30, 16),
      until: '2026-11-22T00:00Z',
      log: ['raise 2026-11-21T11:00Z (240 min)'],
    },
    {
      name: 'R22: cold only at night (23:00-07:00) never fires',
      p: R22,
      readings: series('2026-11-21T00:00Z', '2026-11-23T00:00Z', 30, (t) => (new Date(t).getUTCHours() >= 23 || new Date(t).getUTCHours() < 7 ? 15 : 20)),
      until: '2026-11-23T00:00Z',
      log: [],
    },
    {
      name: "R22 in the subject's zone: cold all day in New York fires at 11:00 EST (16:00 UTC)",
      p: R22,
      readings: series('2026-11-21T05:00Z', '2026-11-22T05:00Z', 30, 16),
      until: '2026-11-22T05:00Z',
      subject: { ...LONDON, timeZone: 'America/New_York' },
      log: ['raise 2026-11-21T16:00Z (240 min)'],
    },
    {
      name: 'R23 hot bedroom 22:00-07:00 across midnight, summer (BST): counting starts 22:00 BST, fires 3 h later',
      p: params({ metric: 'temperature', above: 26, forMinutes: 180, withinMinutes: 720, window: { start: '22:00', end: '07:00' } }),
      readings: series('2026-07-01T18:00Z', '2026-07-02T08:00Z', 15, 27),
      until: '2026-07-02T08:00Z',
      log: ['raise 2026-07-02T00:00Z (180 min)'],
    },
    {
      name: 'an ordinary night 22:00-06:00 holds 8 h: 480 min fires at 06:00, clears as 22:00 leaves the 12 h window',
      p: hot(480, NIGHT),
      readings: series('2026-11-21T20:00Z', '2026-11-22T08:00Z', 15, 27),
      until: '2026-11-22T12:00Z',
      log: ['raise 2026-11-22T06:00Z (480 min)', 'clear 2026-11-22T06:00Z at 2026-11-22T10:00:00.001Z'],
    },
    { name: 'an ordinary night: 481 min never fires', p: hot(481, NIGHT), readings: series('2026-11-21T20:00Z', '2026-11-22T08:00Z', 15, 27), until: '2026-11-22T12:00Z', log: [] },
    {
      name: 'spring-forward night (2026-03-29) holds 7 h: 420 min fires at 06:00 BST (05:00 UTC), clears 12 h after 22:00 GMT',
      p: hot(420, NIGHT),
      readings: series('2026-03-28T20:00Z', '2026-03-29T08:00Z', 15, 27),
      until: '2026-03-29T12:00Z',
      log: ['raise 2026-03-29T05:00Z (420 min)', 'clear 2026-03-29T05:00Z at 2026-03-29T10:00:00.001Z'],
    },
    { name: 'spring-forward night: 421 min never fires', p: hot(421, NIGHT), readings: series('2026-03-28T20:00Z', '2026-03-29T08:00Z', 15, 27), until: '2026-03-29T12:00Z', log: [] },
    {
      name: 'fall-back night (2026-10-25) holds 9 h: 540 min fires at 06:00 GMT, clears 12 h after 22:00 BST',
      p: hot(540, NIGHT),
      readings: series('2026-10-24T19:00Z', '2026-10-25T08:00Z', 15, 27),
      until: '2026-10-25T12:00Z',
      log: ['raise 2026-10-25T06:00Z (540 min)', 'clear 2026-10-25T06:00Z at 2026-10-25T09:00:00.001Z'],
    },
    { name: 'fall-back night: 541 min never fires', p: hot(541, NIGHT), readings: series('2026-10-24T19:00Z', '2026-10-25T08:00Z', 15, 27), until: '2026-10-25T12:00Z', log: [] },
    {
      name: 'F01 Oct-Apr: damp from 30 Sep 21:00 BST counts from 1 Oct 00:00 BST (30 Sep 23:00 UTC), fires 2 h later',
      p: damp,
      readings: series('2026-09-30T20:00Z', '2026-10-01T04:00Z', 15, 75),
      until: '2026-10-01T04:00Z',
      log: ['raise 2026-10-01T01:00Z (120 min)'],
    },
    { name: 'F01 Oct-Apr: damp all day in May never fires', p: damp, readings: series('2026-05-10T00:00Z', '2026-05-11T00:00Z', 15, 75), until: '2026-05-11T00:00Z', log: [] },
  ]
  it.each(cases)('$name', ({ p, readings, until, log, subject }) => {
    expect(drive(p, readings, until, subject, 'temperature').log).toEqual(log)
  })
})

describe('sustained: timers, order and state', () => {
  const T0 = at('2026-11-21T00:00Z')
  const step = (state: SustainedState, minute: number, value: number, p = F01) => sustainedKind.onRecord(state, rh(T0 + minute * MIN, value), p, LONDON, T0 + minute * MIN + 40)
  const init = () => sustainedKind.init(F01, LONDON, T0)

  it('starts empty with no timers', () => {
    expect(init()).toEqual({ state: { lastTs: null, lastValue: null, lastHeld: false, counted: [], evaluatedAt: null, active: null, timerAt: null }, actions: [] })
  })

  const armCases: { name: string; values: [minute: number, value: number][]; actions: RuleAction[] }[] = [
    { name: 'a dry reading arms nothing', values: [[0, 60]], actions: [] },
    { name: 'one damp reading cannot reach 2 h on its own (60 min max): nothing armed', values: [[0, 75]], actions: [] },
    { name: 'when 2 h becomes reachable, arms the crossing time', values: [[0, 75], [60, 75]], actions: [{ type: 'arm', timer: SUSTAINED_TIMER, at: T0 + 120 * MIN }] },
    { name: 'a further damp reading keeps the same crossing: no action', values: [[0, 75], [60, 75], [75, 75]], actions: [] },
    { name: 'a dry reading makes it unreachable: disarms', values: [[0, 75], [60, 75], [75, 60]], actions: [{ type: 'disarm', timer: SUSTAINED_TIMER }] },
  ]
  it.each(armCases)('$name', ({ values, actions }) => {
    let s = init().state
    let last: RuleAction[] = []
    for (const [minute, value] of values) ({ state: s, actions: last } = step(s, minute, value))
    expect(last).toEqual(actions)
  })

  it('raises from a record that arrives after the due time, keyed by the crossing, not the record', () => {
    let s = init().state
    for (const m of [0, 30, 60, 90]) s = step(s, m, 75).state
    expect(s.timerAt).toBe(T0 + 120 * MIN)
    const late = step(s, 130, 75)
    expect(late.actions[0]).toEqual({ type: 'raise', key: String(T0 + 120 * MIN), occurredAt: T0 + 120 * MIN, facts: { value: 75, limit: 70, minutes: 130, forMinutes: 120, withinMinutes: 720 } })
  })

  it('a retried or delayed timer raises the same key', () => {
    let s = init().state
    for (const m of [0, 30, 60, 90]) s = step(s, m, 75).state
    const a = sustainedKind.onTimer(s, SUSTAINED_TIMER, F01, LONDON, T0 + 120 * MIN)
    const b = sustainedKind.onTimer(s, SUSTAINED_TIMER, F01, LONDON, T0 + 125 * MIN)
    expect(a.actions[0]).toMatchObject({ type: 'raise', key: String(T0 + 120 * MIN) })
    expect(b.actions[0]).toMatchObject({ type: 'raise', key: String(T0 + 120 * MIN) })
  })

  it('re-arms after its timer fires (the clear projection)', () => {
    let s = init().state
    for (const m of [0, 30, 60, 90]) s = step(s, m, 75).state
    const fired = sustainedKind.onTimer(s, SUSTAINED_TIMER, F01, LONDON, T0 + 120 * MIN)
    // last reading 01:30 holds to 02:30: 2.5 h counted; under 2 h once 00:30 leaves the 12 h window
    expect(fired.actions[1]).toEqual({ type: 'arm', timer: SUSTAINED_TIMER, at: T0 + 750 * MIN + 1 })
  })

  const ignored: { name: string; record: IngestRecord }[] = [
    { name: 'an older reading (late)', record: rh(T0 + 20 * MIN, 99) },
    { name: 'a resent reading (same ts)', record: rh(T0 + 30 * MIN, 99) },
    { name: 'another metric', record: rh(T0 + 40 * MIN, 99, 'temperature') },
    { name: 'an event', record: eventRecord({ eventType: 'door.opened', ts: T0 + 40 * MIN }) },
  ]
  it.each(ignored)('ignores $name: state unchanged', ({ record }) => {
    let s = init().state
    s = step(s, 0, 75).state
    s = step(s, 30, 75).state
    expect(sustainedKind.onRecord(s, record, F01, LONDON, T0 + 41 * MIN)).toEqual({ state: s, actions: [] })
  })

  it('ignores timers of other names', () => {
    const s = step(init().state, 0, 75).state
    expect(sustainedKind.onTimer(s, 'other', F01, LONDON, T0 + 600 * MIN)).toEqual({ state: s, actions: [] })
  })

  it('keeps state bounded: a value flipping every minute for 14 h keeps at most MAX_PARTS intervals, all inside the window', () => {
    const flips = series('2026-11-21T00:00Z', '2026-11-21T14:00Z', 1, (t) => ((t / MIN) % 2 === 0 ? 75 : 60))
    const { state, log } = drive(F01, flips, '2026-11-21T14:00Z')
    // the 120th minute of 75 % ends at 03:59
    expect(log).toEqual(['raise 2026-11-21T03:59Z (120 min)'])
    expect(state.counted.length).toBe(MAX_PARTS)
    // 02:00-14:00 held half the time: 360 min; joined intervals keep it to within 1 % of the window
    expect(Math.abs(totalAt(state.counted, at('2026-11-21T14:00Z'), 720 * MIN) / MIN - 360)).toBeLessThanOrEqual(7.2)
    expect(state.counted.every(([, b]) => b > at('2026-11-21T14:00Z') - 720 * MIN)).toBe(true)
    expect(JSON.stringify(state).length).toBeLessThan(12_000)
  })

  const odd: { name: string; state: unknown; record: unknown }[] = [
    { name: 'no state', state: undefined, record: rh(T0, 75) },
    { name: 'a state of another shape', state: { counted: 'x' }, record: rh(T0, 75) },
    { name: 'a NaN value', state: undefined, record: rh(T0, Number.NaN) },
    { name: 'metrics missing', state: undefined, record: { ...rh(T0, 75), metrics: undefined } },
  ]
  it.each(odd)('never throws on odd input: $name', ({ state, record }) => {
    expect(() => sustainedKind.onRecord(state as SustainedState, record as IngestRecord, F01, LONDON, T0)).not.toThrow()
  })

  it('an unknown zone falls back to Europe/London instead of throwing', () => {
    const p = params({ metric: 'humidity', above: 70, forMinutes: 60, withinMinutes: 720, window: { start: '22:00', end: '06:00' } })
    expect(drive(p, series('2026-11-21T21:00Z', '2026-11-22T01:00Z', 15, 75), '2026-11-22T01:00Z', { ...LONDON, timeZone: 'Nowhere/Land' }).log).toEqual(['raise 2026-11-21T23:00Z (60 min)'])
  })
})
