/**
 * MQTT 3.1.1 conformance at the broker, checked with raw bytes where a client library would never
 * send the packet: QoS 2 exactly once (a DUP re-send before PUBREL is not stored again), a QoS 1 or
 * 2 PUBLISH with packet id 0 closes the connection, and CONNECT refusals with the return codes the
 * specification gives (unknown protocol level, keep-alive, empty client id with a persistent
 * session). Also the limit on refused connection attempts per source address.
 */
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, startTestLookout, type TestLookout } from './helpers/lookout.ts'
import { connectDevice, refusedConnect } from './helpers/mqtt.ts'
import { ackId, connackCode, connectPacket, publishPacket, pubrelPacket, rawConnect, type RawConnection } from './helpers/raw-mqtt.ts'

const CONNACK = 2
const PUBACK = 4
const PUBREC = 5
const PUBCOMP = 7
const UNACCEPTABLE_PROTOCOL_LEVEL = 1
const IDENTIFIER_REJECTED = 2
const SERVER_UNAVAILABLE = 3
const BAD_USERNAME_OR_PASSWORD = 4

async function metric(lookout: TestLookout, name: string): Promise<number> {
  const text = await (await lookout.api('/metrics')).text()
  const line = text.split('\n').find((l) => l.startsWith(name))
  return line ? Number(line.split(' ').pop()) : 0
}

async function count(lookout: TestLookout, query: string): Promise<number> {
  const series = await lookout.influx.query(query).catch(() => [])
  return Number(series[0]?.values[0]?.[1] ?? 0)
}

