import { describe, expect, it } from 'vitest'
import { normalizeFields } from '../vocabulary/normalize.ts'
import {
  parseChirpstackJoin,
  parseChirpstackLog,
  parseChirpstackStatus,
  parseChirpstackTopic,
  parseChirpstackUp,
  type ChirpstackTopic,
} from './chirpstack.ts'
import type { FormatRejectReason } from './types.ts'

const APP = '5b7e0c2a-6f8e-4b0e-9a55-2f4f2c1d9e01'
const EUI = '24e124707c123456'
const topic = (event: ChirpstackTopic['event']): ChirpstackTopic => ({ applicationId: APP, devEui: EUI, event })
const receivedAt = Date.parse('2025-01-15T07:42:11Z')

/** The worked example of docs/domain.md C1: the documented field names, made-up values. */
const C1_UP = {
  deduplicationId: '9d3a1c2e-4b7f-4e21-8a0c-3f5d2b6e7a90',
  time: '2025-01-15T07:42:10.123456+00:00',
  deviceInfo: {
    tenantId: '52f14cd4-c6f1-4fbd-8f87-4025e1d49242',
    tenantName: 'Council Housing',
    applicationId: APP,
    applicationName: 'sheltered-schemes',
    deviceProfileId: '14855bf7-d10d-4aee-b618-ebfcb64dc7ad',
    deviceProfileName: 'milesight-am103',
    deviceName: 'flat-12-bedroom',
    devEui: EUI,
    tags: { uprn: '100023336956', room: 'bedroom' },
  },
  devAddr: '00189440',
  adr: true,
  dr: 5,
  fCnt: 1042,
  fPort: 85,
  data: 'AXVcA2c0AQRoZQd95wQ=',
  object: { battery: 92, temperature: 30.8, humidity: 50.5, co2: 1255 },
  rxInfo: [
    {
      gatewayId: '0016c001f153a14c',
      uplinkId: 4217106255,
      rssi: -97,
      snr: 6.5,
      context: 'E3OWOQ==',
      metadata: { region_common_name: 'EU868', region_name: 'eu868' },
    },
  ],
  txInfo: { frequency: 867100000, modulation: { lora: { bandwidth: 125000, spreadingFactor: 7, codeRate: 'CR_4_5' } } },
}
const AM103_BYTES = [0x01, 0x75, 0x5c, 0x03, 0x67, 0x34, 0x01, 0x04, 0x68, 0x65, 0x07, 0x7d, 0xe7, 0x04]

describe('parseChirpstackTopic', () => {
  const cases: { topic: string; expected: unknown }[] = [
    { topic: `application/${APP}/device/${EUI}/event/up`, expected: { ok: true, value: { applicationId: APP, devEui: EUI, event: 'up' } } },
    { topic: `application/${APP}/device/${EUI}/event/status`, expected: { ok: true, value: { applicationId: APP, devEui: EUI, event: 'status' } } },
    { topic: `application/${APP}/device/${EUI}/event/log`, expected: { ok: true, value: { applicationId: APP, devEui: EUI, event: 'log' } } },
    { topic: `application/${APP}/device/${EUI}/event/join`, expected: { ok: true, value: { applicationId: APP, devEui: EUI, event: 'join' } } },
    {
      topic: `application/${APP.toUpperCase()}/device/24E124707C123456/event/up`,
      expected: { ok: true, value: { applicationId: APP, devEui: EUI, event: 'up' } },
    },
    ...['ack', 'txack', 'location', 'integration'].map((event) => ({
      topic: `application/${APP}/device/${EUI}/event/${event}`,
      expected: { ok: false, reason: 'event_ignored', detail: `ChirpStack ${event} events are not consumed` },
    })),
    ...[
      `application/${APP}/device/${EUI}/event/other`,
      `application/${APP}/device/${EUI}/command/down`,
      `application/${APP}/device/24e124707c12345/event/up`,
      `application/not-a-uuid/device/${EUI}/event/up`,
      `application/${APP}/device/${EUI}/event/up/extra`,
      `devices/${EUI}/events`,
      '',
    ].map((t) => ({ topic: t, expected: { ok: false, reason: 'topic_invalid', detail: expect.any(String) } })),
  ]
  it.each(cases)('$topic', ({ topic: t, expected }) => {
    expect(parseChirpstackTopic(t)).toEqual(expected)
  })
})

