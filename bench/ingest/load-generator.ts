/**
 * Load generator, run as a child process of bench/ingest.ts (IPC messages in ./protocol.ts).
 *
 * Each device has its own MQTT connection (clientId = username = device id) and publishes QoS 1
 * telemetry with a per-device sequence number. Every publish is recorded (device, seq, sent, PUBACK)
 * in a binary file for the parent, which computes latencies and checks loss exactly.
 *
 * Pacing: each device may have `window` publishes awaiting PUBACK. A FIFO of free slots hands the
 * next publish to the device that has waited longest. With a rate, publishes are released on a 5 ms
 * tick to follow `rate × elapsed` (open loop, capped by the windows: falling behind shows as an
 * achieved rate below the target). Without a rate, a slot is reused as soon as its PUBACK arrives
 * (closed loop: as fast as the broker acknowledges).
 */
import { writeFile } from 'node:fs/promises'
import mqtt, { type MqttClient } from 'mqtt'
import { nowMs, payloadOf, PUBLISH_ROW, RowLog, TELEMETRY_TOPIC, type GeneratorCommand, type GeneratorEvent } from './protocol.ts'

const CONNECT_CONCURRENCY = 50
const ACK_DRAIN_TIMEOUT_MS = 30_000

/** Resolves once the message is handed to the IPC channel, so that exiting next does not lose it. */
function send(event: GeneratorEvent): Promise<void> {
  return new Promise((resolve) => (process.send ? process.send(event, undefined, {}, () => resolve()) : resolve()))
}

type Init = Extract<GeneratorCommand, { type: 'init' }>
type Start = Extract<GeneratorCommand, { type: 'start' }>

interface Device {
  index: number
  topic: string
  client: MqttClient
  seq: number
}

async function connectAll(init: Init, onClose: () => void, onError: (err: Error) => void): Promise<Device[]> {
  const devices: Device[] = new Array(init.devices.length)
  let next = 0
  async function connectNext(): Promise<void> {
    while (next < init.devices.length) {
      const i = next++
      const login = init.devices[i]!
      const client = await mqtt.connectAsync(init.brokerUrl, {
        clientId: login.id,
        username: login.id,
        password: login.password,
        protocolVersion: 4,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 30_000,
      })
      client.on('close', onClose)
      client.on('error', onError)
      devices[i] = { index: login.index, topic: TELEMETRY_TOPIC(login.id), client, seq: 0 }
    }
  }
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, connectNext))
  return devices
}

async function run(init: Init, start: Promise<Start>, closing: Promise<void>): Promise<void> {
  let active = false
  let disconnects = 0
  const errors = new Set<string>()
  const connectStarted = nowMs()
  const devices = await connectAll(
    init,
    () => {
      if (active) disconnects++
    },
    (err) => errors.add(err.message),
  )
  await send({ type: 'connected', connectMs: nowMs() - connectStarted })

  const log = new RowLog(PUBLISH_ROW)
  // free publish slots, one entry per slot, in the order they became free
  const ready: number[] = []
  let readyHead = 0
  for (let w = 0; w < init.window; w++) for (let d = 0; d < devices.length; d++) ready.push(d)
  let sent = 0
  let acked = 0
  let pumpScheduled = false

  const { at, stopAt } = await start
  const budget = () => (init.rate === null ? Infinity : Math.floor((init.rate * (nowMs() - at)) / 1000) - sent)

  function publishOne(d: number): void {
    const device = devices[d]!
    const seq = device.seq++
    const row = log.push(device.index, seq, nowMs(), NaN)
    sent++
    device.client.publish(device.topic, payloadOf(seq), { qos: 1 }, (err) => {
      if (err) {
        errors.add(err.message)
        return
      }
      log.set(row, 3, nowMs())
      acked++
      ready.push(d)
      if (!pumpScheduled) {
        pumpScheduled = true
        setImmediate(pump)
      }
    })
  }

  function pump(): void {
    pumpScheduled = false
    if (!active) return
    if (nowMs() >= stopAt) {
      active = false
      return
    }
    let allowed = budget()
    while (allowed-- > 0 && readyHead < ready.length) publishOne(ready[readyHead++]!)
    if (readyHead > 65_536) {
      ready.splice(0, readyHead)
      readyHead = 0
    }
  }

  await new Promise((r) => setTimeout(r, Math.max(0, at - nowMs())))
  active = true
  const tick = setInterval(pump, 5)
  const progress = setInterval(() => void send({ type: 'progress', at: nowMs(), sent, acked }), 1000)
  pump()
  await new Promise((r) => setTimeout(r, Math.max(0, stopAt - nowMs())))
  active = false
  clearInterval(tick)

  const deadline = Date.now() + ACK_DRAIN_TIMEOUT_MS
  while (acked < sent && Date.now() < deadline && devices.some((d) => d.client.connected)) await new Promise((r) => setTimeout(r, 20))
  clearInterval(progress)
  await writeFile(init.recordFile, log.bytes())
  await send({ type: 'done', sent, acked, unacked: sent - acked, disconnects, errors: [...errors].slice(0, 10) })

  await closing
  await Promise.all(devices.map((d) => d.client.endAsync().catch(() => undefined)))
}

const init = new Promise<Init>((resolve) => process.on('message', (m: GeneratorCommand) => m.type === 'init' && resolve(m)))
const start = new Promise<Start>((resolve) => process.on('message', (m: GeneratorCommand) => m.type === 'start' && resolve(m)))
const closing = new Promise<void>((resolve) => process.on('message', (m: GeneratorCommand) => m.type === 'close' && resolve()))
// the parent is gone (killed): stop instead of publishing on
process.on('disconnect', () => process.exit(0))

try {
  await run(await init, start, closing)
  process.exit(0)
} catch (err) {
  await send({ type: 'failed', error: (err as Error).message })
  process.exit(1)
}
