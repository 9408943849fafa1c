/**
 * Every format through the real broker into InfluxDB with canonical metric names and units:
 * Lookout status, SenML, ChirpStack v4 uplinks (decoded object, and raw bytes through the built-in
 * codec) and status events, The Things Stack v3 uplinks; unknown fields kept and flagged; an
 * integration refused for devices of another tenant exactly as for unknown ones.
 */
import type { MqttClient } from 'mqtt'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collect, connectDevice } from './helpers/mqtt.ts'
import { eventually, startTestLookout, type TestLookout } from './helpers/lookout.ts'

const APP = '5b7e0c2a-6f8e-4b0e-9a55-2f4f2c1d9e01'

describe('ingest formats', () => {
  let lookout: TestLookout
  let chirpstack: MqttClient
  let tts: MqttClient
  let errors: { topic: string; body: Record<string, unknown> }[]
  const logs: string[] = []

  beforeAll(async () => {
    lookout = await startTestLookout({}, logs)
    const add = (deviceId: string, tenant: string, type: string, extra: Record<string, string>) =>
      lookout.registry.addDevice({ deviceId, tenant, type, site: 'flat-12', ...extra }, Date.now())
    await add('am103-bedroom', 'council-f', 'environment-sensor', { devEui: '24e124707c123456', codec: 'milesight-iot/am103' })
    await add('mld-kitchen', 'council-f', 'leak-sensor', { devEui: '24e124136d112233', codec: 'milesight-iot/em300-mld' })
    await add('other-tenant-sensor', 'council-other', 'environment-sensor', { devEui: '24e1247000000001', codec: 'milesight-iot/am103' })
    const cs = await lookout.registry.addIntegration({ tenant: 'council-f', kind: 'chirpstack' }, Date.now())
    const t = await lookout.registry.addIntegration({ tenant: 'council-f', kind: 'tts' }, Date.now())
    chirpstack = await mqtt.connectAsync(lookout.mqttUrl, { username: cs.username, password: cs.password, clientId: cs.username, reconnectPeriod: 0 })
    errors = await collect(chirpstack, `integrations/${cs.integrationId}/errors`)
    tts = await mqtt.connectAsync(lookout.mqttUrl, { username: t.username, password: t.password, clientId: t.username, reconnectPeriod: 0 })
  })
  afterAll(async () => {
    await chirpstack?.endAsync()
    await tts?.endAsync()
    await lookout?.close()
  })

  async function rows(query: string, count = 1) {
    return eventually(async () => {
      const series = await lookout.influx.query(query).catch(() => [])
      return series[0] && series[0].values.length >= count ? series[0] : undefined
    }, 10_000, query)
  }

  it('stores a ChirpStack uplink with a decoded object under canonical names, tagged by source', async () => {
    const up = {
      deduplicationId: '9d3a1c2e-4b7f-4e21-8a0c-3f5d2b6e7a90',
      time: '2025-01-15T07:42:10.123456+00:00',
      deviceInfo: { tenantId: '52f14cd4-c6f1-4fbd-8f87-4025e1d49242', applicationId: APP, devEui: '24e124707c123456', deviceName: 'flat-12-bedroom' },
      fPort: 85,
      data: 'AXVcA2c0AQRoZQd95wQ=',
      object: { battery: 92, temperature: 30.8, humidity: 50.5, co2: 1255, firmware: 'v1.2' },
    }
    await chirpstack.publishAsync(`application/${APP}/device/24e124707c123456/event/up`, JSON.stringify(up), { qos: 1 })
    const s = await rows(`SELECT "battery", "temperature", "humidity", "co2" FROM "telemetry" WHERE "device"::tag = 'am103-bedroom' AND "source"::tag = 'chirpstack'`)
    expect(s.values[0]).toEqual([Date.parse('2025-01-15T07:42:10.123Z'), 92, 30.8, 50.5, 1255])
    // the unknown field is kept, as text, and flagged
    const unmapped = await rows(`SELECT "firmware" FROM "telemetry_unmapped" WHERE "device"::tag = 'am103-bedroom'`)
    expect(unmapped.values[0]![1]).toBe('v1.2')
    const metrics = await (await lookout.api('/metrics')).text()
    expect(metrics).toMatch(/lookout_ingest_unmapped_fields_total\{channel="chirpstack"\} 1/)
  })

  it('decodes raw bytes with the device codec when the uplink has no object (AM103)', async () => {
    const up = { deduplicationId: 'a1', time: '2025-01-15T03:12:44.902Z', deviceInfo: { applicationId: APP, devEui: '24e124707c123456' }, fPort: 85, data: 'AXVcA2c0AQRoZQd95wQ=' }
    await chirpstack.publishAsync(`application/${APP}/device/24e124707c123456/event/up`, JSON.stringify(up), { qos: 1 })
    const s = await rows(`SELECT "battery", "temperature", "humidity", "co2" FROM "telemetry" WHERE "device"::tag = 'am103-bedroom' AND time = '2025-01-15T03:12:44.902Z'`)
    expect(s.values[0]).toEqual([Date.parse('2025-01-15T03:12:44.902Z'), 92, 30.8, 50.5, 1255])
  })

  it('rejects raw bytes for a device whose codec Lookout does not have, saying so', async () => {
    const up = { deduplicationId: 'a2', time: '2025-01-15T03:12:44.902Z', deviceInfo: { applicationId: APP, devEui: '24e124136d112233' }, fPort: 85, data: 'AXVcBQAB' }
    await chirpstack.publishAsync(`application/${APP}/device/24e124136d112233/event/up`, JSON.stringify(up), { qos: 1 })
    const error = await eventually(async () => errors.find((e) => e.body.reason === 'codec_missing'), 5000, 'an error message')
    expect(error.body.detail).toContain('milesight-iot/em300-mld')
  })

  it('stores a ChirpStack status event as the battery level', async () => {
    const status = { deduplicationId: 'b1', time: '2025-01-15T08:00:00Z', deviceInfo: { applicationId: APP, devEui: '24e124707c123456' }, margin: 7, batteryLevel: 81.5 }
    await chirpstack.publishAsync(`application/${APP}/device/24e124707c123456/event/status`, JSON.stringify(status), { qos: 1 })
    const s = await rows(`SELECT "battery" FROM "telemetry" WHERE "device"::tag = 'am103-bedroom' AND time = '2025-01-15T08:00:00Z'`)
    expect(s.values[0]![1]).toBe(81.5)
  })

  it('answers an uplink for another tenant\'s DevEUI exactly as one for an unknown DevEUI, stores neither, and only its own log tells them apart', async () => {
    const before = errors.length
    const uplink = (devEui: string) => ({ deduplicationId: 'c1', time: '2025-01-15T09:00:00Z', deviceInfo: { applicationId: APP, devEui }, fPort: 85, object: { temperature: 99 } })
    await chirpstack.publishAsync(`application/${APP}/device/24e1247000000001/event/up`, JSON.stringify(uplink('24e1247000000001')), { qos: 1 })
    const otherTenants = await eventually(async () => errors[before], 5000, 'the answer for another tenant\'s DevEUI')
    await chirpstack.publishAsync(`application/${APP}/device/ffffffffffffffff/event/up`, JSON.stringify(uplink('ffffffffffffffff')), { qos: 1 })
    const unknown = await eventually(async () => errors[before + 1], 5000, 'the answer for an unknown DevEUI')
    // byte for byte, but for the time and the topic it answers
    const same = JSON.stringify({ ...otherTenants.body, at: undefined, topic: undefined })
    expect(same).toBe(JSON.stringify({ ...unknown.body, at: undefined, topic: undefined }))
    expect(otherTenants.body.reason).toBe('device_not_registered')
    expect(same).not.toContain('council-other')
    const stored = await lookout.influx.query(`SELECT * FROM "telemetry" WHERE "device"::tag = 'other-tenant-sensor'`)
    expect(stored).toEqual([])
    expect(chirpstack.connected).toBe(true)
    // Lookout's own log keeps the distinction (and no payload)
    const rejected = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'message rejected' && l.reason === 'device_not_registered')
    expect(rejected.map((l) => l.cause)).toEqual(['device_not_in_tenant', 'device_not_registered'])
  })

  it('stores a The Things Stack uplink from its decoded payload', async () => {
    const up = {
      end_device_ids: { device_id: 'eui-24e124136d112233', application_ids: { application_id: 'council-leak' }, dev_eui: '24E124136D112233' },
      correlation_ids: ['as:up:01JHK2Q8V4M7Z3T9R6C1E5N0PA'],
      received_at: '2025-01-15T04:12:44.902Z',
      uplink_message: { f_port: 85, f_cnt: 311, frm_payload: 'AXVcBQAA', decoded_payload: { battery: 91, leakage_status: 'normal' }, received_at: '2025-01-15T04:12:44.765Z' },
    }
    await tts.publishAsync('v3/council-leak@ttn/devices/eui-24e124136d112233/up', JSON.stringify(up), { qos: 1 })
    const s = await rows(`SELECT "battery", "leak" FROM "telemetry" WHERE "device"::tag = 'mld-kitchen' AND "source"::tag = 'tts'`)
    expect(s.values[0]!.slice(1)).toEqual([91, 0])
  })

  it('resolves a SenML pack (base name, base time, units) into canonical metrics at each record time', async () => {
    const sensor = await lookout.addDevice('senml-env', 'council-f', 'environment-sensor')
    const client = await connectDevice(lookout.mqttUrl, sensor.username, sensor.password)
    const pack = [
      { bn: 'urn:dev:mac:24e124707c123456:', bt: 1736926930, n: 'temperature', u: 'Cel', v: 30.8 },
      { n: 'humidity', u: '%RH', v: 50.5 },
      { n: 'battery', u: '%EL', v: 92 },
      { n: 'temperature', u: 'Cel', v: 31.2, t: -600 },
    ]
    await client.publishAsync('devices/senml-env/senml', JSON.stringify(pack), { qos: 1 })
    await client.endAsync()
    const s = await rows(`SELECT "temperature", "humidity", "battery" FROM "telemetry" WHERE "device"::tag = 'senml-env' AND "source"::tag = 'senml'`, 2)
    expect(s.values).toEqual([
      [1736926330_000, 31.2, null, null],
      [1736926930_000, 30.8, 50.5, 92],
    ])
  })

  it('records status messages (heartbeat, SCAIP mains failure, battery) as canonical events and metrics', async () => {
    const hub = await lookout.addDevice('status-hub', 'council-f', 'hub')
    const client = await connectDevice(lookout.mqttUrl, hub.username, hub.password)
    await client.publishAsync('devices/status-hub/status', JSON.stringify({ status: 'heartbeat', ts: '2026-11-21T09:00:00Z' }), { qos: 1 })
    await client.publishAsync('devices/status-hub/status', JSON.stringify({ stc: '0085', ts: '2026-11-21T09:01:00Z' }), { qos: 1 })
    await client.publishAsync('devices/status-hub/status', JSON.stringify({ status: 'battery', battery: 18, ts: '2026-11-21T09:02:00Z' }), { qos: 1 })
    await client.endAsync()
    const events = await rows(`SELECT "value", "event" FROM "events" WHERE "device"::tag = 'status-hub'`, 2)
    expect(events.values.map((v) => v[2])).toEqual(['status.heartbeat', 'mains.lost'])
    const battery = await rows(`SELECT "battery" FROM "telemetry" WHERE "device"::tag = 'status-hub'`)
    expect(battery.values[0]![1]).toBe(18)
    // the broker's own record of the connection
    const connections = await rows(`SELECT "value", "event" FROM "connections" WHERE "device"::tag = 'status-hub'`, 2)
    expect(connections.values.map((v) => v[2])).toEqual(['device.connected', 'device.disconnected'])
  })

  it('decodes with a tenant\'s own codec in the sandbox, and survives one that never returns', async () => {
    await lookout.registry.setCodec({ tenant: 'council-f', model: 'acme/door', source: 'function decodeUplink(input) { return { data: { door: input.bytes[0] === 1 ? "open" : "closed", battery: input.bytes[1] } } }' }, Date.now())
    await lookout.registry.setCodec({ tenant: 'council-f', model: 'acme/broken', source: 'function decodeUplink(input) { while (true) {} }' }, Date.now())
    await lookout.registry.addDevice({ deviceId: 'acme-door-1', tenant: 'council-f', type: 'door-sensor', devEui: 'acacacacacacac01', codec: 'acme/door' }, Date.now())
    await lookout.registry.addDevice({ deviceId: 'acme-broken-1', tenant: 'council-f', type: 'door-sensor', devEui: 'acacacacacacac02', codec: 'acme/broken' }, Date.now())
    const uplink = (devEui: string, data: string) =>
      chirpstack.publishAsync(`application/${APP}/device/${devEui}/event/up`, JSON.stringify({ deduplicationId: devEui, time: '2026-11-21T06:00:00Z', deviceInfo: { applicationId: APP, devEui }, fPort: 1, data }), { qos: 1 })
    await uplink('acacacacacacac02', 'AQI=')
    const error = await eventually(async () => errors.find((e) => e.body.reason === 'codec_failed'), 10_000, 'codec_failed')
    expect(error.body.detail).toContain('acme/broken')
    await uplink('acacacacacacac01', 'AVA=')
    const s = await rows(`SELECT "contact", "battery" FROM "telemetry" WHERE "device"::tag = 'acme-door-1'`)
    expect(s.values[0]!.slice(1)).toEqual([1, 80])
    expect(chirpstack.connected).toBe(true)
  })
})