describe('parseChirpstackUp', () => {
  it('docs/domain.md C1 example', () => {
    expect(parseChirpstackUp(C1_UP, topic('up'), receivedAt)).toEqual({
      ok: true,
      value: {
        devEui: EUI,
        ts: Date.parse('2025-01-15T07:42:10.123Z'),
        fPort: 85,
        fCnt: 1042,
        bytes: AM103_BYTES,
        dedupeId: '9d3a1c2e-4b7f-4e21-8a0c-3f5d2b6e7a90',
        applicationId: APP,
        tenantId: '52f14cd4-c6f1-4fbd-8f87-4025e1d49242',
        deviceProfileName: 'milesight-am103',
        tags: { uprn: '100023336956', room: 'bedroom' },
        object: { battery: 92, temperature: 30.8, humidity: 50.5, co2: 1255 },
      },
    })
  })

  it('the object maps through the vocabulary', () => {
    const up = parseChirpstackUp(C1_UP, topic('up'), receivedAt)
    expect(up.ok && up.value.object && normalizeFields(up.value.object)).toEqual({
      metrics: { battery: 92, temperature: 30.8, humidity: 50.5, co2: 1255 },
      events: [],
      unmapped: {},
    })
  })

  it('omitted defaults (fCnt, fPort, data, time, object) are filled in', () => {
    const minimal = { deduplicationId: 'd-1', deviceInfo: { applicationId: APP, devEui: EUI } }
    expect(parseChirpstackUp(minimal, topic('up'), receivedAt)).toEqual({
      ok: true,
      value: { devEui: EUI, ts: receivedAt, fPort: 0, fCnt: 0, bytes: [], dedupeId: 'd-1', applicationId: APP },
    })
  })

  it('an upper-case DevEUI in deviceInfo is the same device', () => {
    const up = { ...C1_UP, deviceInfo: { ...C1_UP.deviceInfo, devEui: EUI.toUpperCase() } }
    expect(parseChirpstackUp(up, topic('up'), receivedAt).ok).toBe(true)
  })

  const bad: { name: string; payload: unknown; topic?: ChirpstackTopic; reason: FormatRejectReason; detail: RegExp }[] = [
    { name: 'not an object', payload: null, reason: 'uplink_invalid', detail: /^ChirpStack up event: / },
    { name: 'no deduplicationId', payload: { ...C1_UP, deduplicationId: undefined }, reason: 'uplink_invalid', detail: /deduplicationId/ },
    { name: 'no deviceInfo', payload: { ...C1_UP, deviceInfo: undefined }, reason: 'uplink_invalid', detail: /deviceInfo/ },
    { name: 'devEui not 16 hex digits', payload: { ...C1_UP, deviceInfo: { ...C1_UP.deviceInfo, devEui: 'secret' } }, reason: 'uplink_invalid', detail: /deviceInfo\.devEui: must be a DevEUI/ },
    { name: 'another device than the topic', payload: { ...C1_UP, deviceInfo: { ...C1_UP.deviceInfo, devEui: '0000000000000001' } }, reason: 'uplink_invalid', detail: /deviceInfo\.devEui differs from the DevEUI in the topic/ },
    { name: 'another application than the topic', payload: { ...C1_UP, deviceInfo: { ...C1_UP.deviceInfo, applicationId: '00000000-0000-0000-0000-000000000000' } }, reason: 'uplink_invalid', detail: /applicationId differs/ },
    { name: 'fPort above 255', payload: { ...C1_UP, fPort: 256 }, reason: 'uplink_invalid', detail: /fPort/ },
    { name: 'negative fCnt', payload: { ...C1_UP, fCnt: -1 }, reason: 'uplink_invalid', detail: /fCnt/ },
    { name: 'data not base64', payload: { ...C1_UP, data: 'secret!!' }, reason: 'uplink_invalid', detail: /data: must be base64/ },
    { name: 'data longer than a LoRaWAN payload', payload: { ...C1_UP, data: Buffer.alloc(256).toString('base64') }, reason: 'uplink_invalid', detail: /longer than a LoRaWAN payload/ },
    { name: 'object is an array', payload: { ...C1_UP, object: [1] }, reason: 'uplink_invalid', detail: /object/ },
    { name: 'time not RFC 3339', payload: { ...C1_UP, time: 'yesterday' }, reason: 'uplink_invalid', detail: /time: must be an RFC 3339/ },
    { name: 'time 10 minutes ahead', payload: { ...C1_UP, time: '2025-01-15T07:52:11Z' }, reason: 'timestamp_in_future', detail: /time is more than 5 minutes ahead/ },
    { name: 'time before 2000', payload: { ...C1_UP, time: '1999-12-31T23:59:59Z' }, reason: 'payload_invalid', detail: /before 2000/ },
    { name: 'a forbidden key in object', payload: { ...C1_UP, object: JSON.parse('{"__proto__":{"x":1}}') }, reason: 'payload_invalid', detail: /object\.__proto__ is not allowed/ },
    { name: 'a status topic', payload: C1_UP, topic: topic('status'), reason: 'uplink_invalid', detail: /not an uplink/ },
  ]
  it.each(bad)('$name → $reason', ({ payload, topic: t, reason, detail }) => {
    const result = parseChirpstackUp(payload, t ?? topic('up'), receivedAt)
    expect(result).toEqual({ ok: false, reason, detail: expect.stringMatching(detail) })
    if (!result.ok) expect(result.detail).not.toMatch(/secret/)
  })
})

