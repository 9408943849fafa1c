/**
 * Bad input is rejected with a specific reason: counted in /metrics, sent to the device on
 * devices/<id>/errors, never stored, and the broker keeps serving (the same connection, even).
 */
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collect, connectDevice } from './helpers/mqtt.ts'
import { sendFence, STORE_IN_ORDER } from './helpers/fence.ts'
import { eventually, startTestLookout, type TestLookout } from './helpers/lookout.ts'

const MAX_BYTES = 1024

const CASES = [
  { name: 'not JSON', topic: 'events', payload: 'pendant pressed!', reason: 'payload_not_json' },
  { name: 'an event without a type', topic: 'events', payload: '{"ts":"2026-11-21T10:00:00Z"}', reason: 'payload_invalid' },
  { name: 'an event with an unknown field', topic: 'events', payload: '{"type":"pendant.pressed","note":"Mrs Example fell"}', reason: 'payload_invalid' },
  { name: 'a timestamp without a zone', topic: 'events', payload: '{"type":"pendant.pressed","ts":"2026-11-21 10:00"}', reason: 'payload_invalid' },
  { name: 'telemetry with a text value', topic: 'telemetry', payload: '{"temperature":"warm"}', reason: 'payload_invalid' },
  { name: 'telemetry with no metric', topic: 'telemetry', payload: '{"ts":"2026-11-21T10:00:00Z"}', reason: 'payload_invalid' },
  { name: 'a JSON array', topic: 'telemetry', payload: '[1,2,3]', reason: 'payload_invalid' },
  { name: 'a timestamp a day ahead', topic: 'events', payload: JSON.stringify({ type: 'pendant.pressed', ts: new Date(Date.now() + 86_400_000).toISOString() }), reason: 'timestamp_in_future' },
  { name: 'a payload over the size limit', topic: 'telemetry', payload: JSON.stringify({ temperature: 1, pad: 'x'.repeat(MAX_BYTES) }), reason: 'payload_too_large' },
]

describe('bad input', () => {
  let lookout: TestLookout
  let client: MqttClient
  let errors: { topic: string; body: Record<string, unknown> }[]
  const logs: string[] = []

  beforeAll(async () => {
    lookout = await startTestLookout({ LOOKOUT_MAX_PAYLOAD_BYTES: String(MAX_BYTES), ...STORE_IN_ORDER }, logs)
    const credentials = await lookout.addDevice('env-1', 'council-a', 'environment-sensor')
    client = await connectDevice(lookout.mqttUrl, credentials.username, credentials.password)
    errors = await collect(client, 'devices/env-1/errors')
  })
  afterAll(async () => {
    await client?.endAsync()
    await lookout?.close()
  })

  it.each(CASES)('rejects $name with reason $reason, on the device\'s errors topic', async ({ topic, payload, reason }) => {
    const before = errors.length
    await client.publishAsync(`devices/env-1/${topic}`, payload, { qos: 1 })
    const error = await eventually(async () => errors[before], 3000, 'error message')
    expect(error.topic).toBe('devices/env-1/errors')
    expect(error.body).toMatchObject({ reason, topic: `devices/env-1/${topic}` })
    expect(typeof error.body.detail).toBe('string')
    expect(error.body.detail).not.toContain('Mrs Example')
    expect(client.connected).toBe(true)
  })

  it('counts every rejection by reason in /metrics', async () => {
    const text = await (await lookout.api('/metrics')).text()
    const expected = new Map<string, number>()
    for (const c of CASES) expected.set(c.reason, (expected.get(c.reason) ?? 0) + 1)
    for (const [reason, count] of expected) {
      expect(text).toContain(`lookout_ingest_rejected_total{reason="${reason}"} ${count}`)
    }
  })

  it('stores nothing of a rejected message and raises no alert', async () => {
    // a valid event after the rejected ones, on the same connection: stored and alerted, so they are done
    const fence = await sendFence(lookout, client, { deviceId: 'env-1', tenant: 'council-a' })
    expect((await lookout.influx.query('SELECT "value" FROM "events"'))[0]?.values).toEqual([[fence.ts, 1]])
    expect(await lookout.influx.query('SELECT * FROM "telemetry"')).toEqual([])
    expect(await lookout.alerts.list('council-a', { limit: 10 })).toEqual([fence.alert])
  })

  it('keeps serving: a valid message on the same connection is stored', async () => {
    await client.publishAsync('devices/env-1/telemetry', JSON.stringify({ ts: '2026-11-21T12:00:00Z', temperature: 19.5 }), { qos: 1 })
    const series = await eventually(async () => {
      const s = await lookout.influx.query('SELECT "temperature" FROM "telemetry"')
      return s[0]?.values.length ? s[0] : undefined
    }, 10_000)
    expect(series.values).toEqual([[Date.parse('2026-11-21T12:00:00Z'), 19.5]])
  })

  it('logs each rejection with its reason and never the payload', () => {
    const rejections = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'message rejected')
    expect(rejections.map((l) => l.reason).sort()).toEqual(CASES.map((c) => c.reason).sort())
    expect(rejections.every((l) => l.deviceId === 'env-1' && l.tenant === 'council-a')).toBe(true)
    const all = logs.join('\n')
    expect(all).not.toContain('Mrs Example')
    expect(all).not.toContain('pendant pressed!')
    expect(all).not.toContain('warm')
  })
})
