/**
 * The walking skeleton's path: a device publishes, ingest stores it in InfluxDB, the rule worker
 * raises a P1 alert, the API lists it and streams it, a responder acknowledges it.
 */
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDevice } from './helpers/mqtt.ts'
import { eventually, startTestLookout, type TestLookout } from './helpers/lookout.ts'
import { openSse } from './helpers/sse.ts'

describe('pendant press to acknowledged alert', () => {
  let lookout: TestLookout
  let device: MqttClient
  let token: string

  beforeAll(async () => {
    lookout = await startTestLookout()
    const credentials = await lookout.addDevice('pendant-001', 'council-a', 'pendant', 'flat-12')
    device = await connectDevice(lookout.mqttUrl, credentials.username, credentials.password)
    token = await lookout.addToken('council-a', 'responder')
  })

  afterAll(async () => {
    await device?.endAsync()
    await lookout?.close()
  })

  it('raises an open P1 alert on /api/alerts and on the stream', async () => {
    const stream = await openSse(`${lookout.httpUrl}/api/alerts/stream`, { authorization: `Bearer ${token}` })
    expect(stream.status).toBe(200)
    try {
      await device.publishAsync('devices/pendant-001/events', JSON.stringify({ type: 'pendant.pressed', ts: '2026-11-21T10:00:00Z' }), { qos: 1 })

      const alerts = await eventually(async () => {
        const res = await lookout.api('/api/alerts', { token })
        const body = (await res.json()) as { alerts: Record<string, unknown>[] }
        return body.alerts.length > 0 ? body.alerts : undefined
      }, 5000, 'alert on /api/alerts')
      expect(alerts).toHaveLength(1)
      expect(alerts[0]).toMatchObject({
        tenant: 'council-a',
        deviceId: 'pendant-001',
        site: 'flat-12',
        rule: 'R01',
        priority: 'P1',
        status: 'open',
        occurredAt: '2026-11-21T10:00:00.000Z',
      })
      expect(alerts[0]!.id).toMatch(/^al_[0-9a-f]{24}$/)
      expect(Date.parse(alerts[0]!.raisedAt as string)).not.toBeNaN()

      const streamed = await eventually(async () => stream.events.find((e) => e.event === 'alert.raised'), 5000, 'alert on the stream')
      expect(JSON.parse(streamed.data)).toEqual(alerts[0])
      expect(streamed.id).toMatch(/^\d+-\d+$/)
    } finally {
      stream.close()
    }
  })

  it('defaults a missing ts to the time of receipt', async () => {
    const before = Date.now()
    await device.publishAsync('devices/pendant-001/events', JSON.stringify({ type: 'pendant.pressed' }), { qos: 1 })
    const after = Date.now()
    const alert = await eventually(async () => {
      const alerts = await lookout.alerts.list('council-a', { limit: 10 })
      return alerts.find((a) => a.occurredAt !== '2026-11-21T10:00:00.000Z')
    })
    const occurred = Date.parse(alert.occurredAt)
    expect(occurred).toBeGreaterThanOrEqual(before)
    expect(occurred).toBeLessThanOrEqual(after)
  })

  it('writes events and telemetry to InfluxDB tagged with tenant, site, device and type', async () => {
    await device.publishAsync('devices/pendant-001/telemetry', JSON.stringify({ ts: '2026-11-21T10:05:00Z', temperature: 17.5, humidity: 72 }), { qos: 1 })
    const telemetry = await eventually(async () => {
      const series = await lookout.influx.query('SELECT * FROM "telemetry"')
      return series[0]?.values.length ? series[0] : undefined
    }, 10_000, 'telemetry in InfluxDB')
    const row = Object.fromEntries(telemetry.columns.map((c, i) => [c, telemetry.values[0]![i]]))
    expect(row).toMatchObject({
      time: Date.parse('2026-11-21T10:05:00Z'),
      tenant: 'council-a',
      site: 'flat-12',
      device: 'pendant-001',
      device_type: 'pendant',
      temperature: 17.5,
      humidity: 72,
    })

    const events = await eventually(async () => {
      const series = await lookout.influx.query(`SELECT * FROM "events" WHERE time = '2026-11-21T10:00:00Z'`)
      return series[0]?.values.length ? series[0] : undefined
    }, 10_000, 'event in InfluxDB')
    const event = Object.fromEntries(events.columns.map((c, i) => [c, events.values[0]![i]]))
    expect(event).toMatchObject({ tenant: 'council-a', site: 'flat-12', device: 'pendant-001', device_type: 'pendant', event: 'pendant.pressed', value: 1 })
  })

  it('acknowledges an open alert once, recording who and when', async () => {
    const [alert] = await lookout.alerts.list('council-a', { status: 'open', limit: 1 })
    expect(alert).toBeDefined()
    const before = Date.now()
    const res = await lookout.api(`/api/alerts/${alert!.id}/ack`, { method: 'POST', token })
    expect(res.status).toBe(200)
    const acked = (await res.json()) as Record<string, string>
    expect(acked.status).toBe('acknowledged')
    expect(acked.acknowledgedBy).toBe(token.split('_')[1])
    expect(Date.parse(acked.acknowledgedAt!)).toBeGreaterThanOrEqual(before - 5)

    const again = await lookout.api(`/api/alerts/${alert!.id}/ack`, { method: 'POST', token })
    expect(again.status).toBe(409)
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('ALERT_NOT_OPEN')

    const open = (await (await lookout.api('/api/alerts?status=open', { token })).json()) as { alerts: { id: string }[] }
    expect(open.alerts.map((a) => a.id)).not.toContain(alert!.id)
  })

  it('streams the acknowledgement, and replays missed events after Last-Event-ID', async () => {
    const all = await lookout.alerts.list('council-a', { status: 'open', limit: 10 })
    const target = all[0]!
    const first = await openSse(`${lookout.httpUrl}/api/alerts/stream`, { authorization: `Bearer ${token}` })
    await device.publishAsync('devices/pendant-001/events', JSON.stringify({ type: 'pendant.pressed', ts: '2026-11-21T11:00:00Z' }), { qos: 1 })
    const raised = await eventually(async () => first.events.find((e) => e.event === 'alert.raised'), 5000, 'raised event')
    first.close()

    // while no client is connected, the alert is acknowledged
    await lookout.api(`/api/alerts/${target.id}/ack`, { method: 'POST', token })
    const resumed = await openSse(`${lookout.httpUrl}/api/alerts/stream`, { authorization: `Bearer ${token}`, 'last-event-id': raised.id! })
    try {
      const ack = await eventually(async () => resumed.events.find((e) => e.event === 'alert.acknowledged'), 5000, 'replayed acknowledgement')
      expect(JSON.parse(ack.data)).toMatchObject({ id: target.id, status: 'acknowledged' })
      expect(resumed.events.some((e) => e.id === raised.id)).toBe(false)
    } finally {
      resumed.close()
    }
  })

  it('refuses acknowledgement by a viewer token and requests without a valid token', async () => {
    const viewer = await lookout.addToken('council-a', 'viewer')
    const [alert] = await lookout.alerts.list('council-a', { status: 'open', limit: 1 })
    const forbidden = await lookout.api(`/api/alerts/${alert!.id}/ack`, { method: 'POST', token: viewer })
    expect(forbidden.status).toBe(403)
    expect((await lookout.alerts.get('council-a', alert!.id))?.status).toBe('open')

    expect((await lookout.api('/api/alerts')).status).toBe(401)
    expect((await lookout.api('/api/alerts', { token: 'lk_notarealtoken_x' })).status).toBe(401)
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`
    expect((await lookout.api('/api/alerts', { token: tampered })).status).toBe(401)
  })

  it('answers /healthz with 200 and every check true', async () => {
    const res = await lookout.api('/healthz')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok', checks: { redis: true, influx: true, broker: true } })
  })
})