describe('parseChirpstackStatus', () => {
  const deviceInfo = { applicationId: APP, devEui: EUI }
  const ts = Date.parse('2025-01-15T07:42:10Z')
  const cases: { name: string; payload: Record<string, unknown>; expected: unknown }[] = [
    {
      name: 'battery and margin',
      payload: { deduplicationId: 'd-2', time: '2025-01-15T07:42:10Z', deviceInfo, margin: 7, batteryLevel: 92.5 },
      expected: { devEui: EUI, dedupeId: 'd-2', normalized: { ts, metrics: { link_margin: 7, external_power: 0, battery: 92.5 }, events: [], unmapped: {} } },
    },
    {
      name: 'on external power: ChirpStack says battery 0, which is not an empty battery',
      payload: { time: '2025-01-15T07:42:10Z', deviceInfo, margin: 3, externalPowerSource: true, batteryLevel: 0 },
      expected: { devEui: EUI, normalized: { ts, metrics: { link_margin: 3, external_power: 1 }, events: [], unmapped: {} } },
    },
    {
      name: 'battery level unavailable: kept as a fact, no reading',
      payload: { time: '2025-01-15T07:42:10Z', deviceInfo, batteryLevelUnavailable: true },
      expected: { devEui: EUI, normalized: { ts, metrics: { link_margin: 0, external_power: 0 }, events: [], unmapped: { batteryLevelUnavailable: 'true' } } },
    },
  ]
  it.each(cases)('$name', ({ payload, expected }) => {
    expect(parseChirpstackStatus(payload, topic('status'), receivedAt)).toEqual({ ok: true, value: expected })
  })

  it('refuses a battery level that is not a number', () => {
    expect(parseChirpstackStatus({ deviceInfo, batteryLevel: 'secret' }, topic('status'), receivedAt)).toEqual({
      ok: false,
      reason: 'uplink_invalid',
      detail: expect.stringMatching(/^ChirpStack status event: batteryLevel/),
    })
  })

  it('refuses another device', () => {
    expect(parseChirpstackStatus({ deviceInfo: { ...deviceInfo, devEui: '0000000000000001' } }, topic('status'), receivedAt)).toMatchObject({ ok: false, reason: 'uplink_invalid' })
  })
})

describe('parseChirpstackLog', () => {
  const deviceInfo = { applicationId: APP, devEui: EUI }
  const ts = Date.parse('2025-01-15T07:42:10Z')
  const cases: { code: string; event: string[] }[] = [
    { code: 'UPLINK_CODEC', event: ['lorawan.codec_failed'] },
    { code: 'UPLINK_F_CNT_RESET', event: ['lorawan.frame_counter_reset'] },
    { code: 'UPLINK_MIC', event: ['lorawan.mic_failed'] },
    { code: 'OTAA', event: ['lorawan.join_failed'] },
    { code: 'DOWNLINK_GATEWAY', event: [] },
    { code: 'SOMETHING_NEW', event: [] },
  ]
  it.each(cases)('$code → $event, the code kept as a fact', ({ code, event }) => {
    const payload = { time: '2025-01-15T07:42:10Z', deviceInfo, level: 'ERROR', code, description: 'codec failed', context: { deduplication_id: 'd-3' } }
    expect(parseChirpstackLog(payload, topic('log'), receivedAt)).toEqual({
      ok: true,
      value: {
        devEui: EUI,
        dedupeId: 'd-3',
        normalized: { ts, metrics: {}, events: event, unmapped: { 'log.code': code, 'log.level': 'ERROR', 'log.description': 'codec failed' } },
      },
    })
  })

  it('omitted level and code are INFO and UNKNOWN (protobuf defaults)', () => {
    expect(parseChirpstackLog({ deviceInfo }, topic('log'), receivedAt)).toEqual({
      ok: true,
      value: { devEui: EUI, normalized: { ts: receivedAt, metrics: {}, events: [], unmapped: { 'log.code': 'UNKNOWN', 'log.level': 'INFO' } } },
    })
  })

  it('a long description is cut to 256 characters', () => {
    const result = parseChirpstackLog({ deviceInfo, code: 'UPLINK_CODEC', description: 'x'.repeat(1000) }, topic('log'), receivedAt)
    expect(result.ok && result.value.normalized.unmapped['log.description']).toHaveLength(256)
  })
})

describe('parseChirpstackJoin', () => {
  it('→ lorawan.joined', () => {
    const payload = { deduplicationId: 'd-4', time: '2025-01-15T07:42:10Z', deviceInfo: { applicationId: APP, devEui: EUI }, devAddr: '00189440' }
    expect(parseChirpstackJoin(payload, topic('join'), receivedAt)).toEqual({
      ok: true,
      value: { devEui: EUI, dedupeId: 'd-4', normalized: { ts: Date.parse('2025-01-15T07:42:10Z'), metrics: {}, events: ['lorawan.joined'], unmapped: { devAddr: '00189440' } } },
    })
  })

  it('refuses another event topic', () => {
    expect(parseChirpstackJoin({}, topic('up'), receivedAt)).toMatchObject({ ok: false, reason: 'uplink_invalid' })
  })
})
