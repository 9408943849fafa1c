import { describe, expect, it } from 'vitest'
import type { IngestRecord } from '../../lib/records.ts'
import { eventRecord, telemetryRecord } from '../../test/fixtures/records.ts'
import type { RuleAction, Subject } from '../engine/types.ts'
import { immediateKind, ImmediateParams, type ImmediateState } from './immediate.ts'

const LONDON: Subject = { tenant: 'acme', deviceId: 'door-001', deviceType: 'door-contact', site: 'flat-12', timeZone: 'Europe/London' }
const at = (iso: string) => Date.parse(iso)
const params = (p: unknown) => ImmediateParams.parse(p)
const NIGHT = params({ eventTypes: ['door.opened'], window: { start: '22:00', end: '06:00' } })

function fire(p: ImmediateParams, record: IngestRecord, subject: Subject = LONDON, state?: ImmediateState): RuleAction[] {
  const s = state ?? immediateKind.init(p, subject, record.ts).state
  return immediateKind.onRecord(s, record, p, subject, record.ts + 500).actions
}

/** Runs records in order and lists what each one did, e.g. "raise 1000", "clear 1000@2000". */
function run(p: ImmediateParams, records: IngestRecord[], subject: Subject = LONDON): { actions: string[]; state: ImmediateState } {
  let state = immediateKind.init(p, subject, 0).state
  const actions: string[] = []
  for (const record of records) {
    const step = immediateKind.onRecord(state, record, p, subject, record.ts + 500)
    state = step.state
    for (const a of step.actions) actions.push(a.type === 'raise' ? `raise ${a.key}` : a.type === 'clear' ? `clear ${a.key}@${a.at}` : a.type)
  }
  return { actions, state }
}

describe('immediate params', () => {
  const bad: { name: string; input: unknown; path: string; says: string }[] = [
    { name: 'no eventTypes', input: {}, path: 'eventTypes', says: 'eventTypes' },
    { name: 'empty eventTypes', input: { eventTypes: [] }, path: 'eventTypes', says: 'eventTypes' },
    { name: 'an event type that is not dotted lower-case', input: { eventTypes: ['Door Opened'] }, path: 'eventTypes.0', says: 'eventTypes' },
    { name: 'a window start that is not HH:MM', input: { eventTypes: ['door.opened'], window: { start: '24:00', end: '06:00' } }, path: 'window.start', says: 'HH:MM' },
    { name: 'a window with equal start and end', input: { eventTypes: ['door.opened'], window: { start: '22:00', end: '22:00' } }, path: 'window', says: 'window' },
    { name: 'a metric with neither equals nor above', input: { eventTypes: ['flood.detected'], metric: { name: 'leak' } }, path: 'metric.equals', says: 'metric' },
    { name: 'a metric with both equals and above', input: { eventTypes: ['flood.detected'], metric: { name: 'leak', equals: 1, above: 0 } }, path: 'metric.equals', says: 'metric' },
    { name: 'a metric name with capitals', input: { eventTypes: ['flood.detected'], metric: { name: 'Leak', equals: 1 } }, path: 'metric.name', says: 'metric.name' },
    { name: 'a non-numeric equals', input: { eventTypes: ['flood.detected'], metric: { name: 'leak', equals: 'leak' } }, path: 'metric.equals', says: 'metric.equals' },
    { name: 'an unknown field (typo)', input: { eventTypes: ['door.opened'], windows: { start: '22:00', end: '06:00' } }, path: '', says: 'windows' },
  ]
  it.each(bad)('rejects $name, naming the field', ({ input, path, says }) => {
    const result = ImmediateParams.safeParse(input)
    expect(result.success).toBe(false)
    const issue = result.error!.issues[0]!
    expect(issue.path.join('.')).toBe(path)
    expect(issue.message).toContain(says)
  })

  it('accepts event types, a night window and a leak metric', () => {
    expect(params({ eventTypes: ['flood.detected'], window: { start: '22:00', end: '06:00' }, metric: { name: 'leak', equals: 1 } })).toEqual({
      eventTypes: ['flood.detected'],
      window: { start: '22:00', end: '06:00' },
      metric: { name: 'leak', equals: 1 },
    })
  })
})

