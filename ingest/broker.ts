/**
 * The embedded MQTT broker (aedes) with every hook ours: aedes's defaults accept anyone.
 *
 * - Every connection passes the frame guard first (maximum packet size, before authentication).
 * - authenticate: a device (username = device id) or a network-server integration (username =
 *   `integration:<id>`), by its secret; connection attempts are rate-limited per client id; a
 *   client id held by another principal's live connection is refused (takeover only by the same
 *   device); keep-alive must be between 1 s and the configured maximum.
 * - authorizePublish: runs before aedes sends PUBACK, so a valid message is durably enqueued
 *   (awaited) here and only then acknowledged. Publishing is rate-limited per connection by delaying
 *   (back-pressure), not dropping. A topic the principal may not publish to closes the connection
 *   ([MQTT-3.3.5-2]: 3.1.1 has no negative PUBACK). A bad payload, or an uplink for a device of
 *   another tenant, is acknowledged but not stored; the reason goes to the principal's errors topic.
 * - authorizeSubscribe: a principal may subscribe to its own errors topic only; else SUBACK 0x80.
 * - authorizeForward: a message reaches a client only inside that client's own namespace.
 * - The broker records each device's connect and disconnect as events, and its last-seen time.
 */
import { Aedes, type AuthenticateError, type Client } from 'aedes'
import type { Duplex } from 'node:stream'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import type { IngestRecord } from '../lib/records.ts'
import { INTEGRATION_USERNAME_PREFIX, type Registry } from '../lib/registry/index.ts'
import { guardConnection } from './frame-guard.ts'
import type { LastSeenTracker } from './last-seen.ts'
import { startListeners, type ListenerOptions, type Listeners } from './listeners.ts'
import type { MessageDecoder } from './decode-message.ts'
import { principalId, principalLogFields, type Principal } from './principals.ts'
import { createKeyedBuckets, createTokenBucket, type TokenBucket } from './rate-limit.ts'
import { errorsTopic, integrationErrorsTopic } from './topics.ts'

// MQTT 3.1.1 CONNACK return codes [MQTT-3.2.2.3]
const IDENTIFIER_REJECTED = 2
const SERVER_UNAVAILABLE = 3
const BAD_USERNAME_OR_PASSWORD = 4
/** A sender so far over its rate that it would wait this long is not slowed but disconnected. */
const MAX_THROTTLE_MS = 10_000

export interface BrokerLimits {
  maxPacketBytes: number
  maxKeepaliveSeconds: number
  connectPerMinute: number
  publishPerSecond: number
  integrationPublishPerSecond: number
}

export interface BrokerOptions {
  registry: Registry
  metrics: Metrics
  log: Logger
  decoder: MessageDecoder
  limits: BrokerLimits
  /** Resolves once the record is durable; the device is acknowledged only after that. */
  accept: (record: IngestRecord) => Promise<void>
  lastSeen?: LastSeenTracker | undefined
  now?: () => number
}

