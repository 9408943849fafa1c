import { describe, expect, it } from 'vitest'
import { normalizeFields } from '../vocabulary/normalize.ts'
import { parseTtsTopic, parseTtsUplink, type TtsTopic } from './tts.ts'
import type { FormatRejectReason } from './types.ts'

const receivedAt = Date.parse('2025-01-15T03:12:45Z')
const topic: TtsTopic = { applicationId: 'council-leak', tenantId: 'ttn', deviceId: 'eui-24e124136d112233', event: 'up' }

/** The worked example of docs/domain.md C2: the documented field names, made-up values. */
const C2_UP = {
  end_device_ids: {
    device_id: 'eui-24e124136d112233',
    application_ids: { application_id: 'council-leak' },
    dev_eui: '24E124136D112233',
    join_eui: '24E124C0002A0001',
    dev_addr: '260B1A2C',
  },
  correlation_ids: ['as:up:01JHK2Q8V4M7Z3T9R6C1E5N0PA'],
  received_at: '2025-01-15T03:12:44.902Z',
  uplink_message: {
    session_key_id: 'AZRw0j2kq9d1b3mXn8Yv7A==',
    f_port: 85,
    f_cnt: 311,
    frm_payload: 'AXVcBQAB',
    decoded_payload: { battery: 92, leakage_status: 'leak' },
    rx_metadata: [
      {
        gateway_ids: { gateway_id: 'estate-gw-03', eui: 'A840411D2A3B0001' },
        time: '2025-01-15T03:12:44.701Z',
        timestamp: 3718270523,
        rssi: -104,
        channel_rssi: -104,
        snr: 4.25,
        channel_index: 3,
      },
    ],
    settings: {
      data_rate: { lora: { bandwidth: 125000, spreading_factor: 9 } },
      data_rate_index: 3,
      coding_rate: '4/5',
      frequency: '867300000',
    },
    received_at: '2025-01-15T03:12:44.765Z',
    consumed_airtime: '0.144384s',
  },
}

describe('parseTtsTopic', () => {
  const cases: { topic: string; expected: unknown }[] = [
    { topic: 'v3/council-leak@ttn/devices/eui-24e124136d112233/up', expected: { ok: true, value: topic } },
    {
      topic: 'v3/council-leak/devices/eui-24e124136d112233/up',
      expected: { ok: true, value: { applicationId: 'council-leak', deviceId: 'eui-24e124136d112233', event: 'up' } },
    },
    ...['join', 'down/queued', 'down/sent', 'down/ack', 'down/nack', 'down/failed', 'service/data', 'location/solved'].map((event) => ({
      topic: `v3/council-leak@ttn/devices/eui-24e124136d112233/${event}`,
      expected: { ok: false, reason: 'event_ignored', detail: `The Things Stack ${event} messages are not consumed` },
    })),
    ...[
      'v3/council-leak@ttn/devices/eui-24e124136d112233/up/extra',
      'v3/Council-Leak@ttn/devices/eui-24e124136d112233/up',
      'v3/council--leak@ttn/devices/eui-24e124136d112233/up',
      'v3/council-leak@ttn/devices/eui-24e124136d112233',
      'v2/council-leak/devices/eui-24e124136d112233/up',
      'v3/council-leak@ttn/device/eui-24e124136d112233/up',
      '',
    ].map((t) => ({ topic: t, expected: { ok: false, reason: 'topic_invalid', detail: expect.any(String) } })),
  ]
  it.each(cases)('$topic', ({ topic: t, expected }) => {
    expect(parseTtsTopic(t)).toEqual(expected)
  })
})

