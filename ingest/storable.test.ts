import { describe, expect, it } from 'vitest'
import { RESERVED_FIELD_NAMES, TAG_KEYS, type IngestRecord } from '../lib/records.ts'
import { eventRecord, FIXTURE_TS, telemetryRecord } from '../test/fixtures/records.ts'
import { MAX_UNMAPPED_KEY_LENGTH, storableRecords, unmappedFieldKey } from './storable.ts'

describe('RESERVED_FIELD_NAMES', () => {
  it('is every tag key and time', () => {
    expect([...RESERVED_FIELD_NAMES].sort()).toEqual([...TAG_KEYS, 'time'].sort())
  })
})

describe('storableRecords refuses', () => {
  const cases: { name: string; record: IngestRecord; reason: string; detail?: string }[] = [
    ...RESERVED_FIELD_NAMES.map((name) => ({
      name: `a metric named ${name}`,
      record: telemetryRecord({ metrics: { temperature: 20, [name]: 1 } }),
      reason: 'metric_name_reserved',
      detail: `metric ${name} is reserved`,
    })),
    { name: 'a metric name line protocol would need to escape', record: telemetryRecord({ metrics: { 'a b': 1 } }), reason: 'payload_invalid' },
    { name: 'an empty metric name', record: telemetryRecord({ metrics: { '': 1 } }), reason: 'payload_invalid' },
    { name: 'a NaN metric', record: telemetryRecord({ metrics: { temperature: Number.NaN } }), reason: 'payload_invalid' },
    { name: 'an infinite metric', record: telemetryRecord({ metrics: { temperature: Number.POSITIVE_INFINITY } }), reason: 'payload_invalid' },
    { name: 'a negative infinite metric', record: telemetryRecord({ metrics: { temperature: Number.NEGATIVE_INFINITY } }), reason: 'payload_invalid' },
    { name: 'an unmapped value that is not text', record: telemetryRecord({ unmapped: { x: 1 as unknown as string } }), reason: 'payload_invalid' },
    { name: 'a time before 2000', record: telemetryRecord({ ts: Date.UTC(1999, 11, 31) }), reason: 'payload_invalid' },
    { name: 'a time before InfluxDB\'s range (1677)', record: eventRecord({ ts: -9.3e12 }), reason: 'payload_invalid' },
    { name: 'a time that is not whole milliseconds', record: eventRecord({ ts: FIXTURE_TS + 0.5 }), reason: 'payload_invalid' },
    { name: 'a time after InfluxDB\'s range (2262)', record: eventRecord({ ts: 9.3e12 }), reason: 'timestamp_in_future' },
    { name: 'a time more than 5 minutes ahead of receipt', record: eventRecord({ ts: FIXTURE_TS + 300_001, receivedAt: FIXTURE_TS }), reason: 'timestamp_in_future' },
    { name: 'an empty tenant', record: eventRecord({ tenant: '' }), reason: 'payload_invalid' },
    { name: 'a device id with a line break', record: eventRecord({ deviceId: 'a\nb' }), reason: 'payload_invalid' },
    { name: 'a site ending in a backslash', record: telemetryRecord({ site: 'flat\\' }), reason: 'payload_invalid' },
    { name: 'an empty event type', record: eventRecord({ eventType: '' }), reason: 'payload_invalid' },
  ]
  it.each(cases)('$name ($reason)', ({ record, reason, detail }) => {
    const result = storableRecords([eventRecord(), record])
    expect(result).toMatchObject({ ok: false, reason })
    if (detail !== undefined && !result.ok) expect(result.detail).toContain(detail)
  })
})

describe('storableRecords keeps', () => {
  it('valid records as they are (the same objects)', () => {
    const records = [eventRecord(), telemetryRecord({ unmapped: { 'rx.rssi': '-97', 'a b,c=d': 'x' } }), eventRecord({ ts: FIXTURE_TS + 300_000, receivedAt: FIXTURE_TS })]
    const result = storableRecords(records)
    expect(result.ok && result.records.every((r, i) => r === records[i])).toBe(true)
  })

  it('vendor fields under safe names, values unchanged, a clash numbered', () => {
    const result = storableRecords([telemetryRecord({ metrics: {}, unmapped: { time: '5', time_: '6', tenant: 'b', '': 'e', 'a\\b': 'c' } })])
    expect(result.ok && result.records[0]!.kind === 'telemetry' && result.records[0]!.unmapped).toEqual({ time_: '5', 'time_#2': '6', tenant_: 'b', _empty: 'e', a_b: 'c' })
  })
})

describe('unmappedFieldKey', () => {
  const cases = [
    ...RESERVED_FIELD_NAMES.map((name) => ({ name, key: `${name}_` })),
    { name: '', key: '_empty' },
    { name: 'line\nbreak', key: 'line_break' },
    { name: 'cr\rtab\tnul\u0000del\u007f', key: 'cr_tab_nul_del_' },
    { name: 'ends\\', key: 'ends_' },
    { name: 'back\\slash', key: 'back_slash' },
    { name: '\\', key: '_' },
    { name: 'odd, name = "x"', key: 'odd, name = "x"' },
    { name: 'air.temperature#2', key: 'air.temperature#2' },
    { name: 'Time', key: 'Time' },
    { name: 'é'.repeat(200), key: `${'é'.repeat(MAX_UNMAPPED_KEY_LENGTH - 1)}…` },
    { name: '😀'.repeat(200), key: `${'😀'.repeat(MAX_UNMAPPED_KEY_LENGTH - 1)}…` },
    { name: 'k'.repeat(MAX_UNMAPPED_KEY_LENGTH), key: 'k'.repeat(MAX_UNMAPPED_KEY_LENGTH) },
  ]
  it.each(cases)('$name → $key', ({ name, key }) => {
    expect(unmappedFieldKey(name)).toBe(key)
  })
})
