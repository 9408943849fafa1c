import { describe, expect, it } from 'vitest'
import { eventRecord, telemetryRecord } from '../../test/fixtures/records.ts'
import type { IngestRecord } from '../../lib/records.ts'
import { countedParts, isBeyond, metricOf, zoneOf } from './common-metric.ts'

const at = (iso: string) => Date.parse(iso)
const H = 3_600_000
const NIGHT = { start: '22:00', end: '06:00' }
const total = (parts: [number, number][]) => parts.reduce((sum, [a, b]) => sum + b - a, 0) / H

describe('countedParts', () => {
  const cases: { name: string; from: string; to: string; window?: { start: string; end: string }; months?: number[]; hours: number; first?: string }[] = [
    { name: 'no window, no months: all of it', from: '2026-11-21T00:00Z', to: '2026-11-21T05:00Z', hours: 5 },
    { name: 'an ordinary night 22:00-06:00 is 8 h', from: '2026-11-21T12:00Z', to: '2026-11-22T12:00Z', window: NIGHT, hours: 8, first: '2026-11-21T22:00:00.000Z' },
    { name: 'the spring-forward night (29 Mar 2026) is 7 h', from: '2026-03-28T12:00Z', to: '2026-03-29T12:00Z', window: NIGHT, hours: 7, first: '2026-03-28T22:00:00.000Z' },
    { name: 'the fall-back night (25 Oct 2026) is 9 h', from: '2026-10-24T12:00Z', to: '2026-10-25T12:00Z', window: NIGHT, hours: 9, first: '2026-10-24T21:00:00.000Z' },
    { name: 'a summer night starts at 22:00 BST (21:00 UTC)', from: '2026-07-01T12:00Z', to: '2026-07-02T12:00Z', window: NIGHT, hours: 8, first: '2026-07-01T21:00:00.000Z' },
    { name: 'starting inside the window counts from the start', from: '2026-11-22T03:00Z', to: '2026-11-22T12:00Z', window: NIGHT, hours: 3, first: '2026-11-22T03:00:00.000Z' },
    { name: 'a day window 07:00-23:00 over two days is 32 h', from: '2026-11-21T00:00Z', to: '2026-11-23T00:00Z', window: { start: '07:00', end: '23:00' }, hours: 32 },
    { name: 'months: October starts at local midnight (30 Sep 23:00 UTC)', from: '2026-09-30T20:00Z', to: '2026-10-01T02:00Z', months: [10], hours: 3, first: '2026-09-30T23:00:00.000Z' },
    { name: 'months: outside them, nothing', from: '2026-05-10T00:00Z', to: '2026-05-11T00:00Z', months: [10, 11, 12, 1, 2, 3, 4], hours: 0 },
    { name: 'months and window together: April nights stop at 1 May 00:00 BST', from: '2026-04-30T12:00Z', to: '2026-05-01T12:00Z', window: NIGHT, months: [4], hours: 2, first: '2026-04-30T21:00:00.000Z' },
    { name: 'an empty or reversed interval', from: '2026-11-21T05:00Z', to: '2026-11-21T05:00Z', hours: 0 },
  ]
  it.each(cases)('$name', ({ from, to, window, months, hours, first }) => {
    const parts = countedParts(at(from), at(to), 'Europe/London', window, months)
    expect(total(parts)).toBe(hours)
    if (first !== undefined) expect(new Date(parts[0]![0]).toISOString()).toBe(first)
  })
})

describe('metricOf', () => {
  const cases: { name: string; record: unknown; metric?: string; value: number | undefined }[] = [
    { name: 'a telemetry value', record: telemetryRecord({ metrics: { humidity: 72.5 } }), value: 72.5 },
    { name: 'another metric', record: telemetryRecord({ metrics: { temperature: 20 } }), value: undefined },
    { name: 'an event', record: eventRecord(), value: undefined },
    { name: 'NaN', record: telemetryRecord({ metrics: { humidity: Number.NaN } }), value: undefined },
    { name: 'a string value', record: { ...telemetryRecord(), metrics: { humidity: '72' } }, value: undefined },
    { name: 'an inherited name (toString)', record: telemetryRecord({ metrics: {} }), metric: 'toString', value: undefined },
    { name: 'no ts', record: { ...telemetryRecord({ metrics: { humidity: 1 } }), ts: undefined }, value: undefined },
    { name: 'null', record: null, value: undefined },
  ]
  it.each(cases)('$name', ({ record, metric, value }) => {
    expect(metricOf(record as IngestRecord, metric ?? 'humidity')).toBe(value)
  })
})

describe('isBeyond and zoneOf', () => {
  it('compares strictly on the side that is set', () => {
    expect([isBeyond(70, { above: 70 }), isBeyond(70.1, { above: 70 }), isBeyond(18, { below: 18 }), isBeyond(17.9, { below: 18 })]).toEqual([false, true, false, true])
  })
  it('falls back to Europe/London for an unknown or empty zone', () => {
    const subject = { tenant: 't', deviceId: 'd', deviceType: 'x', site: 's' }
    expect([zoneOf({ ...subject, timeZone: 'America/New_York' }), zoneOf({ ...subject, timeZone: 'Nowhere/Land' }), zoneOf({ ...subject, timeZone: '' })]).toEqual([
      'America/New_York',
      'Europe/London',
      'Europe/London',
    ])
  })
})
