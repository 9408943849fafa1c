import { describe, it, expect } from 'vitest'
import { evaluateImmediateEvent, IMMEDIATE_EVENT_RULES } from './immediate-events.ts'
import type { EventRecord, IngestRecord } from '../lib/records.ts'
import { eventRecord, FIXTURE_TS, telemetryRecord } from '../test/fixtures/records.ts'

const OCCURRED = FIXTURE_TS
const NOW = OCCURRED + 1_250
const event = eventRecord
const telemetry = telemetryRecord({ deviceId: 'pendant-001', deviceType: 'pendant', metrics: { battery_pct: 3 } })

describe('IMMEDIATE_EVENT_RULES', () => {
  it('covers pendant, pull-cord, fall and smoke, all P1', () => {
    expect(IMMEDIATE_EVENT_RULES.map((r) => [r.eventType, r.id, r.priority])).toEqual([
      ['pendant.pressed', 'pendant-press', 'P1'],
      ['pullcord.pulled', 'pull-cord', 'P1'],
      ['fall.detected', 'fall-detected', 'P1'],
      ['smoke.detected', 'smoke-alarm', 'P1'],
    ])
  })
})

describe('evaluateImmediateEvent fires', () => {
  const cases = IMMEDIATE_EVENT_RULES.map((rule) => ({ name: `one ${rule.id} candidate for a ${rule.eventType} event`, rule }))
  it.each(cases)('$name', ({ rule }) => {
    const record = event({ eventType: rule.eventType, deviceType: 'hub' })
    expect(evaluateImmediateEvent(record, IMMEDIATE_EVENT_RULES, NOW)).toEqual([
      {
        rule: rule.id,
        priority: rule.priority,
        title: rule.title,
        tenant: 'acme',
        deviceId: 'pendant-001',
        site: 'flat-12',
        deviceType: 'hub',
        occurredAt: OCCURRED,
        raisedAt: NOW,
        dedupeKey: `acme|pendant-001|${rule.id}|${OCCURRED}`,
      },
    ])
  })
})

describe('evaluateImmediateEvent does not fire for', () => {
  const cases: { name: string; record: IngestRecord }[] = [
    { name: 'a telemetry record', record: telemetry },
    { name: 'a pendant.battery_low event', record: event({ eventType: 'pendant.battery_low' }) },
    { name: 'a door.opened event', record: event({ eventType: 'door.opened' }) },
    { name: 'a pendant.released event', record: event({ eventType: 'pendant.released' }) },
    { name: 'a longer type that starts with a rule type (pendant.pressed.test)', record: event({ eventType: 'pendant.pressed.test' }) },
    { name: 'a type that differs only in case (Pendant.Pressed)', record: event({ eventType: 'Pendant.Pressed' }) },
    { name: 'a rule type with a suffix (smoke.detected_test)', record: event({ eventType: 'smoke.detected_test' }) },
  ]
  it.each(cases)('$name', ({ record }) => {
    expect(evaluateImmediateEvent(record, IMMEDIATE_EVENT_RULES, NOW)).toEqual([])
  })

  it('a matching event when given no rules', () => {
    expect(evaluateImmediateEvent(event(), [], NOW)).toEqual([])
  })
})

describe('evaluateImmediateEvent dedupeKey', () => {
  const keyOf = (record: IngestRecord, now = NOW): string => {
    const [candidate, ...rest] = evaluateImmediateEvent(record, IMMEDIATE_EVENT_RULES, now)
    expect(rest).toEqual([])
    if (!candidate) throw new Error('expected one candidate')
    return candidate.dedupeKey
  }

  it('is the same for the same trigger evaluated at two different times', () => {
    const record = event()
    expect(keyOf(record, NOW)).toBe(keyOf(record, NOW + 60_000))
  })

  it('ignores receipt time, so a resent message dedupes against the first', () => {
    expect(keyOf(event({ receivedAt: OCCURRED + 40 }))).toBe(keyOf(event({ receivedAt: OCCURRED + 9_000 })))
  })

  const differing: { name: string; other: EventRecord }[] = [
    { name: 'differs for another device', other: event({ deviceId: 'pendant-002' }) },
    { name: 'differs for another tenant', other: event({ tenant: 'globex' }) },
    { name: 'differs for another event time', other: event({ ts: OCCURRED + 1 }) },
    { name: 'differs for another rule', other: event({ eventType: 'fall.detected' }) },
  ]
  it.each(differing)('$name', ({ other }) => {
    expect(keyOf(other)).not.toBe(keyOf(event()))
  })
})
