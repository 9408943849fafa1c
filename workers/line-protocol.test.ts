import { describe, it, expect } from 'vitest'
import { TAG_KEYS } from '../lib/records.ts'
import { escapeTag, toLine, toLines } from './line-protocol.ts'
import { eventRecord, FIXTURE_TS, telemetryRecord } from '../test/fixtures/records.ts'

const TS = FIXTURE_TS
const event = eventRecord
const telemetry = telemetryRecord

describe('toLine', () => {
  it('writes an event as events,<sorted tags> value=1i <ms>', () => {
    expect(toLine(event())).toBe(
      'events,device=pendant-001,device_type=pendant,event=pendant.pressed,site=flat-12,tenant=acme value=1i 1795255200000',
    )
  })

  it('writes telemetry as telemetry,<sorted tags> <metrics> <ms>, with no event tag', () => {
    expect(toLine(telemetry())).toBe(
      'telemetry,device=env-007,device_type=environment-sensor,site=flat-12,tenant=acme temperature=17.5,humidity=72 1795255200000',
    )
  })

  it('uses the record ts, not receivedAt, as the timestamp', () => {
    expect(toLine(event({ ts: 1, receivedAt: 2 })).endsWith(' value=1i 1')).toBe(true)
  })

  const metricCases: { name: string; metrics: Record<string, number>; expected: string }[] = [
    { name: 'writes a fractional metric as a plain float', metrics: { t: 17.25 }, expected: 't=17.25' },
    { name: 'writes a whole-number metric without an i suffix (a float field)', metrics: { co2: 412 }, expected: 'co2=412' },
    { name: 'writes a negative metric', metrics: { t: -3.5 }, expected: 't=-3.5' },
    { name: 'writes zero', metrics: { t: 0 }, expected: 't=0' },
    { name: 'writes a very large metric in exponent form', metrics: { e: 1e21 }, expected: 'e=1e+21' },
    { name: 'writes a very small metric in exponent form', metrics: { e: 1e-7 }, expected: 'e=1e-7' },
    { name: 'keeps metrics in the order given, comma-separated', metrics: { b: 1, a: 2.5, c: 3 }, expected: 'b=1,a=2.5,c=3' },
  ]
  it.each(metricCases)('$name', ({ metrics, expected }) => {
    const line = toLine(telemetry({ metrics }))
    expect(line).toBe(`telemetry,device=env-007,device_type=environment-sensor,site=flat-12,tenant=acme ${expected} 1795255200000`)
  })
})

describe('escapeTag', () => {
  const cases: { name: string; input: string; expected: string }[] = [
    { name: 'escapes a comma', input: 'a,b', expected: 'a\\,b' },
    { name: 'escapes a space', input: 'a b', expected: 'a\\ b' },
    { name: 'escapes an equals sign', input: 'a=b', expected: 'a\\=b' },
    { name: 'escapes a backslash', input: 'a\\b', expected: 'a\\\\b' },
    { name: 'escapes every occurrence, mixed', input: ' ,=\\ ', expected: '\\ \\,\\=\\\\\\ ' },
    { name: 'leaves dots, dashes and underscores alone', input: 'flat-12.b_2', expected: 'flat-12.b_2' },
    { name: 'leaves an empty string empty', input: '', expected: '' },
  ]
  it.each(cases)('$name', ({ input, expected }) => {
    expect(escapeTag(input)).toBe(expected)
  })

  it('escapes special characters in every tag value of a line', () => {
    const line = toLine(event({ site: 'flat 12', deviceType: 'a=b', tenant: 'x,y', deviceId: 'p\\1' }))
    expect(line).toBe('events,device=p\\\\1,device_type=a\\=b,event=pendant.pressed,site=flat\\ 12,tenant=x\\,y value=1i 1795255200000')
  })
})

describe('toLines', () => {
  it('joins one line per record with \\n, in order, with no trailing newline', () => {
    const records = [event(), telemetry({ metrics: { t: 1.5 } }), event({ eventType: 'fall.detected', ts: TS + 1 })]
    expect(toLines(records)).toBe(
      [
        'events,device=pendant-001,device_type=pendant,event=pendant.pressed,site=flat-12,tenant=acme value=1i 1795255200000',
        'telemetry,device=env-007,device_type=environment-sensor,site=flat-12,tenant=acme t=1.5 1795255200000',
        'events,device=pendant-001,device_type=pendant,event=fall.detected,site=flat-12,tenant=acme value=1i 1795255200001',
      ].join('\n'),
    )
  })

  it('gives an empty string for no records', () => {
    expect(toLines([])).toBe('')
  })
})

describe('source tags and unmapped fields', () => {
  it('adds a source tag in sorted position when the record names its source', () => {
    expect(toLine(telemetry({ source: 'chirpstack' }))).toBe(
      'telemetry,device=env-007,device_type=environment-sensor,site=flat-12,source=chirpstack,tenant=acme temperature=17.5,humidity=72 1795255200000',
    )
  })

  it('writes unmapped vendor fields as string fields of telemetry_unmapped, quotes escaped', () => {
    const lines = toLine(telemetry({ metrics: { temperature: 20 }, unmapped: { 'rx.rssi': '-97', note: 'say "hi" \\' } })).split('\n')
    expect(lines).toEqual([
      'telemetry,device=env-007,device_type=environment-sensor,site=flat-12,tenant=acme temperature=20 1795255200000',
      'telemetry_unmapped,device=env-007,device_type=environment-sensor,site=flat-12,tenant=acme rx.rssi="-97",note="say \\"hi\\" \\\\" 1795255200000',
    ])
  })

  it('writes only the unmapped line when a record has no canonical metric', () => {
    expect(toLines([telemetry({ metrics: {}, unmapped: { x: '1' } })])).toBe(
      'telemetry_unmapped,device=env-007,device_type=environment-sensor,site=flat-12,tenant=acme x="1" 1795255200000',
    )
  })
})

describe('connection events', () => {
  it('writes the broker own connect and disconnect records to the connections measurement', () => {
    expect(toLine(event({ source: 'broker', eventType: 'device.connected' }))).toBe(
      'connections,device=pendant-001,device_type=pendant,event=device.connected,site=flat-12,source=broker,tenant=acme value=1i 1795255200000',
    )
  })
})

describe('tag keys', () => {
  it('writes no tag key that lib/records.ts TAG_KEYS does not list (ingest refuses fields of those names)', () => {
    const lines = [event(), event({ source: 'broker', eventType: 'device.connected' }), telemetry({ source: 'senml', unmapped: { x: '1' } })].map(toLine).join('\n').split('\n')
    const keys = new Set(lines.flatMap((line) => line.split(' ')[0]!.split(',').slice(1).map((tag) => tag.split('=')[0]!)))
    expect([...keys].sort()).toEqual([...TAG_KEYS].sort())
  })
})