describe('parseTtsUplink', () => {
  it('docs/domain.md C2 example', () => {
    expect(parseTtsUplink(C2_UP, topic, receivedAt)).toEqual({
      ok: true,
      value: {
        devEui: '24e124136d112233',
        ts: Date.parse('2025-01-15T03:12:44.765Z'),
        fPort: 85,
        fCnt: 311,
        bytes: [0x01, 0x75, 0x5c, 0x05, 0x00, 0x01],
        dedupeId: 'as:up:01JHK2Q8V4M7Z3T9R6C1E5N0PA',
        applicationId: 'council-leak',
        tenantId: 'ttn',
        deviceId: 'eui-24e124136d112233',
        decoded: { battery: 92, leakage_status: 'leak' },
      },
    })
  })

  it('the decoded payload maps through the vocabulary: leak = 1', () => {
    const up = parseTtsUplink(C2_UP, topic, receivedAt)
    expect(up.ok && up.value.decoded && normalizeFields(up.value.decoded)).toEqual({ metrics: { battery: 92, leak: 1 }, events: [], unmapped: {} })
  })

  it('TTS omits defaults: f_port, f_cnt, frm_payload; ts falls back to received_at, then the receipt time', () => {
    const { f_port: _p, f_cnt: _c, frm_payload: _f, decoded_payload: _d, received_at: _r, ...message } = C2_UP.uplink_message
    const result = parseTtsUplink({ ...C2_UP, uplink_message: message }, topic, receivedAt)
    expect(result).toMatchObject({ ok: true, value: { fPort: 0, fCnt: 0, bytes: [], ts: Date.parse('2025-01-15T03:12:44.902Z') } })
    const { received_at: _top, ...noTimes } = { ...C2_UP, uplink_message: message }
    expect(parseTtsUplink(noTimes, topic, receivedAt)).toMatchObject({ ok: true, value: { ts: receivedAt } })
  })

  it('picks the as:up correlation id among others', () => {
    const up = { ...C2_UP, correlation_ids: ['gs:uplink:01AAA', 'as:up:01BBB', 'rpc:/ttn.lorawan.v3.AppAs/Up:01CCC'] }
    expect(parseTtsUplink(up, topic, receivedAt)).toMatchObject({ ok: true, value: { dedupeId: 'as:up:01BBB' } })
  })

  it('passes the normalized payload on; it maps through the vocabulary', () => {
    const up = { ...C2_UP, uplink_message: { ...C2_UP.uplink_message, normalized_payload: [{ air: { temperature: 20, relativeHumidity: 30 } }] } }
    const result = parseTtsUplink(up, topic, receivedAt)
    expect(result.ok && result.value.normalized).toEqual([{ air: { temperature: 20, relativeHumidity: 30 } }])
    expect(result.ok && result.value.normalized?.[0] && normalizeFields(result.value.normalized[0])).toEqual({
      metrics: { temperature: 20, humidity: 30 },
      events: [],
      unmapped: {},
    })
  })

  it('names the device-repository model from version_ids', () => {
    const up = { ...C2_UP, uplink_message: { ...C2_UP.uplink_message, version_ids: { brand_id: 'browan', model_id: 'tbwl100', firmware_version: '1.0', band_id: 'EU_863_870' } } }
    expect(parseTtsUplink(up, topic, receivedAt)).toMatchObject({ ok: true, value: { model: 'browan/tbwl100' } })
  })

  it('flags a simulated uplink', () => {
    expect(parseTtsUplink({ ...C2_UP, simulated: true }, topic, receivedAt)).toMatchObject({ ok: true, value: { simulated: true } })
  })

  it('open-source TTS: no tenant', () => {
    const result = parseTtsUplink(C2_UP, { applicationId: 'council-leak', deviceId: 'eui-24e124136d112233', event: 'up' }, receivedAt)
    expect(result.ok && 'tenantId' in result.value).toBe(false)
  })

  const ids = C2_UP.end_device_ids
  const bad: { name: string; payload: unknown; reason: FormatRejectReason; detail: RegExp }[] = [
    { name: 'not an object', payload: 'secret', reason: 'uplink_invalid', detail: /^The Things Stack uplink: / },
    { name: 'no uplink_message', payload: { ...C2_UP, uplink_message: undefined }, reason: 'uplink_invalid', detail: /uplink_message/ },
    { name: 'no end_device_ids', payload: { ...C2_UP, end_device_ids: undefined }, reason: 'uplink_invalid', detail: /end_device_ids/ },
    { name: 'no DevEUI', payload: { ...C2_UP, end_device_ids: { ...ids, dev_eui: undefined } }, reason: 'uplink_invalid', detail: /dev_eui is missing/ },
    { name: 'DevEUI not 16 hex digits', payload: { ...C2_UP, end_device_ids: { ...ids, dev_eui: 'secret' } }, reason: 'uplink_invalid', detail: /dev_eui: must be a DevEUI/ },
    { name: 'another device than the topic', payload: { ...C2_UP, end_device_ids: { ...ids, device_id: 'eui-other' } }, reason: 'uplink_invalid', detail: /device_id differs/ },
    { name: 'another application than the topic', payload: { ...C2_UP, end_device_ids: { ...ids, application_ids: { application_id: 'other' } } }, reason: 'uplink_invalid', detail: /application_id differs/ },
    { name: 'no correlation ids', payload: { ...C2_UP, correlation_ids: [] }, reason: 'uplink_invalid', detail: /correlation_ids is missing or empty/ },
    { name: 'frm_payload not base64', payload: { ...C2_UP, uplink_message: { ...C2_UP.uplink_message, frm_payload: 'secret!' } }, reason: 'uplink_invalid', detail: /frm_payload: must be base64/ },
    { name: 'frm_payload too long', payload: { ...C2_UP, uplink_message: { ...C2_UP.uplink_message, frm_payload: Buffer.alloc(300).toString('base64') } }, reason: 'uplink_invalid', detail: /longer than a LoRaWAN payload/ },
    { name: 'f_port a string', payload: { ...C2_UP, uplink_message: { ...C2_UP.uplink_message, f_port: '85' } }, reason: 'uplink_invalid', detail: /f_port/ },
    { name: 'decoded_payload an array', payload: { ...C2_UP, uplink_message: { ...C2_UP.uplink_message, decoded_payload: [1] } }, reason: 'uplink_invalid', detail: /decoded_payload/ },
    { name: 'received_at 10 minutes ahead', payload: { ...C2_UP, uplink_message: { ...C2_UP.uplink_message, received_at: '2025-01-15T03:22:45Z' } }, reason: 'timestamp_in_future', detail: /uplink_message\.received_at is more than 5 minutes ahead/ },
    { name: 'received_at before 2000', payload: { ...C2_UP, uplink_message: { ...C2_UP.uplink_message, received_at: '1970-01-01T00:00:00Z' } }, reason: 'payload_invalid', detail: /before 2000/ },
    { name: 'a forbidden key in decoded_payload', payload: { ...C2_UP, uplink_message: { ...C2_UP.uplink_message, decoded_payload: JSON.parse('{"a":{"constructor":1}}') } }, reason: 'payload_invalid', detail: /uplink_message\.decoded_payload\.a\.constructor is not allowed/ },
  ]
  it.each(bad)('$name → $reason', ({ payload, reason, detail }) => {
    const result = parseTtsUplink(payload, topic, receivedAt)
    expect(result).toEqual({ ok: false, reason, detail: expect.stringMatching(detail) })
    if (!result.ok) expect(result.detail).not.toMatch(/secret/)
  })
})