export interface Broker {
  listen(options: ListenerOptions): Promise<Listeners['ports']>
  isServing(): boolean
  close(): Promise<void>
}

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export async function createBroker(options: BrokerOptions): Promise<Broker> {
  const { registry, metrics, log, limits, decoder } = options
  const now = options.now ?? Date.now
  const principals = new WeakMap<Client, Principal>()
  /** Every device publish: data leaves the broker only through the queues, never to subscribers. */
  const neverForward = new WeakSet<object>()
  const connectBuckets = createKeyedBuckets({ perSecond: limits.connectPerMinute / 60, burst: limits.connectPerMinute })
  const publishBuckets = new WeakMap<Client, TokenBucket>()
  const lastReceipt = new WeakMap<Client, number>()
  let aedes: Aedes

  function ownErrorsTopic(principal: Principal): string {
    return principal.kind === 'device' ? errorsTopic(principal.device.deviceId) : integrationErrorsTopic(principal.integration.integrationId)
  }

  function tellRejected(principal: Principal, reason: string, detail: string, topic: string, cause?: string) {
    metrics.ingestRejected.inc({ reason })
    // the reason only: payloads may carry health data and never reach a log; `cause` is told to no principal
    log.warn({ ...principalLogFields(principal), reason, ...(cause === undefined ? {} : { cause }) }, 'message rejected')
    const body = JSON.stringify({ reason, detail, topic, at: new Date(now()).toISOString() })
    aedes.publish({ cmd: 'publish', topic: ownErrorsTopic(principal), payload: Buffer.from(body), qos: 0, retain: false, dup: false }, () => {})
  }

  function recordConnection(principal: Principal, eventType: 'device.connected' | 'device.disconnected') {
    if (principal.kind !== 'device') return
    const d = principal.device
    const at = now()
    options
      .accept({ kind: 'event', source: 'broker', tenant: d.tenant, deviceId: d.deviceId, site: d.site, deviceType: d.type, timeZone: d.timeZone, ts: at, receivedAt: at, eventType })
      .catch((err: unknown) => log.error({ err, deviceId: d.deviceId }, 'could not record a connection event'))
  }

  async function throttle(client: Client, principal: Principal): Promise<boolean> {
    let bucket = publishBuckets.get(client)
    if (!bucket) {
      const perSecond = principal.kind === 'device' ? limits.publishPerSecond : limits.integrationPublishPerSecond
      bucket = createTokenBucket({ perSecond, burst: perSecond * 2 }, now())
      publishBuckets.set(client, bucket)
    }
    const wait = bucket.reserve(now())
    if (wait === 0) return true
    metrics.ingestHeld.inc({ cause: 'rate_limited' })
    if (wait > MAX_THROTTLE_MS) return false
    await sleep(wait)
    return true
  }

  aedes = await Aedes.createBroker({
    connectTimeout: 10_000,
    drainTimeout: 30_000,
    maxTopicLevels: 8,
    queueLimit: 42,
    keepaliveLimit: limits.maxKeepaliveSeconds,
    maxClientsIdLength: 64,

    authenticate(client, username, password, done) {
      if (!connectBuckets.tryTake(client.id, now())) {
        metrics.mqttAuthFailures.inc({ reason: 'connect_rate_limited' })
        return done(authError('too many connection attempts; try later', SERVER_UNAVAILABLE), false)
      }
      if (!username || !password) {
        metrics.mqttAuthFailures.inc({ reason: 'missing_credentials' })
        return done(authError('username and password required', BAD_USERNAME_OR_PASSWORD), false)
      }
      const secret = password.toString('utf8')
      const lookup: Promise<{ ok: true; principal: Principal } | { ok: false; reason: string }> = username.startsWith(INTEGRATION_USERNAME_PREFIX)
        ? registry.authenticateIntegration(username, secret).then((r) => (r.ok ? { ok: true, principal: { kind: 'integration', integration: r.integration } } : r))
        : registry.authenticateDevice(username, secret).then((r) => (r.ok ? { ok: true, principal: { kind: 'device', device: r.device } } : r))
      lookup.then(
        (result) => {
          if (!result.ok) {
            metrics.mqttAuthFailures.inc({ reason: result.reason })
            log.warn({ reason: result.reason }, 'mqtt connection refused')
            return done(authError('bad username or password', BAD_USERNAME_OR_PASSWORD), false)
          }
          const holder = (aedes as unknown as { clients: Record<string, Client | undefined> }).clients[client.id]
          const holderPrincipal = holder ? principals.get(holder) : undefined
          if (holder && (!holderPrincipal || principalId(holderPrincipal) !== principalId(result.principal))) {
            metrics.mqttAuthFailures.inc({ reason: 'client_id_in_use' })
            log.warn(principalLogFields(result.principal), 'mqtt client id held by another device; refused')
            return done(authError('client id in use by another device', IDENTIFIER_REJECTED), false)
          }
          principals.set(client, result.principal)
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
      const principal = client ? principals.get(client) : undefined
      if (!principal || !client) return done(new Error('not authenticated'))
      // strictly increasing per connection: a reading without its own time is stamped with its
      // receipt, and InfluxDB keeps one point per series and millisecond
      const receivedAt = Math.max(now(), (lastReceipt.get(client) ?? 0) + 1)
      lastReceipt.set(client, receivedAt)
      const route = decoder.route(principal, packet.topic)
      if (!route) {
        metrics.ingestRejected.inc({ reason: 'topic_not_allowed' })
        log.warn({ ...principalLogFields(principal), reason: 'topic_not_allowed' }, 'publish refused; closing connection')
        return done(new Error('topic not allowed'))
      }
      // device data is never kept by the broker itself
      packet.retain = false
      neverForward.add(packet)
      void (async () => {
        if (!(await throttle(client, principal))) {
          log.warn(principalLogFields(principal), 'publishing far over its rate limit; closing connection')
          return done(new Error('rate limit'))
        }
        const decoded = await decoder.decode(principal, route, packet.payload as Buffer, receivedAt)
        if (!decoded.ok) {
          tellRejected(principal, decoded.reason, decoded.detail, packet.topic, decoded.cause)
          return done(null)
        }
        try {
          await Promise.all(decoded.records.map((record) => options.accept(record)))
        } catch (err) {
          // not acknowledged: the device keeps the message and sends it again
          log.error({ err, ...principalLogFields(principal) }, 'durable enqueue failed; message not acknowledged')
          return done(err instanceof Error ? err : new Error(String(err)))
        }
        for (const record of decoded.records) {
          metrics.ingestAccepted.inc({ channel: route.channel })
          options.lastSeen?.seen(record.tenant, record.deviceId, receivedAt)
        }
        if (decoded.unmappedFields > 0) metrics.ingestUnmappedFields.inc({ channel: route.channel }, decoded.unmappedFields)
        metrics.ingestEnqueueSeconds.observe((now() - receivedAt) / 1000)
        done(null)
      })().catch((err: unknown) => {
        log.error({ err, ...principalLogFields(principal) }, 'publish handling failed')
        done(err instanceof Error ? err : new Error(String(err)))
      })
    },

    authorizeSubscribe(client, subscription, done) {
      const principal = principals.get(client)
      if (principal && subscription.topic === ownErrorsTopic(principal)) return done(null, subscription)
      done(null, null)
    },

    authorizeForward(client, packet) {
      const principal = principals.get(client)
      if (!principal || neverForward.has(packet) || packet.topic !== ownErrorsTopic(principal)) return null
      return packet
    },
  })

  aedes.on('client', (client) => {
    metrics.mqttConnections.inc()
    const principal = principals.get(client)
    if (principal) {
      recordConnection(principal, 'device.connected')
      if (principal.kind === 'device') options.lastSeen?.seen(principal.device.tenant, principal.device.deviceId, now())
    }
  })
  aedes.on('clientDisconnect', (client) => {
    const principal = principals.get(client)
    if (!principal) return
    metrics.mqttConnections.dec()
    // a takeover by the same device: its new connection is already registered, it never went away
    const current = (aedes as unknown as { clients: Record<string, Client | undefined> }).clients[client.id]
    if (!aedes.closed && !(current && current !== client)) recordConnection(principal, 'device.disconnected')
  })
  aedes.on('clientError', (client, err) => {
    const principal = principals.get(client)
    log.debug({ ...(principal ? principalLogFields(principal) : {}), err: err.message }, 'mqtt client error')
  })
  aedes.on('connectionError', (_client, err) => log.debug({ err: err.message }, 'mqtt connection error'))

  let listeners: Listeners | undefined

  function handle(connection: Duplex) {
    const guarded = guardConnection(connection, limits.maxPacketBytes, (refusal) => {
      metrics.mqttRefusedPackets.inc({ reason: refusal.reason })
      log.warn({ reason: refusal.reason, bytes: refusal.packetBytes }, 'mqtt packet refused; connection closed')
    })
    aedes.handle(guarded)
  }

  return {
    async listen(listenerOptions) {
      listeners = await startListeners(listenerOptions, handle)
      return listeners.ports
    },
    isServing: () => listeners !== undefined && !aedes.closed,
    async close() {
      const l = listeners
      listeners = undefined
      await Promise.all([l?.close(), new Promise<void>((resolve) => aedes.close(() => resolve()))])
    },
  }
}
