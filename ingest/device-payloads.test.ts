import { describe, it, expect } from 'vitest'
import { decodeDevicePayload, MAX_CLOCK_AHEAD_MS, MAX_METRICS, type DecodeResult, type RejectReason } from './device-payloads.ts'
import { seededRandom } from '../lib/seeded-random.ts'
type DeviceChannel = 'events' | 'telemetry'

const RECEIVED_AT = Date.UTC(2026, 10, 21, 10, 0, 0)
const MAX_BYTES = 16_384

const decode = (channel: DeviceChannel, payload: string | Buffer, maxBytes = MAX_BYTES): DecodeResult =>
  decodeDevicePayload(channel, typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload, RECEIVED_AT, maxBytes)

const manyMetrics = (n: number): string => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`m${i}`, i])))
const isoAt = (ms: number): string => new Date(ms).toISOString()

describe('decodeDevicePayload accepts', () => {
  const cases: { name: string; channel: DeviceChannel; payload: string; expected: unknown }[] = [
    { name: 'an event with a UTC ts, parsed to epoch ms', channel: 'events', payload: '{"type":"pendant.pressed","ts":"2026-11-21T09:59:00Z"}', expected: { kind: 'event', ts: Date.UTC(2026, 10, 21, 9, 59, 0), eventType: 'pendant.pressed' } },
    { name: 'an event without ts, timed at receipt', channel: 'events', payload: '{"type":"fall.detected"}', expected: { kind: 'event', ts: RECEIVED_AT, eventType: 'fall.detected' } },
    { name: 'an event with a +01:00 offset, converted to UTC', channel: 'events', payload: '{"type":"smoke.detected","ts":"2026-11-21T10:30:00+01:00"}', expected: { kind: 'event', ts: Date.UTC(2026, 10, 21, 9, 30, 0), eventType: 'smoke.detected' } },
    { name: 'an event with a -05:00 offset and milliseconds', channel: 'events', payload: '{"type":"door.opened","ts":"2026-11-21T04:00:00.250-05:00"}', expected: { kind: 'event', ts: Date.UTC(2026, 10, 21, 9, 0, 0, 250), eventType: 'door.opened' } },
    { name: 'an event type with four segments, digits, "_" and "-"', channel: 'events', payload: '{"type":"a1.b_2.c-3.d"}', expected: { kind: 'event', ts: RECEIVED_AT, eventType: 'a1.b_2.c-3.d' } },
    { name: 'telemetry with ts and two metrics', channel: 'telemetry', payload: '{"ts":"2026-11-21T10:00:00Z","temperature":17.5,"humidity":72}', expected: { kind: 'telemetry', ts: RECEIVED_AT, metrics: { temperature: 17.5, humidity: 72 } } },
    { name: 'telemetry without ts, timed at receipt', channel: 'telemetry', payload: '{"battery_pct":-3.25}', expected: { kind: 'telemetry', ts: RECEIVED_AT, metrics: { battery_pct: -3.25 } } },
    { name: 'telemetry with a +05:30 offset', channel: 'telemetry', payload: '{"ts":"2026-11-21T15:00:00+05:30","co2":412}', expected: { kind: 'telemetry', ts: Date.UTC(2026, 10, 21, 9, 30, 0), metrics: { co2: 412 } } },
    { name: `telemetry with exactly MAX_METRICS (${MAX_METRICS}) metrics`, channel: 'telemetry', payload: manyMetrics(MAX_METRICS), expected: { kind: 'telemetry', ts: RECEIVED_AT, metrics: JSON.parse(manyMetrics(MAX_METRICS)) } },
    { name: 'an event whose ts is just inside the clock-ahead allowance', channel: 'events', payload: JSON.stringify({ type: 'pendant.pressed', ts: isoAt(RECEIVED_AT + MAX_CLOCK_AHEAD_MS) }), expected: { kind: 'event', ts: RECEIVED_AT + MAX_CLOCK_AHEAD_MS, eventType: 'pendant.pressed' } },
  ]
  it.each(cases)('$name', ({ channel, payload, expected }) => {
    expect(decode(channel, payload)).toEqual({ ok: true, value: expected })
  })

  it('accepts a payload of exactly maxBytes', () => {
    const payload = '{"type":"pendant.pressed"}'
    expect(decode('events', payload, Buffer.byteLength(payload)).ok).toBe(true)
  })
})

