/**
 * Every parser returns { ok: false } on bad input and never throws (style.md 8.5: a throw takes
 * down the ingest loop). Seeded, so a failure reproduces.
 */
import { describe, expect, it } from 'vitest'
import { normalizeFields } from '../vocabulary/normalize.ts'
import { parseChirpstackJoin, parseChirpstackLog, parseChirpstackStatus, parseChirpstackTopic, parseChirpstackUp, type ChirpstackTopic } from './chirpstack.ts'
import { parseJson } from './json.ts'
import { parseSenml } from './senml.ts'
import { parseDeviceStatus } from './status.ts'
import { parseTtsTopic, parseTtsUplink } from './tts.ts'

function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

const LABELS = ['bn', 'bt', 'bu', 'bv', 'bs', 'bver', 'n', 'u', 'v', 'vs', 'vb', 'vd', 's', 't', 'ut', 'status', 'stc', 'dty', 'mty', 'ts', 'battery',
  'deviceInfo', 'devEui', 'applicationId', 'deduplicationId', 'time', 'fPort', 'fCnt', 'data', 'object', 'end_device_ids', 'device_id',
  'application_ids', 'application_id', 'dev_eui', 'uplink_message', 'f_port', 'f_cnt', 'frm_payload', 'decoded_payload', 'correlation_ids',
  'received_at', 'batteryLevel', 'margin', 'code', 'level', 'temperature', 'leakage_status', 'x_', '__proto__']
const STRINGS = ['', 'a', 'Cel', '%RH', '0085', '0009', 'PI', 'heartbeat', 'battery', 'leak', '2025-01-15T07:42:10Z', '1999-01-01T00:00:00Z',
  '24e124707c123456', '5b7e0c2a-6f8e-4b0e-9a55-2f4f2c1d9e01', 'AXVcBQAB', '!!', 'urn:dev:x:', 'as:up:1']
const NUMBERS = [0, -1, 1, 0.5, 1e9, 1.7e9, 2 ** 28, 255, 256, Number.POSITIVE_INFINITY, Number.NaN, -1e300]

function value(next: () => number, depth: number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
  const kind = Math.floor(next() * (depth > 3 ? 5 : 7))
  switch (kind) {
    case 0: return null
    case 1: return next() < 0.5
    case 2: return pick(NUMBERS)
    case 3: return pick(STRINGS)
    case 4: return undefined
    case 5: return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1))
    default: {
      const out: Record<string, unknown> = {}
      for (let i = Math.floor(next() * 6); i > 0; i--) Object.defineProperty(out, pick(LABELS), { value: value(next, depth + 1), enumerable: true, configurable: true, writable: true })
      return out
    }
  }
}

describe('parsers never throw', () => {
  const receivedAt = Date.parse('2025-01-15T07:42:11Z')
  const csTopics: ChirpstackTopic[] = (['up', 'status', 'log', 'join'] as const).map((event) => ({ applicationId: '5b7e0c2a-6f8e-4b0e-9a55-2f4f2c1d9e01', devEui: '24e124707c123456', event }))
  const tts = { applicationId: 'app', deviceId: 'dev', event: 'up' as const }

  it('on 1000 random JSON-like values', () => {
    const next = random(428)
    let answered = 0
    for (let i = 0; i < 1000; i++) {
      const input = value(next, 0)
      const results = [
        parseSenml(input, receivedAt),
        parseSenml([input, input], receivedAt),
        parseDeviceStatus(input, receivedAt),
        parseTtsUplink(input, tts, receivedAt),
        ...csTopics.flatMap((topic) => [parseChirpstackUp(input, topic, receivedAt), parseChirpstackStatus(input, topic, receivedAt), parseChirpstackLog(input, topic, receivedAt), parseChirpstackJoin(input, topic, receivedAt)]),
      ]
      answered += results.filter((result) => typeof result.ok === 'boolean').length
      if (input !== null && typeof input === 'object' && !Array.isArray(input)) normalizeFields(input as Record<string, unknown>)
    }
    expect(answered).toBe(1000 * 20)
  })

  it('on random bytes and topics', () => {
    const next = random(8428)
    let answered = 0
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(next() * 40) }, () => Math.floor(next() * 256)))
      const topic = bytes.toString('latin1')
      answered += [parseJson(bytes), parseChirpstackTopic(topic), parseTtsTopic(topic)].filter((result) => typeof result.ok === 'boolean').length
    }
    expect(answered).toBe(2000 * 3)
  })

  it('normalizeFields on a cyclic object', () => {
    const cyclic: Record<string, unknown> = { temperature: 21 }
    cyclic.self = cyclic
    const result = normalizeFields(cyclic)
    expect(result.metrics).toEqual({ temperature: 21 })
    expect(Object.values(result.unmapped)).toContain('[unserialisable]')
  })
})
