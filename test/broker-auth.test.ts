/** The broker admits registered devices only, and a device reaches only its own topics. */
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closedByBroker, connectDevice, refusedConnect } from './helpers/mqtt.ts'
import { sendFence, STORE_IN_ORDER } from './helpers/fence.ts'
import { eventually, startTestLookout, type TestLookout } from './helpers/lookout.ts'

const BAD_USERNAME_OR_PASSWORD = 4
const IDENTIFIER_REJECTED = 2

async function metric(lookout: TestLookout, name: string): Promise<number> {
  const text = await (await lookout.api('/metrics')).text()
  const line = text.split('\n').find((l) => l.startsWith(name))
  return line ? Number(line.split(' ').pop()) : 0
}

describe('broker authentication and authorization', () => {
  let lookout: TestLookout
  let a: { username: string; password: string }
  let b: { username: string; password: string }

  beforeAll(async () => {
    lookout = await startTestLookout(STORE_IN_ORDER)
    a = await lookout.addDevice('pendant-a', 'council-a')
    b = await lookout.addDevice('pendant-b', 'partner-b')
  })
  afterAll(async () => {
    await lookout?.close()
  })

  it.each([
    { name: 'unknown device', username: 'ghost', password: 'x'.repeat(43) },
    { name: 'wrong password', username: 'pendant-a', password: 'y'.repeat(43) },
    { name: 'empty password', username: 'pendant-a', password: '' },
    { name: 'no credentials', username: undefined, password: undefined },
  ])('refuses a connection with $name', async ({ username, password }) => {
    expect(await refusedConnect(lookout.mqttUrl, { username, password, clientId: 'probe' })).toBe(BAD_USERNAME_OR_PASSWORD)
  })

  it('refuses a password that belongs to another device', async () => {
    expect(await refusedConnect(lookout.mqttUrl, { username: a.username, password: b.password, clientId: 'probe' })).toBe(BAD_USERNAME_OR_PASSWORD)
  })

  it('counts refused connections by reason', async () => {
    expect(await metric(lookout, 'lookout_mqtt_auth_failures_total{reason="unknown_device"}')).toBeGreaterThanOrEqual(1)
    expect(await metric(lookout, 'lookout_mqtt_auth_failures_total{reason="bad_password"}')).toBeGreaterThanOrEqual(2)
  })

  it('closes the connection of a device publishing to another device\'s topic, and stores nothing', async () => {
    const client = await connectDevice(lookout.mqttUrl, a.username, a.password)
    const closed = closedByBroker(client)
    client.publish('devices/pendant-b/events', JSON.stringify({ type: 'pendant.pressed', ts: '2026-11-21T09:00:00Z' }), { qos: 1 })
    await closed
    client.end(true)
    // the refused message was handled before the close, and would have been pendant-a's record: a
    // valid event from pendant-a after it, stored and alerted, comes after it in every queue
    const again = await connectDevice(lookout.mqttUrl, a.username, a.password)
    const fence = await sendFence(lookout, again, { deviceId: 'pendant-a', tenant: 'council-a' })
    await again.endAsync()
    expect((await lookout.influx.query('SELECT "value" FROM "events"'))[0]?.values).toEqual([[fence.ts, 1]])
    expect(await lookout.alerts.list('partner-b', { limit: 10 })).toEqual([])
    expect(await lookout.alerts.list('council-a', { limit: 10 })).toEqual([fence.alert])
    expect(await metric(lookout, 'lookout_ingest_rejected_total{reason="topic_not_allowed"}')).toBe(1)
  })

  it.each(['devices/pendant-a/errors-x', 'devices/pendant-a/errors', 'alerts/pendant-a', '$SYS/broker/clients'])(
    'refuses a publish to %s',
    async (topic) => {
      const client = await connectDevice(lookout.mqttUrl, a.username, a.password)
      const closed = closedByBroker(client)
      client.publish(topic, '{}', { qos: 1 })
      await closed
      client.end(true)
    },
  )

  it.each(['devices/pendant-b/errors', 'devices/+/errors', '#', '$SYS/#', 'devices/pendant-a/events'])('refuses a subscription to %s', async (topic) => {
    const client = await connectDevice(lookout.mqttUrl, a.username, a.password)
    try {
      const refusal = await client.subscribeAsync(topic, { qos: 0 }).then(
        () => undefined,
        (err: { packet?: { granted?: number[] } }) => err.packet?.granted,
      )
      expect(refusal).toEqual([128])
      expect(client.connected).toBe(true)
    } finally {
      await client.endAsync()
    }
  })

  it('grants a subscription to the device\'s own errors topic', async () => {
    const client = await connectDevice(lookout.mqttUrl, a.username, a.password)
    try {
      const granted = await client.subscribeAsync('devices/pendant-a/errors', { qos: 0 })
      expect(granted[0]?.qos).toBe(0)
    } finally {
      await client.endAsync()
    }
  })

  it('refuses another tenant\'s device using a device\'s client id, so the owner still connects (CONNACK 2, counted)', async () => {
    // before: pendant-b held "pendant-a" and the real pendant-a was refused while it stayed connected
    for (const clientId of ['pendant-a', 'pendant-a:1', 'pendant-a-1']) {
      expect(await refusedConnect(lookout.mqttUrl, { username: b.username, password: b.password, clientId })).toBe(IDENTIFIER_REJECTED)
    }
    expect(await metric(lookout, 'lookout_mqtt_auth_failures_total{reason="client_id_not_owned"}')).toBeGreaterThanOrEqual(3)
    const owner = await connectDevice(lookout.mqttUrl, a.username, a.password, 'pendant-a')
    expect(owner.connected).toBe(true)
    await owner.endAsync()
  })

  it.each(['pendant-a', 'pendant-a:bedroom', 'pendant-a:'])('accepts the device\'s own client id %s', async (clientId) => {
    const client = await connectDevice(lookout.mqttUrl, a.username, a.password, clientId)
    expect(client.connected).toBe(true)
    await client.endAsync()
  })

  it('lets only the same device take its own client id over', async () => {
    const holder: MqttClient = await connectDevice(lookout.mqttUrl, a.username, a.password, 'pendant-a:shared')
    try {
      expect(await refusedConnect(lookout.mqttUrl, { username: b.username, password: b.password, clientId: 'pendant-a:shared' })).toBe(IDENTIFIER_REJECTED)
      expect(holder.connected).toBe(true)
      const closed = closedByBroker(holder)
      const again = await connectDevice(lookout.mqttUrl, a.username, a.password, 'pendant-a:shared')
      await closed
      await again.endAsync()
    } finally {
      holder.end(true)
    }
  })

  it('binds an integration\'s client id to its username, and no device may use it', async () => {
    const integration = await lookout.registry.addIntegration({ tenant: 'council-a', kind: 'chirpstack' }, Date.now())
    const name = integration.username
    for (const clientId of [name, `${name}:eu868`]) {
      const client = await connectDevice(lookout.mqttUrl, name, integration.password, clientId)
      expect(client.connected).toBe(true)
      await client.endAsync()
    }
    expect(await refusedConnect(lookout.mqttUrl, { username: name, password: integration.password, clientId: 'chirpstack-1' })).toBe(IDENTIFIER_REJECTED)
    expect(await refusedConnect(lookout.mqttUrl, { username: name, password: integration.password, clientId: 'pendant-a' })).toBe(IDENTIFIER_REJECTED)
    // a device named "integration" must not reach an integration's client id by a ":" suffix
    const lookalike = await lookout.addDevice('integration', 'partner-b')
    expect(await refusedConnect(lookout.mqttUrl, { username: lookalike.username, password: lookalike.password, clientId: name })).toBe(IDENTIFIER_REJECTED)
  })

  it('still serves a valid publish after all of the above', async () => {
    const client = await connectDevice(lookout.mqttUrl, b.username, b.password)
    await client.publishAsync('devices/pendant-b/events', JSON.stringify({ type: 'pendant.pressed' }), { qos: 1 })
    await client.endAsync()
    const alerts = await eventually(async () => {
      const list = await lookout.alerts.list('partner-b', { limit: 5 })
      return list.length ? list : undefined
    })
    expect(alerts.map((x) => x.deviceId)).toEqual(['pendant-b'])
  })
})