describe('immediate init', () => {
  it('starts empty, with no timers', () => {
    expect(immediateKind.init(NIGHT, LONDON, 0)).toEqual({ state: { lastMetricTs: null, metricOn: false, metricKey: null }, actions: [] })
  })
})

describe('immediate events fire', () => {
  const cases: { name: string; p: ImmediateParams; ts: string; subject?: Subject }[] = [
    { name: 'R01 pendant press, no window', p: params({ eventTypes: ['pendant.pressed', 'pullcord.pulled'] }), ts: '2026-11-21T10:00:00Z' },
    { name: 'R08 door at 22:00 GMT (window start is inclusive)', p: NIGHT, ts: '2026-11-21T22:00:00Z' },
    { name: 'R08 door at 23:30 GMT', p: NIGHT, ts: '2026-11-21T23:30:00Z' },
    { name: 'R08 door just after midnight', p: NIGHT, ts: '2026-11-22T00:10:00Z' },
    { name: 'R08 door at 05:59 GMT', p: NIGHT, ts: '2026-11-22T05:59:59Z' },
    { name: 'R08 door at 22:00 BST (21:00 UTC) in summer', p: NIGHT, ts: '2026-07-01T21:00:00Z' },
    { name: 'spring-forward night: 00:59 GMT, before the change', p: NIGHT, ts: '2026-03-29T00:59:00Z' },
    { name: 'spring-forward night: 02:30 BST, after the change', p: NIGHT, ts: '2026-03-29T01:30:00Z' },
    { name: 'spring-forward night: 05:59 BST (04:59 UTC)', p: NIGHT, ts: '2026-03-29T04:59:00Z' },
    { name: 'fall-back night: 22:00 BST (21:00 UTC)', p: NIGHT, ts: '2026-10-24T21:00:00Z' },
    { name: 'fall-back night: first 01:30 (BST, 00:30 UTC)', p: NIGHT, ts: '2026-10-25T00:30:00Z' },
    { name: 'fall-back night: second 01:30 (GMT, 01:30 UTC)', p: NIGHT, ts: '2026-10-25T01:30:00Z' },
    { name: 'fall-back night: 05:59 GMT', p: NIGHT, ts: '2026-10-25T05:59:00Z' },
    { name: "the subject's zone, not UTC: 22:30 in New York (03:30 UTC)", p: NIGHT, ts: '2026-11-22T03:30:00Z', subject: { ...LONDON, timeZone: 'America/New_York' } },
    { name: 'an unknown zone falls back to Europe/London', p: NIGHT, ts: '2026-11-21T23:00:00Z', subject: { ...LONDON, timeZone: 'Mars/Olympus' } },
  ]
  it.each(cases)('$name', ({ p, ts, subject }) => {
    const t = at(ts)
    const type = p.eventTypes[p.eventTypes.length - 1]!
    expect(fire(p, eventRecord({ eventType: type, ts: t }), subject)).toEqual([{ type: 'raise', key: String(t), occurredAt: t, facts: { eventType: type } }])
  })

  it('a late event still fires, dated when it happened (the window is read at ts, not at the decision time)', () => {
    const t = at('2026-11-22T05:59:00Z')
    const late = immediateKind.onRecord(immediateKind.init(NIGHT, LONDON, 0).state, eventRecord({ eventType: 'door.opened', ts: t }), NIGHT, LONDON, t + 2 * 3_600_000)
    expect(late.actions).toEqual([{ type: 'raise', key: String(t), occurredAt: t, facts: { eventType: 'door.opened' } }])
  })

  it('a resent event raises the same key (the store keeps one alert)', () => {
    const record = eventRecord({ eventType: 'pendant.pressed' })
    const p = params({ eventTypes: ['pendant.pressed'] })
    expect(fire(p, record)).toEqual(fire(p, record))
  })
})

