/**
 * The embedded MQTT broker (aedes) with every hook ours: aedes's defaults accept anyone.
 *
 * - Every connection passes the frame guard first (maximum packet size, before authentication; an
 *   unknown protocol level is answered CONNACK 1).
 * - authenticate: a device (username = device id) or a network-server integration (username =
 *   `integration:<id>`), by its secret. Before the registry is asked: an address with too many
 *   refused attempts is refused (CONNACK 3); keep-alive must be between 1 s and the configured
 *   maximum and an empty client id needs a clean session (else CONNACK 2). After: the client id
 *   must belong to the principal (client-ids.ts; else CONNACK 2), so take-over is only by the same
 *   principal; connection attempts are rate-limited per principal (CONNACK 3).
 * - authorizePublish: runs before aedes sends PUBACK (PUBREC for QoS 2), so a valid message is
 *   durably enqueued (awaited) here and only then acknowledged. QoS 2 is exactly once per session
 *   (exactly-once.ts). A QoS 1 or 2 PUBLISH with packet id 0 [MQTT-2.3.1-1] closes the connection.
 *   Publishing is rate-limited per connection by delaying (back-pressure), not dropping. A topic
 *   the principal may not publish to closes the connection ([MQTT-3.3.5-2]: 3.1.1 has no negative
 *   PUBACK). A bad payload, or an uplink for a device of
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
import { INTEGRATION_USERNAME_PREFIX, type Registry } from '../registry/index.ts'
import { clientIdBelongsTo } from './client-ids.ts'
import type { ConnectRefusalReason } from './connect-refusals.ts'
import { createExactlyOnce, type IncomingStore } from './exactly-once.ts'
import { guardConnection } from './frame-guard.ts'
import type { LastSeenTracker } from './last-seen.ts'
import { startListeners, type ListenerOptions, type Listeners } from './listeners.ts'
import type { MessageDecoder } from './decode-message.ts'
import { principalId, principalLogFields, type Principal } from './principals.ts'
import { createKeyedBuckets, createTokenBucket, type TokenBucket } from './rate-limit.ts'
import { addressKey } from './source-address.ts'
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
  addressFailuresPerMinute: number
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
  /** Connection attempts per principal, counted once authenticated: nobody else can use them up. */
  const connectBuckets = createKeyedBuckets({ perSecond: limits.connectPerMinute / 60, burst: limits.connectPerMinute })
  /** Refused connection attempts per source address, whatever client id or username they carry. */
  const addressFailures = createKeyedBuckets({ perSecond: limits.addressFailuresPerMinute / 60, burst: limits.addressFailuresPerMinute })
  /** The source address of each connection, by the stream aedes reads (its `client.conn`). */
  const addresses = new WeakMap<object, string>()
  /** What the CONNECT asked for, as sent: aedes replaces an empty client id before authenticate runs. */
  const connectRequests = new WeakMap<Client, { clientId: string; clean: boolean; keepalive: number }>()
  const exactlyOnce = createExactlyOnce<Client>(() => (aedes as unknown as { persistence: IncomingStore<Client> }).persistence)
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
    // 0: aedes would refuse a keep-alive with CONNACK 6, reserved in MQTT 3.1.1; authenticate checks it
    keepaliveLimit: 0,
    maxClientsIdLength: 64,

    preConnect(client, packet, done) {
      connectRequests.set(client, { clientId: packet.clientId, clean: packet.clean !== false, keepalive: packet.keepalive ?? 0 })
      done(null, true)
    },

    authenticate(client, username, password, done) {
      const address = addresses.get(client.conn) ?? 'unknown'
      const request = connectRequests.get(client) ?? { clientId: client.id, clean: client.clean, keepalive: 0 }
      const count = (reason: ConnectRefusalReason) => metrics.mqttAuthFailures.inc({ reason })
      /** A refusal that counts against the source address (the others below do not). */
      const refuse = (reason: ConnectRefusalReason, message: string, returnCode: number, fields: object = {}) => {
        addressFailures.tryTake(address, now())
        count(reason)
        log.warn({ ...fields, reason }, 'mqtt connection refused')
        done(authError(message, returnCode), false)
      }
      if (!addressFailures.hasToken(address, now())) {
        count('address_rate_limited')
        log.debug({ reason: 'address_rate_limited' }, 'mqtt connection refused')
        return done(authError('too many refused connection attempts from this address; try later', SERVER_UNAVAILABLE), false)
      }
      // [MQTT-3.1.3-8]: a zero-byte client id needs a clean session
      if (request.clientId === '' && !request.clean) return refuse('client_id_empty_persistent', 'an empty client id needs a clean session', IDENTIFIER_REJECTED)
      // MQTT 3.1.1 has no return code for a refused keep-alive: 2 (identifier rejected), as for any
      // unacceptable CONNECT field; aedes's 6 is reserved [MQTT-3.2.2.3]
      if (!request.keepalive || request.keepalive > limits.maxKeepaliveSeconds) return refuse('keepalive_refused', 'keep-alive must be between 1 and the maximum', IDENTIFIER_REJECTED)
      if (!username || !password) return refuse('missing_credentials', 'username and password required', BAD_USERNAME_OR_PASSWORD)
      const secret = password.toString('utf8')
      const lookup: Promise<{ ok: true; principal: Principal } | { ok: false; reason: ConnectRefusalReason }> = username.startsWith(INTEGRATION_USERNAME_PREFIX)
        ? registry.authenticateIntegration(username, secret).then((r) => (r.ok ? { ok: true, principal: { kind: 'integration', integration: r.integration } } : r))
        : registry.authenticateDevice(username, secret).then((r) => (r.ok ? { ok: true, principal: { kind: 'device', device: r.device } } : r))
      lookup.then(
        (result) => {
          if (!result.ok) return refuse(result.reason, 'bad username or password', BAD_USERNAME_OR_PASSWORD)
          if (!clientIdBelongsTo(result.principal, request.clientId)) {
            return refuse('client_id_not_owned', 'client id must be the username, or the username, ":" and a suffix', IDENTIFIER_REJECTED, principalLogFields(result.principal))
          }
          if (!connectBuckets.tryTake(principalId(result.principal), now())) {
            count('connect_rate_limited')
            log.warn(principalLogFields(result.principal), 'mqtt connection attempts over the rate; refused')
            return done(authError('too many connection attempts; try later', SERVER_UNAVAILABLE), false)
          }
          // only the principal itself can hold its client ids; kept as a second wall
          const holder = (aedes as unknown as { clients: Record<string, Client | undefined> }).clients[client.id]
          const holderPrincipal = holder ? principals.get(holder) : undefined
          if (holder && (!holderPrincipal || principalId(holderPrincipal) !== principalId(result.principal))) {
            count('client_id_in_use')
            log.warn(principalLogFields(result.principal), 'mqtt client id held by another device; refused')
            return done(authError('client id in use by another device', IDENTIFIER_REJECTED), false)
          }
          principals.set(client, result.principal)
          done(null, true)
        },
        (err: unknown) => {
          count('registry_unavailable')
          log.error({ err }, 'device registry unavailable during mqtt connect')
          done(authError('server unavailable', SERVER_UNAVAILABLE), false)
        },
      )
    },

    authorizePublish(client, packet, done) {
      const principal = client ? principals.get(client) : undefined
      if (!principal || !client) return done(new Error('not authenticated'))
      // [MQTT-2.3.1-1]: QoS 1 and 2 carry a non-zero packet id; 0 is a protocol violation
      if (packet.qos > 0 && !packet.messageId) {
        metrics.mqttRefusedPackets.inc({ reason: 'packet_id_zero' })
        log.warn(principalLogFields(principal), 'publish with packet id 0; closing connection')
        return done(new Error('packet id 0'))
      }
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
      /** Stores the message; null when it may be acknowledged, an Error to close the connection. */
      const handle = async (): Promise<Error | null> => {
        if (!(await throttle(client, principal))) {
          log.warn(principalLogFields(principal), 'publishing far over its rate limit; closing connection')
          return new Error('rate limit')
        }
        const decoded = await decoder.decode(principal, route, packet.payload as Buffer, receivedAt)
        if (!decoded.ok) {
          tellRejected(principal, decoded.reason, decoded.detail, packet.topic, decoded.cause)
          return null
        }
        try {
          await Promise.all(decoded.records.map((record) => options.accept(record)))
        } catch (err) {
          // not acknowledged: the device keeps the message and sends it again
          log.error({ err, ...principalLogFields(principal) }, 'durable enqueue failed; message not acknowledged')
          return err instanceof Error ? err : new Error(String(err))
        }
        for (const record of decoded.records) {
          metrics.ingestAccepted.inc({ channel: route.channel })
          options.lastSeen?.seen(record.tenant, record.deviceId, receivedAt)
        }
        if (decoded.unmappedFields > 0) metrics.ingestUnmappedFields.inc({ channel: route.channel }, decoded.unmappedFields)
        metrics.ingestEnqueueSeconds.observe((now() - receivedAt) / 1000)
        return null
      }
      const handled = packet.qos === 2 ? exactlyOnce.once(client, { topic: packet.topic, messageId: packet.messageId! }, handle) : handle()
      handled.then(
        (result) => done(result),
        (err: unknown) => {
          log.error({ err, ...principalLogFields(principal) }, 'publish handling failed')
          done(err instanceof Error ? err : new Error(String(err)))
        },
      )
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

  function handle(connection: Duplex, remoteAddress: string | undefined) {
    const guarded = guardConnection(connection, limits.maxPacketBytes, (refusal) => {
      metrics.mqttRefusedPackets.inc({ reason: refusal.reason })
      log.warn({ reason: refusal.reason, bytes: refusal.packetBytes }, 'mqtt packet refused; connection closed')
    })
    addresses.set(guarded, addressKey(remoteAddress))
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