describe('broker protocol conformance', () => {
  let lookout: TestLookout
  let port: number
  let pendant: { username: string; password: string }
  let sensor: { username: string; password: string }

  async function rawSession(device: { username: string; password: string }, clientId = device.username): Promise<RawConnection> {
    const raw = await rawConnect(port)
    raw.send(connectPacket({ clientId, username: device.username, password: device.password }))
    const connack = await raw.waitFor((p) => p.type === CONNACK)
    expect(connackCode(connack)).toBe(0)
    return raw
  }

  /** A telemetry reading with a marker value, stored once the broker has passed everything before it. */
  async function fence(marker: number) {
    const client = await connectDevice(lookout.mqttUrl, sensor.username, sensor.password)
    await client.publishAsync(`devices/${sensor.username}/telemetry`, JSON.stringify({ temperature: marker }), { qos: 1 })
    await client.endAsync()
    await eventually(async () => ((await count(lookout, `SELECT count("temperature") FROM "telemetry" WHERE "temperature" = ${marker}`)) === 1 ? true : undefined), 10_000, 'the fence reading')
  }

  beforeAll(async () => {
    lookout = await startTestLookout({ LOOKOUT_MQTT_MAX_KEEPALIVE: '120' })
    port = lookout.running.mqttPort!
    pendant = await lookout.addDevice('proto-pendant', 'council-p')
    sensor = await lookout.addDevice('proto-env', 'council-p', 'environment-sensor')
  })
  afterAll(async () => {
    await lookout?.close()
  })

  it('stores a QoS 2 publish from a real client once, and completes the handshake', async () => {
    const device = await lookout.addDevice('proto-q2-lib', 'council-p')
    const client = await connectDevice(lookout.mqttUrl, device.username, device.password)
    // resolves on PUBCOMP, the end of the QoS 2 handshake
    await client.publishAsync(`devices/${device.username}/events`, JSON.stringify({ type: 'pendant.pressed' }), { qos: 2 })
    await client.endAsync()
    await fence(101)
    expect(await count(lookout, `SELECT count("value") FROM "events" WHERE "device" = 'proto-q2-lib' AND "event" = 'pendant.pressed'`)).toBe(1)
  })

  it('stores a QoS 2 message re-sent with DUP before PUBREL only once, and a new message reusing its id after PUBREL again', async () => {
    const accepted = () => metric(lookout, 'lookout_ingest_accepted_total{channel="events"}')
    const before = await accepted()
    const raw = await rawSession(pendant)
    const press = { topic: 'devices/proto-pendant/events', payload: JSON.stringify({ type: 'pendant.pressed' }), qos: 2 as const, messageId: 7 }
    // the first send and its re-send in one write: the broker sees them back to back
    raw.send(Buffer.concat([publishPacket(press), publishPacket({ ...press, dup: true })]))
    await raw.waitFor((p) => p.type === PUBREC && ackId(p) === 7)
    await eventually(async () => (raw.received.filter((p) => p.type === PUBREC).length === 2 ? true : undefined), 3000, 'a PUBREC for the re-send')
    raw.send(publishPacket({ ...press, dup: true }))
    await eventually(async () => (raw.received.filter((p) => p.type === PUBREC).length === 3 ? true : undefined), 3000, 'a PUBREC for the second re-send')
    raw.send(pubrelPacket(7))
    await raw.waitFor((p) => p.type === PUBCOMP && ackId(p) === 7)
    // accepted is counted before PUBREC is sent, so this count is settled
    expect((await accepted()) - before).toBe(1)

    // after PUBREL the id is free: the same id is a new message [MQTT-4.3.3-2]
    raw.send(publishPacket(press))
    await eventually(async () => (raw.received.filter((p) => p.type === PUBREC).length === 4 ? true : undefined), 3000, 'a PUBREC for the new message')
    raw.send(pubrelPacket(7))
    await eventually(async () => (raw.received.filter((p) => p.type === PUBCOMP).length === 2 ? true : undefined), 3000, 'the second PUBCOMP')
    expect((await accepted()) - before).toBe(2)
    raw.destroy()

    await fence(102)
    expect(await count(lookout, `SELECT count("value") FROM "events" WHERE "device" = 'proto-pendant' AND "event" = 'pendant.pressed'`)).toBe(2)
  })

  it.each([1, 2] as const)('closes the connection on a QoS %i PUBLISH with packet id 0, and stores nothing of it', async (qos) => {
    const raw = await rawSession(sensor, `${sensor.username}:zero-${qos}`)
    const marker = 200 + qos
    raw.send(publishPacket({ topic: `devices/${sensor.username}/telemetry`, payload: JSON.stringify({ temperature: marker }), qos, messageId: 0 }))
    await raw.closed()
    expect(raw.received.filter((p) => p.type === PUBACK || p.type === PUBREC)).toEqual([])
    await fence(300 + qos)
    expect(await count(lookout, `SELECT count("temperature") FROM "telemetry" WHERE "temperature" = ${marker}`)).toBe(0)
    expect(await metric(lookout, 'lookout_mqtt_refused_packets_total{reason="packet_id_zero"}')).toBe(qos)
  })

  it('answers an unknown protocol level with CONNACK 1 and closes the connection', async () => {
    const raw = await rawConnect(port)
    raw.send(connectPacket({ clientId: pendant.username, username: pendant.username, password: pendant.password, level: 9 }))
    const connack = await raw.waitFor((p) => p.type === CONNACK)
    expect(connackCode(connack)).toBe(UNACCEPTABLE_PROTOCOL_LEVEL)
    await raw.closed()
  })

  it.each([
    { name: 'a keep-alive of 0 (none)', options: { keepalive: 0 }, reason: 'keepalive_refused' },
    { name: 'a keep-alive over the maximum', options: { keepalive: 121 }, reason: 'keepalive_refused' },
    { name: 'an empty client id with a persistent session (MQTT-3.1.3-8)', options: { clientId: '', clean: false }, reason: 'client_id_empty_persistent' },
  ])('refuses $name with CONNACK 2, counted', async ({ options, reason }) => {
    const raw = await rawConnect(port)
    raw.send(connectPacket({ clientId: pendant.username, username: pendant.username, password: pendant.password, ...options }))
    const connack = await raw.waitFor((p) => p.type === CONNACK)
    expect(connackCode(connack)).toBe(IDENTIFIER_REJECTED)
    await raw.closed()
    expect(await metric(lookout, `lookout_mqtt_auth_failures_total{reason="${reason}"}`)).toBeGreaterThanOrEqual(1)
  })

  it('accepts an empty client id with a clean session (the broker assigns one), as mosquitto_pub sends without -i', async () => {
    const raw = await rawConnect(port)
    raw.send(connectPacket({ clientId: '', username: pendant.username, password: pendant.password, clean: true }))
    const connack = await raw.waitFor((p) => p.type === CONNACK)
    expect(connackCode(connack)).toBe(0)
    raw.send(publishPacket({ topic: 'devices/proto-pendant/events', payload: JSON.stringify({ type: 'pendant.pressed' }), qos: 1, messageId: 3 }))
    await raw.waitFor((p) => p.type === PUBACK && ackId(p) === 3)
    raw.destroy()
  })

  it('accepts a keep-alive within the maximum', async () => {
    const client = await mqtt.connectAsync(lookout.mqttUrl, { username: pendant.username, password: pendant.password, clientId: pendant.username, keepalive: 120, reconnectPeriod: 0 })
    expect(client.connected).toBe(true)
    await client.endAsync()
  })
})

describe('refused connection attempts per source address', () => {
  let lookout: TestLookout
  let device: { username: string; password: string }

  beforeAll(async () => {
    lookout = await startTestLookout({ LOOKOUT_MQTT_ADDRESS_FAILURE_RATE: '3' })
    device = await lookout.addDevice('addr-pendant', 'council-r')
  })
  afterAll(async () => {
    await lookout?.close()
  })

  it('refuses an address with CONNACK 3 once it has made too many refused attempts, whatever client id it uses', async () => {
    // a good connection does not count
    const ok = await connectDevice(lookout.mqttUrl, device.username, device.password)
    await ok.endAsync()
    for (let i = 0; i < 3; i++) {
      expect(await refusedConnect(lookout.mqttUrl, { username: device.username, password: 'wrong-password', clientId: `guess-${i}` })).toBe(BAD_USERNAME_OR_PASSWORD)
    }
    // the fourth, with yet another client id and even the right password, is refused before the registry is asked
    expect(await refusedConnect(lookout.mqttUrl, { username: device.username, password: device.password, clientId: 'guess-3' })).toBe(SERVER_UNAVAILABLE)
    expect(await metric(lookout, 'lookout_mqtt_auth_failures_total{reason="address_rate_limited"}')).toBe(1)
    expect(await metric(lookout, 'lookout_mqtt_auth_failures_total{reason="bad_password"}')).toBe(3)
  })
})