describe('immediate events do not fire', () => {
  const cases: { name: string; p: ImmediateParams; record: IngestRecord; subject?: Subject }[] = [
    { name: 'another event type', p: NIGHT, record: eventRecord({ eventType: 'door.closed', ts: at('2026-11-21T23:00:00Z') }) },
    { name: 'a type that only starts the same', p: NIGHT, record: eventRecord({ eventType: 'door.opened.test', ts: at('2026-11-21T23:00:00Z') }) },
    { name: 'telemetry when the rule has no metric', p: NIGHT, record: telemetryRecord({ ts: at('2026-11-21T23:00:00Z'), metrics: { leak: 1 } }) },
    { name: 'R08 door at 21:59 GMT', p: NIGHT, record: eventRecord({ eventType: 'door.opened', ts: at('2026-11-21T21:59:59Z') }) },
    { name: 'R08 door at 06:00 GMT (window end is exclusive)', p: NIGHT, record: eventRecord({ eventType: 'door.opened', ts: at('2026-11-22T06:00:00Z') }) },
    { name: 'R08 door at 12:00', p: NIGHT, record: eventRecord({ eventType: 'door.opened', ts: at('2026-11-21T12:00:00Z') }) },
    { name: 'R08 door at 21:30 BST (20:30 UTC) in summer', p: NIGHT, record: eventRecord({ eventType: 'door.opened', ts: at('2026-07-01T20:30:00Z') }) },
    { name: 'spring-forward morning: 06:00 BST (05:00 UTC)', p: NIGHT, record: eventRecord({ eventType: 'door.opened', ts: at('2026-03-29T05:00:00Z') }) },
    { name: 'spring-forward eve: 21:59 GMT', p: NIGHT, record: eventRecord({ eventType: 'door.opened', ts: at('2026-03-28T21:59:00Z') }) },
    { name: 'fall-back eve: 21:59 BST (20:59 UTC)', p: NIGHT, record: eventRecord({ eventType: 'door.opened', ts: at('2026-10-24T20:59:00Z') }) },
    { name: 'fall-back morning: 06:00 GMT', p: NIGHT, record: eventRecord({ eventType: 'door.opened', ts: at('2026-10-25T06:00:00Z') }) },
    { name: "the subject's zone: 18:00 in New York (23:00 UTC)", p: NIGHT, record: eventRecord({ eventType: 'door.opened', ts: at('2026-11-21T23:00:00Z') }), subject: { ...LONDON, timeZone: 'America/New_York' } },
  ]
  it.each(cases)('$name', ({ p, record, subject }) => {
    expect(fire(p, record, subject)).toEqual([])
  })
})

