/**
 * The embedded MQTT broker (aedes) with every hook ours: aedes's defaults accept anyone.
 *
 * - authenticate: username = device id, password = its secret; refuses unknown devices, wrong
 *   passwords and a client id that another device's live connection holds (no takeover).
 * - authorizePublish: runs before aedes sends PUBACK, so a valid message is durably enqueued
 *   (awaited) here and only then acknowledged. A topic outside the device's own events/telemetry
 *   is refused, which closes the connection ([MQTT-3.3.5-2]: 3.1.1 has no negative PUBACK).
 *   A bad payload is acknowledged but not stored; the reason goes to devices/<id>/errors.
 * - authorizeSubscribe: a device may subscribe to its own errors topic only; else SUBACK 0x80.
 * - authorizeForward: a message reaches a device only inside that device's own namespace.
 */
import net from 'node:net'
import { Aedes, type AuthenticateError, type Client } from 'aedes'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import type { IngestRecord } from '../lib/records.ts'
import type { Device, Registry } from '../lib/registry/index.ts'
import { decodeDevicePayload, type RejectReason } from './device-payloads.ts'
import { errorsTopic, mayReceive, maySubscribe, publishChannelFor } from './topics.ts'

// MQTT 3.1.1 CONNACK return codes [MQTT-3.2.2.3]
const IDENTIFIER_REJECTED = 2
const SERVER_UNAVAILABLE = 3
const BAD_USERNAME_OR_PASSWORD = 4

export interface BrokerOptions {
  registry: Registry
  metrics: Metrics
  log: Logger
  maxPayloadBytes: number
  /** Resolves once the record is durable; the device is acknowledged only after that. */
  accept: (record: IngestRecord) => Promise<void>
  now?: () => number
}

export interface Broker {
  listen(port: number, host: string): Promise<number>
  isServing(): boolean
  close(): Promise<void>
}

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError
}

export async function createBroker(options: BrokerOptions): Promise<Broker> {
  const { registry, metrics, log } = options
  const now = options.now ?? Date.now
  const devices = new WeakMap<Client, Device>()
  const rejected = new WeakSet<object>()
  let aedes: Aedes

  function reject(device: Device, reason: RejectReason, detail: string, topic: string) {
    metrics.ingestRejected.inc({ reason })
    // the reason only: payloads may carry health data and never reach a log
    log.warn({ tenant: device.tenant, deviceId: device.deviceId, reason }, 'message rejected')
    const body = JSON.stringify({ reason, detail, topic, at: new Date(now()).toISOString() })
    aedes.publish({ cmd: 'publish', topic: errorsTopic(device.deviceId), payload: Buffer.from(body), qos: 0, retain: false, dup: false }, () => {})
  }

  aedes = await Aedes.createBroker({
    connectTimeout: 10_000,
    drainTimeout: 30_000,
    maxTopicLevels: 8,
    queueLimit: 42,

    authenticate(client, username, password, done) {
      if (!username || !password) {
        metrics.mqttAuthFailures.inc({ reason: 'missing_credentials' })
        return done(authError('username and password required', BAD_USERNAME_OR_PASSWORD), false)
      }
      registry.authenticateDevice(username, password.toString('utf8')).then(
        (result) => {
          if (!result.ok) {
            metrics.mqttAuthFailures.inc({ reason: result.reason })
            log.warn({ reason: result.reason }, 'mqtt connection refused')
            return done(authError('bad username or password', BAD_USERNAME_OR_PASSWORD), false)
          }
          const holder = (aedes as unknown as { clients: Record<string, Client | undefined> }).clients[client.id]
          const holderDevice = holder ? devices.get(holder) : undefined
          if (holder && holderDevice?.deviceId !== result.device.deviceId) {
            metrics.mqttAuthFailures.inc({ reason: 'client_id_in_use' })
            log.warn({ deviceId: result.device.deviceId }, 'mqtt client id held by another device; refused')
            return done(authError('client id in use by another device', IDENTIFIER_REJECTED), false)
          }
          devices.set(client, result.device)
          done(null, true)
        },
        (err: unknown) => {
          metrics.mqttAuthFailures.inc({ reason: 'registry_unavailable' })
          log.error({ err }, 'device registry unavailable during mqtt connect')
          done(authError('server unavailable', SERVER_UNAVAILABLE), false)
        },
      )
    },

    authorizePublish(client, packet, done) {
      const device = client ? devices.get(client) : undefined
      if (!device) return done(new Error('not authenticated'))
      const channel = publishChannelFor(packet.topic, device.deviceId)
      if (!channel) {
        metrics.ingestRejected.inc({ reason: 'topic_not_allowed' })
        log.warn({ tenant: device.tenant, deviceId: device.deviceId, reason: 'topic_not_allowed' }, 'publish refused; closing connection')
        return done(new Error('topic not allowed'))
      }
      // device data is never kept by the broker itself
      packet.retain = false
      const receivedAt = now()
      const decoded = decodeDevicePayload(channel, packet.payload as Buffer, receivedAt, options.maxPayloadBytes)
      if (!decoded.ok) {
        rejected.add(packet)
        reject(device, decoded.reason, decoded.detail, packet.topic)
        return done(null)
      }
      const record: IngestRecord = {
        tenant: device.tenant,
        deviceId: device.deviceId,
        site: device.site,
        deviceType: device.type,
        timeZone: device.timeZone,
        receivedAt,
        ...decoded.value,
      }
      options.accept(record).then(
        () => {
          metrics.ingestAccepted.inc({ channel })
          metrics.ingestEnqueueSeconds.observe((now() - receivedAt) / 1000)
          done(null)
        },
        (err: unknown) => {
          // not acknowledged: the device keeps the message and sends it again
          log.error({ err, deviceId: device.deviceId }, 'durable enqueue failed; message not acknowledged')
          done(err instanceof Error ? err : new Error(String(err)))
        },
      )
    },

    authorizeSubscribe(client, subscription, done) {
      const device = devices.get(client)
      if (device && maySubscribe(subscription.topic, device.deviceId)) return done(null, subscription)
      done(null, null)
    },

    authorizeForward(client, packet) {
      const device = devices.get(client)
      if (!device || rejected.has(packet) || !mayReceive(packet.topic, device.deviceId)) return null
      return packet
    },
  })

  aedes.on('client', () => metrics.mqttConnections.inc())
  aedes.on('clientDisconnect', (client) => {
    if (devices.has(client)) metrics.mqttConnections.dec()
  })
  aedes.on('clientError', (client, err) => log.debug({ deviceId: devices.get(client)?.deviceId, err: err.message }, 'mqtt client error'))

  const server = net.createServer(aedes.handle)
  let serving = false

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          serving = true
          const address = server.address()
          resolve(typeof address === 'object' && address ? address.port : port)
        })
      })
    },
    isServing: () => serving && !aedes.closed,
    async close() {
      serving = false
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        aedes.close(() => undefined)
      })
    },
  }
}
