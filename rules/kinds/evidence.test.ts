import { describe, expect, it } from 'vitest'
import type { IngestRecord } from '../../lib/records.ts'
import type { AnyRuleKind } from '../engine/types.ts'
import { absenceKind } from './absence.ts'
import { baselineKind } from './baseline.ts'
import { happenedAt, matches, type Match, receivedAt } from './evidence.ts'
import { inactivityKind } from './inactivity.ts'
import { calorifierKind } from './legionella-calorifier.ts'
import { legionellaDrawKind } from './legionella-draw.ts'
import { outletUnusedKind } from './legionella-unused.ts'
import { sequenceKind } from './sequence.ts'
import { at, event, SUBJECT, telemetry } from './simulate.testing.ts'

const T = at('2026-11-21T10:00')

describe('matches', () => {
  const cases: { name: string; record: IngestRecord; match: Match | undefined; expected: boolean }[] = [
    { name: 'no match: any event', record: event('motion.detected', T), match: undefined, expected: true },
    { name: 'no match: any telemetry', record: telemetry({ temperature: 20 }, T), match: undefined, expected: true },
    { name: 'empty match: any record', record: event('door.opened', T), match: {}, expected: true },
    { name: 'no match: not a disconnect Lookout recorded', record: event('device.disconnected', T), match: undefined, expected: false },
    { name: 'no match: not a registration', record: event('device.registered', T), match: undefined, expected: false },
    { name: 'no match: a connect is the device itself', record: event('device.connected', T), match: undefined, expected: true },
    { name: 'eventTypes: a listed type', record: event('motion.detected', T), match: { eventTypes: ['motion.detected'] }, expected: true },
    { name: 'eventTypes: another type', record: event('door.opened', T), match: { eventTypes: ['motion.detected'] }, expected: false },
    { name: 'eventTypes only: telemetry does not count', record: telemetry({ temperature: 20 }, T), match: { eventTypes: ['motion.detected'] }, expected: false },
    { name: 'metrics: telemetry carrying one', record: telemetry({ temperature: 20, battery_pct: 80 }, T), match: { metrics: ['battery_pct'] }, expected: true },
    { name: 'metrics: telemetry without it', record: telemetry({ temperature: 20 }, T), match: { metrics: ['battery_pct'] }, expected: false },
    { name: 'metrics only: events do not count', record: event('motion.detected', T), match: { metrics: ['battery_pct'] }, expected: false },
    { name: 'both: either counts', record: event('status.heartbeat', T), match: { eventTypes: ['status.heartbeat'], metrics: ['battery_pct'] }, expected: true },
    { name: 'odd input: null', record: null as unknown as IngestRecord, match: undefined, expected: false },
  ]
  it.each(cases)('$name → $expected', ({ record, match, expected }) => {
    expect(matches(record, match)).toBe(expected)
  })
})

describe('happenedAt / receivedAt', () => {
  it.each([
    { name: 'ts in the past', record: event('x', T - 1000), now: T, happened: T - 1000 },
    { name: 'a fast device clock is capped at now', record: event('x', T + 3_600_000), now: T, happened: T },
    { name: 'odd ts', record: { ...event('x', T), ts: Number.NaN }, now: T, happened: undefined },
  ])('$name', ({ record, now, happened }) => {
    expect(happenedAt(record, now)).toBe(happened)
  })
  it('receivedAt is capped at now', () => {
    expect(receivedAt(event('x', T, { receivedAt: T + 5 }), T)).toBe(T)
  })
})

describe('the kinds never throw on odd input', () => {
  const kinds: { name: string; kind: AnyRuleKind; params: unknown }[] = [
    { name: 'absence interval', kind: absenceKind, params: { expectedIntervalMinutes: 15 } },
    { name: 'absence daily', kind: absenceKind, params: { window: { start: '06:00', end: '09:00' } } },
    { name: 'inactivity', kind: inactivityKind, params: {} },
    { name: 'sequence', kind: sequenceKind, params: { first: ['bed.exited'], then: ['bed.entered'], withinMinutes: 45, window: { start: '22:00', end: '06:00' } } },
    { name: 'baseline', kind: baselineKind, params: { match: { eventTypes: ['motion.detected'] }, window: { start: '22:00', end: '07:00' }, direction: 'up' } },
    { name: 'legionella draw', kind: legionellaDrawKind, params: {} },
    { name: 'outlet unused', kind: outletUnusedKind, params: {} },
    { name: 'calorifier', kind: calorifierKind, params: {} },
  ]
  const odd: IngestRecord[] = [
    null as unknown as IngestRecord,
    {} as IngestRecord,
    { ...event('bed.exited', T), ts: Number.NaN },
    { ...event('bed.exited', T), eventType: 42 as unknown as string },
    { ...telemetry({}, T), metrics: null as unknown as Record<string, number> },
    telemetry({ water_temperature: Number.NaN, flow_temperature: Number.POSITIVE_INFINITY }, T),
  ]
  it.each(kinds)('$name: odd records, damaged state, unknown timers and an unknown zone', ({ kind, params }) => {
    const p = kind.params.parse(params)
    const subject = { ...SUBJECT, timeZone: 'Mars/Olympus_Mons' }
    const init = kind.init(p, subject, T)
    for (const record of odd) {
      expect(() => kind.onRecord(init.state, record, p, subject, T + 1000)).not.toThrow()
      expect(() => kind.onRecord({ v: 99 }, record, p, subject, T + 1000)).not.toThrow()
    }
    expect(() => kind.onTimer(init.state, 'no-such-timer', p, subject, T + 1000)).not.toThrow()
    expect(() => kind.onTimer(null, 'window-end', p, subject, T + 1000)).not.toThrow()
    expect(kind.onRecord(init.state, event('bed.exited', T + 1000), p, SUBJECT, T + 1000).actions.filter((a) => a.type === 'raise')).toEqual([])
  })
})
