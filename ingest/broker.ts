/**
 * The embedded MQTT broker (aedes) with every hook ours: aedes's defaults accept anyone. This file
 * is the wiring; each hook lives in its own file:
 *
 * - frame-guard.ts: every connection passes it first (maximum packet size, before authentication;
 *   an unknown protocol level is answered CONNACK 1).
 * - authenticate.ts: preConnect and authenticate (credentials, client ids, keep-alive, and the
 *   limits on connection attempts per principal and refused attempts per source address).
 * - publish-steps.ts: authorizePublish, the publish path as an ordered list of steps: a valid
 *   message is durably enqueued before it is acknowledged; QoS 2 is exactly once per session
 *   (exactly-once.ts); a bad payload is acknowledged, not stored, and its reason published on the
 *   principal's errors topic (tell-rejected.ts).
 * - delivery-rights.ts: authorizeSubscribe and authorizeForward.
 * - connection-events.ts: each device's connect and disconnect as events, and its last-seen time.
 */
import { Aedes, type Client } from 'aedes'
import type { Duplex } from 'node:stream'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import type { IngestRecord } from '../lib/records.ts'
import type { Registry } from '../registry/index.ts'
import { connectedClient, incomingStore } from './aedes-internals.ts'
import { createAuthentication } from './authenticate.ts'
import type { BrokerLimits } from './broker-limits.ts'
import { recordConnectionEvents } from './connection-events.ts'
import type { MessageDecoder } from './decode-message.ts'
import { createDeliveryRights } from './delivery-rights.ts'
import { createExactlyOnce } from './exactly-once.ts'
import { guardConnection } from './frame-guard.ts'
import type { LastSeenTracker } from './last-seen.ts'
import { startListeners, type ListenerOptions, type Listeners } from './listeners.ts'
import type { Principal } from './principals.ts'
import { createPublishHook } from './publish-steps.ts'
import { createPublishThrottle } from './publish-throttle.ts'
import { createTellRejected } from './tell-rejected.ts'

export type { BrokerLimits } from './broker-limits.ts'

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

const AEDES_SETTINGS = {
  connectTimeout: 10_000,
  drainTimeout: 30_000,
  maxTopicLevels: 8,
  queueLimit: 42,
  // 0: aedes would refuse a keep-alive with CONNACK 6, reserved in MQTT 3.1.1; authenticate checks it
  keepaliveLimit: 0,
  maxClientsIdLength: 64,
}

export async function createBroker(options: BrokerOptions): Promise<Broker> {
  const { registry, metrics, log, limits, decoder, accept, lastSeen } = options
  const now = options.now ?? Date.now
  /** Each authenticated connection's principal. */
  const principals = new WeakMap<Client, Principal>()
  /** Every device publish: data leaves the broker only through the queues, never to subscribers. */
  const neverForward = new WeakSet<object>()
  // the hooks run only once aedes exists: they reach it through these closures
  const auth = createAuthentication({ registry, metrics, log, limits, now, principals, connectedClient: (id) => connectedClient(aedes, id) })
  const authorizePublish = createPublishHook(principals, {
    metrics, log, decoder, now, accept, lastSeen, neverForward,
    lastReceipt: new WeakMap(),
    throttle: createPublishThrottle({ limits, metrics, now }),
    tellRejected: createTellRejected({ metrics, log, now, broker: () => aedes }),
    exactlyOnce: createExactlyOnce<Client>(() => incomingStore(aedes)),
  })
  const { preConnect, authenticate } = auth
  const aedes = await Aedes.createBroker({ ...AEDES_SETTINGS, preConnect, authenticate, authorizePublish, ...createDeliveryRights(principals, neverForward) })
  recordConnectionEvents(aedes, { metrics, log, now, accept, lastSeen, principals })

  let listeners: Listeners | undefined
  function handle(connection: Duplex, remoteAddress: string | undefined) {
    const guarded = guardConnection(connection, limits.maxPacketBytes, (refusal) => {
      metrics.mqttRefusedPackets.inc({ reason: refusal.reason })
      log.warn({ reason: refusal.reason, bytes: refusal.packetBytes }, 'mqtt packet refused; connection closed')
    })
    auth.rememberAddress(guarded, remoteAddress)
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