describe('immediate metric (F11 LoRa leak sensor: leak = 1) is edge-triggered', () => {
  const LEAK = params({ eventTypes: ['flood.detected'], metric: { name: 'leak', equals: 1 } })
  const T = at('2026-11-21T10:00:00Z')
  const leak = (minute: number, value: number | Record<string, number>) =>
    telemetryRecord({ ts: T + minute * 60_000, metrics: typeof value === 'number' ? { leak: value, battery: 90 } : value })
  const key = (minute: number) => String(T + minute * 60_000)

  const cases: { name: string; p: ImmediateParams; records: IngestRecord[]; actions: string[]; subject?: Subject }[] = [
    { name: 'dry readings raise nothing', p: LEAK, records: [leak(0, 0), leak(1, 0)], actions: [] },
    { name: 'raises once when it becomes 1, not again while it stays 1', p: LEAK, records: [leak(0, 0), leak(1, 1), leak(2, 1), leak(3, 1)], actions: [`raise ${key(1)}`] },
    { name: 'the first reading being 1 raises', p: LEAK, records: [leak(0, 1)], actions: [`raise ${key(0)}`] },
    {
      name: 'clears when it is 0 again, and a new leak is a new episode',
      p: LEAK,
      records: [leak(0, 1), leak(5, 0), leak(6, 0), leak(9, 1)],
      actions: [`raise ${key(0)}`, `clear ${key(0)}@${T + 5 * 60_000}`, `raise ${key(9)}`],
    },
    { name: 'a resent reading (same ts) is ignored', p: LEAK, records: [leak(0, 1), leak(5, 0), leak(5, 0)], actions: [`raise ${key(0)}`, `clear ${key(0)}@${T + 5 * 60_000}`] },
    { name: 'an older reading arriving late is ignored', p: LEAK, records: [leak(0, 0), leak(5, 1), leak(3, 0), leak(6, 1)], actions: [`raise ${key(5)}`] },
    { name: 'other metrics and a record without leak are ignored', p: LEAK, records: [leak(0, { temperature: 1 }), leak(1, { battery: 1 })], actions: [] },
    { name: 'a value other than `equals` is not true', p: LEAK, records: [leak(0, 2), leak(1, 0.5)], actions: [] },
    {
      name: '`above` compares strictly',
      p: params({ eventTypes: ['flood.detected'], metric: { name: 'water_mm', above: 3 } }),
      records: [leak(0, { water_mm: 3 }), leak(1, { water_mm: 3.5 }), leak(2, { water_mm: 2 })],
      actions: [`raise ${key(1)}`, `clear ${key(1)}@${T + 2 * 60_000}`],
    },
    {
      name: 'the event and the metric both fire (the store dedupes by key when they share a ts)',
      p: LEAK,
      records: [eventRecord({ eventType: 'flood.detected', ts: T }), leak(1, 1)],
      actions: [`raise ${key(0)}`, `raise ${key(1)}`],
    },
  ]
  it.each(cases)('$name', ({ p, records, actions, subject }) => {
    expect(run(p, records, subject).actions).toEqual(actions)
  })

  it('with a window, an edge outside it raises nothing and needs to turn false before it can fire inside', () => {
    const p = params({ eventTypes: ['flood.detected'], window: { start: '22:00', end: '06:00' }, metric: { name: 'leak', equals: 1 } })
    const evening = at('2026-11-21T21:50:00Z')
    const r = (minute: number, v: number) => telemetryRecord({ ts: evening + minute * 60_000, metrics: { leak: v } })
    expect(run(p, [r(0, 1), r(20, 1), r(30, 0), r(40, 1), r(50, 0)]).actions).toEqual([`raise ${evening + 40 * 60_000}`, `clear ${evening + 40 * 60_000}@${evening + 50 * 60_000}`])
  })

  it('keeps JSON state, and survives a round trip through storage', () => {
    const { state } = run(LEAK, [leak(0, 1)])
    expect(state).toEqual({ lastMetricTs: T, metricOn: true, metricKey: key(0) })
    const stored = JSON.parse(JSON.stringify(state)) as ImmediateState
    expect(immediateKind.onRecord(stored, leak(1, 0), LEAK, LONDON, T).actions).toEqual([{ type: 'clear', key: key(0), at: T + 60_000 }])
  })
})

describe('immediate never throws on odd input', () => {
  const p = params({ eventTypes: ['pendant.pressed'], metric: { name: 'leak', equals: 1 } })
  const odd: { name: string; state: unknown; record: unknown }[] = [
    { name: 'no state', state: undefined, record: eventRecord() },
    { name: 'a state of another shape', state: { readings: 3 }, record: telemetryRecord({ metrics: { leak: 1 } }) },
    { name: 'a NaN metric', state: undefined, record: telemetryRecord({ metrics: { leak: Number.NaN } }) },
    { name: 'metrics missing', state: undefined, record: { ...telemetryRecord(), metrics: undefined } },
    { name: 'a record of an unknown kind', state: undefined, record: { ...eventRecord(), kind: 'audit' } },
  ]
  it.each(odd)('$name', ({ state, record }) => {
    expect(() => immediateKind.onRecord(state as ImmediateState, record as IngestRecord, p, LONDON, 0)).not.toThrow()
  })

  it('ignores timers', () => {
    const state = immediateKind.init(p, LONDON, 0).state
    expect(immediateKind.onTimer(state, 'anything', p, LONDON, 0)).toEqual({ state, actions: [] })
  })
})