describe('decodeDevicePayload rejects', () => {
  const cases: { name: string; channel: DeviceChannel; payload: string; reason: RejectReason; maxBytes?: number }[] = [
    { name: 'a payload one byte over maxBytes', channel: 'events', payload: '{"type":"pendant.pressed"}', maxBytes: 25, reason: 'payload_too_large' },
    { name: 'text that is not JSON', channel: 'events', payload: 'pendant pressed', reason: 'payload_not_json' },
    { name: 'truncated JSON', channel: 'telemetry', payload: '{"temperature":17', reason: 'payload_not_json' },
    { name: 'an empty payload', channel: 'events', payload: '', reason: 'payload_not_json' },
    { name: 'an event without type', channel: 'events', payload: '{"ts":"2026-11-21T10:00:00Z"}', reason: 'payload_invalid' },
    { name: 'an event type with one segment', channel: 'events', payload: '{"type":"pendant"}', reason: 'payload_invalid' },
    { name: 'an event type in upper case', channel: 'events', payload: '{"type":"Pendant.Pressed"}', reason: 'payload_invalid' },
    { name: 'an event type with five segments', channel: 'events', payload: '{"type":"a.b.c.d.e"}', reason: 'payload_invalid' },
    { name: 'an event type longer than 64 characters', channel: 'events', payload: JSON.stringify({ type: `a.${'b'.repeat(63)}` }), reason: 'payload_invalid' },
    { name: 'an event with an extra key', channel: 'events', payload: '{"type":"pendant.pressed","battery":3}', reason: 'payload_invalid' },
    { name: 'an event that is a JSON array', channel: 'events', payload: '["pendant.pressed"]', reason: 'payload_invalid' },
    { name: 'telemetry that is JSON null', channel: 'telemetry', payload: 'null', reason: 'payload_invalid' },
    { name: 'telemetry with a string metric value', channel: 'telemetry', payload: '{"temperature":"17.5"}', reason: 'payload_invalid' },
    { name: 'telemetry with a boolean metric value', channel: 'telemetry', payload: '{"door_open":true}', reason: 'payload_invalid' },
    { name: 'telemetry with a metric that overflows to Infinity', channel: 'telemetry', payload: '{"temperature":1e400}', reason: 'payload_invalid' },
    { name: 'telemetry with no metrics', channel: 'telemetry', payload: '{"ts":"2026-11-21T10:00:00Z"}', reason: 'payload_invalid' },
    { name: 'telemetry with a metric name in upper case', channel: 'telemetry', payload: '{"Temperature":17.5}', reason: 'payload_invalid' },
    { name: 'telemetry with a metric name starting with a digit', channel: 'telemetry', payload: '{"1temp":17.5}', reason: 'payload_invalid' },
    { name: 'telemetry with a metric name containing a dot', channel: 'telemetry', payload: '{"temp.c":17.5}', reason: 'payload_invalid' },
    { name: `telemetry with MAX_METRICS + 1 (${MAX_METRICS + 1}) metrics`, channel: 'telemetry', payload: manyMetrics(MAX_METRICS + 1), reason: 'payload_invalid' },
    { name: 'a ts without a time zone', channel: 'events', payload: '{"type":"pendant.pressed","ts":"2026-11-21T10:00:00"}', reason: 'payload_invalid' },
    { name: 'a ts that is a date only', channel: 'telemetry', payload: '{"ts":"2026-11-21","temperature":17.5}', reason: 'payload_invalid' },
    { name: 'a ts on a day that does not exist', channel: 'events', payload: '{"type":"pendant.pressed","ts":"2026-02-30T10:00:00Z"}', reason: 'payload_invalid' },
    { name: 'a ts given as epoch ms (not a string)', channel: 'events', payload: `{"type":"pendant.pressed","ts":${RECEIVED_AT}}`, reason: 'payload_invalid' },
    { name: 'a ts given as epoch ms in telemetry', channel: 'telemetry', payload: `{"ts":${RECEIVED_AT},"temperature":17.5}`, reason: 'payload_invalid' },
    { name: 'an event ts 1 ms beyond the clock-ahead allowance', channel: 'events', payload: JSON.stringify({ type: 'pendant.pressed', ts: isoAt(RECEIVED_AT + MAX_CLOCK_AHEAD_MS + 1) }), reason: 'timestamp_in_future' },
    { name: 'telemetry with a __proto__ key', channel: 'telemetry', payload: '{"__proto__":{"a":1},"b":2}', reason: 'payload_invalid' },
    { name: 'an event with a constructor key', channel: 'events', payload: '{"type":"pendant.pressed","constructor":1}', reason: 'payload_invalid' },
    { name: 'a ts from a clock reset to 1970', channel: 'events', payload: '{"type":"pendant.pressed","ts":"1970-01-01T00:00:05Z"}', reason: 'payload_invalid' },
    { name: 'a ts in year 0000', channel: 'telemetry', payload: '{"ts":"0000-01-01T00:00:00Z","temperature":17.5}', reason: 'payload_invalid' },
    { name: 'a telemetry ts one hour ahead (offset applied)', channel: 'telemetry', payload: '{"ts":"2026-11-21T12:00:00+01:00","temperature":17.5}', reason: 'timestamp_in_future' },
  ]
  it.each(cases)('$name', ({ channel, payload, reason, maxBytes }) => {
    const result = decode(channel, payload, maxBytes)
    expect(result).toMatchObject({ ok: false, reason })
    if (!result.ok) expect(result.detail.length).toBeGreaterThan(0)
  })
})

