/**
 * Broker hardening against real MQTT clients: the packet-size cap before authentication, keep-alive
 * bounds, connection and publish rate limits per client, TLS and WebSocket listeners.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findFreePort } from '../app/services/index.ts'
import { eventually, startTestLookout, type TestLookout } from './helpers/lookout.ts'
import { closedByBroker, connectDevice, refusedConnect } from './helpers/mqtt.ts'

const run = promisify(execFile)
const SERVER_UNAVAILABLE = 3

/** Sends raw bytes and resolves with what the server sent back before closing (or after 2 s). */
function rawExchange(port: number, bytes: Buffer): Promise<{ reply: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    let closed = false
    socket.on('data', (d) => chunks.push(d))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      closed = true
      resolve({ reply: Buffer.concat(chunks), closed })
    })
    socket.write(bytes)
    setTimeout(() => {
      socket.destroy()
      resolve({ reply: Buffer.concat(chunks), closed })
    }, 2000)
  })
}

describe('broker hardening', () => {
  let lookout: TestLookout
  let dir: string
  let sensor: { username: string; password: string }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lookout-tls-'))
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')])
    lookout = await startTestLookout({
      LOOKOUT_MQTT_MAX_PACKET_BYTES: '1024',
      LOOKOUT_MQTT_MAX_KEEPALIVE: '120',
      LOOKOUT_MQTT_CONNECT_RATE: '3',
      LOOKOUT_MQTT_PUBLISH_RATE: '10',
      LOOKOUT_MQTT_TLS_PORT: String(await findFreePort()),
      LOOKOUT_TLS_CERT: path.join(dir, 'cert.pem'),
      LOOKOUT_TLS_KEY: path.join(dir, 'key.pem'),
      LOOKOUT_MQTT_WS_PORT: String(await findFreePort()),
    })
    sensor = await lookout.addDevice('hard-env', 'council-h', 'environment-sensor')
  })
  afterAll(async () => {
    await lookout?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('closes a connection announcing an oversize packet before authenticating it, and counts it', async () => {
    // a CONNECT whose remaining length claims 256 MB: refused from the fixed header alone
    const { reply, closed } = await rawExchange(lookout.running.mqttPort!, Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]))
    expect(closed).toBe(true)
    expect(reply.length).toBe(0)
    const metrics = await (await lookout.api('/metrics')).text()
    expect(metrics).toMatch(/lookout_mqtt_refused_packets_total\{reason="packet_too_large"\} 1/)
  })

  it('closes an authenticated connection that sends a packet over the limit, storing nothing of it', async () => {
    const client = await connectDevice(lookout.mqttUrl, sensor.username, sensor.password)
    const closed = closedByBroker(client)
    client.publish('devices/hard-env/telemetry', JSON.stringify({ temperature: 1, pad: 'x'.repeat(2000) }), { qos: 1 })
    await closed
    const stored = await lookout.influx.query('SELECT * FROM "telemetry"').catch(() => [])
    expect(stored).toEqual([])
  })

  it('refuses a keep-alive of 0 (none) or above the maximum, and accepts one within it', async () => {
    const connect = (keepalive: number) =>
      mqtt.connectAsync(lookout.mqttUrl, { username: sensor.username, password: sensor.password, clientId: `hard-env:ka-${keepalive}`, keepalive, reconnectPeriod: 0, connectTimeout: 3000 })
    // MQTT 3.1.1 has no return code for this: 2 (identifier rejected), not the reserved 6
    await expect(connect(0)).rejects.toMatchObject({ code: 2 })
    await expect(connect(600)).rejects.toMatchObject({ code: 2 })
    const ok = await connect(60)
    expect(ok.connected).toBe(true)
    await ok.endAsync()
  })

  it('refuses connection attempts over the per-device rate with CONNACK 3, other devices unaffected', async () => {
    const device = await lookout.addDevice('hard-flappy', 'council-h', 'environment-sensor')
    for (let i = 0; i < 3; i++) {
      const c = await connectDevice(lookout.mqttUrl, device.username, device.password)
      await c.endAsync()
    }
    expect(await refusedConnect(lookout.mqttUrl, { username: device.username, password: device.password, clientId: device.username })).toBe(SERVER_UNAVAILABLE)
    const other = await connectDevice(lookout.mqttUrl, sensor.username, sensor.password, 'hard-env:other')
    expect(other.connected).toBe(true)
    await other.endAsync()
  })

  it('counts connection attempts per device only once authenticated: failures with its client id do not use up its budget', async () => {
    const device = await lookout.addDevice('hard-calm', 'council-h', 'environment-sensor')
    const other = await lookout.addDevice('hard-noisy', 'council-h', 'environment-sensor')
    for (let i = 0; i < 5; i++) {
      expect(await refusedConnect(lookout.mqttUrl, { username: device.username, password: 'wrong-password', clientId: device.username })).toBe(4)
      expect(await refusedConnect(lookout.mqttUrl, { username: other.username, password: other.password, clientId: device.username })).toBe(2)
    }
    const c = await connectDevice(lookout.mqttUrl, device.username, device.password)
    expect(c.connected).toBe(true)
    await c.endAsync()
  })

  it('slows a device publishing faster than its rate instead of dropping: all acknowledged and stored', async () => {
    const device = await lookout.addDevice('hard-fast', 'council-h', 'environment-sensor')
    const client = await connectDevice(lookout.mqttUrl, device.username, device.password)
    const started = Date.now()
    // 40 messages at 10/s with a burst of 20: the last 20 take about 2 s
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        client.publishAsync('devices/hard-fast/telemetry', JSON.stringify({ ts: new Date(Date.parse('2026-11-21T00:00:00Z') + i * 1000).toISOString(), temperature: i }), { qos: 1 }),
      ),
    )
    const elapsed = Date.now() - started
    await client.endAsync()
    expect(elapsed).toBeGreaterThanOrEqual(1500)
    const metrics = await (await lookout.api('/metrics')).text()
    expect(metrics).toMatch(/lookout_ingest_held_total\{cause="rate_limited"\} (1[0-9]|2[0-9])/)
    const count = await eventually(async () => {
      const s = await lookout.influx.query(`SELECT count("temperature") FROM "telemetry" WHERE "device"::tag = 'hard-fast'`).catch(() => [])
      const n = Number(s[0]?.values[0]?.[1] ?? 0)
      return n === 40 ? n : undefined
    }, 5000, '40 readings stored')
    expect(count).toBe(40)
  })

  // each listener test with a device of its own: connection attempts are limited per device (3 here)
  it('serves MQTT over TLS with the configured certificate', async () => {
    const device = await lookout.addDevice('hard-tls', 'council-h', 'door-sensor')
    const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${lookout.running.mqttTlsPort}`, {
      username: device.username,
      password: device.password,
      clientId: 'hard-tls',
      reconnectPeriod: 0,
      rejectUnauthorized: false,
    })
    await client.publishAsync('devices/hard-tls/events', JSON.stringify({ type: 'door.opened' }), { qos: 1 })
    expect(client.connected).toBe(true)
    await client.endAsync()
  })

  it('serves MQTT over WebSocket on /mqtt, with the same authentication', async () => {
    const url = `ws://127.0.0.1:${lookout.running.mqttWsPort}/mqtt`
    const device = await lookout.addDevice('hard-ws', 'council-h', 'door-sensor')
    const client = await mqtt.connectAsync(url, { username: device.username, password: device.password, clientId: 'hard-ws:browser', reconnectPeriod: 0 })
    await client.publishAsync('devices/hard-ws/events', JSON.stringify({ type: 'door.closed' }), { qos: 1 })
    await client.endAsync()
    await expect(mqtt.connectAsync(url, { username: device.username, password: 'wrong', clientId: 'hard-ws', reconnectPeriod: 0 })).rejects.toMatchObject({ code: 4 })
  })
})