describe('a rejection detail never repeats payload values', () => {
  const cases: { name: string; channel: DeviceChannel; payload: string }[] = [
    { name: 'a string metric value', channel: 'telemetry', payload: '{"resident":"Mrs Smith","temperature":17.5}' },
    { name: 'an event type', channel: 'events', payload: '{"type":"Mrs Smith"}' },
    { name: 'a ts', channel: 'events', payload: '{"type":"pendant.pressed","ts":"Mrs Smith"}' },
    { name: 'an extra event key', channel: 'events', payload: '{"type":"pendant.pressed","resident":"Mrs Smith"}' },
    { name: 'a nested value', channel: 'telemetry', payload: '{"temperature":{"who":"Mrs Smith"}}' },
    { name: 'text that is not JSON', channel: 'events', payload: 'Mrs Smith' },
  ]
  it.each(cases)('$name', ({ channel, payload }) => {
    const result = decode(channel, payload)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.detail).not.toContain('Mrs Smith')
  })
})


const KEYS = ['type', 'ts', 'temperature', 'humidity', 'co2', 'Bad Key', '__proto__', 'constructor', '1x', '']
const VALUES: unknown[] = ['pendant.pressed', 'door.opened', 'Pendant', '2026-11-21T10:00:00Z', '2026-11-21T10:00:00+01:00', '2030-01-01T00:00:00Z', '2026-11-21T10:00:00', 17.5, 0, -1, 1e308, null, true, [], {}, [1, 'a'], { a: 1 }]

function randomPayload(rand: () => number): Buffer {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T
  const mode = rand()
  if (mode < 0.3) return Buffer.from(Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * 256)))
  if (mode < 0.4) return Buffer.from(JSON.stringify(pick(VALUES)))
  // start from a valid event or telemetry body, then add random keys, so both outcomes are common
  const obj: Record<string, unknown> = rand() < 0.5 ? { type: 'pendant.pressed' } : { temperature: 17.5 }
  for (let i = Math.floor(rand() * 3); i > 0; i--) Object.defineProperty(obj, pick(KEYS), { value: pick(VALUES), enumerable: true, configurable: true, writable: true })
  const bytes = Buffer.from(JSON.stringify(obj))
  if (mode > 0.85 && bytes.length > 0) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256)
  return bytes
}

function isValidValue(channel: DeviceChannel, result: Extract<DecodeResult, { ok: true }>): boolean {
  const v = result.value
  if (!Number.isSafeInteger(v.ts) || v.ts > RECEIVED_AT + MAX_CLOCK_AHEAD_MS) return false
  if (v.kind === 'event') return channel === 'events' && /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*){1,3}$/.test(v.eventType) && v.eventType.length <= 64
  const entries = Object.entries(v.metrics)
  return (
    channel === 'telemetry' &&
    entries.length >= 1 &&
    entries.length <= MAX_METRICS &&
    entries.every(([name, value]) => name !== 'ts' && /^[a-z][a-z0-9_]{0,63}$/.test(name) && Number.isFinite(value))
  )
}

describe('decodeDevicePayload under fuzzing', () => {
  it('never throws on 2,000 seeded random buffers and returns a rejection or a valid value', () => {
    const rand = seededRandom(20261121)
    const tally = { accepted: 0, rejected: 0 }
    for (let i = 0; i < 2000; i++) {
      const channel: DeviceChannel = rand() < 0.5 ? 'events' : 'telemetry'
      const payload = randomPayload(rand)
      const result = decodeDevicePayload(channel, payload, RECEIVED_AT, 256)
      if (result.ok) {
        tally.accepted++
        expect(isValidValue(channel, result), `accepted ${payload.toString('utf8')}`).toBe(true)
      } else {
        tally.rejected++
        expect(typeof result.detail).toBe('string')
      }
    }
    // the generator must reach both outcomes, or the run proves nothing
    expect(tally.accepted).toBeGreaterThan(100)
    expect(tally.rejected).toBeGreaterThan(1000)
  })
})
