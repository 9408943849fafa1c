/**
 * The publish path: aedes's authorizePublish hook, which runs before aedes sends PUBACK (PUBREC for
 * QoS 2), so a valid message is durably enqueued (awaited) here and only then acknowledged. As
 * aedes runs its own PUBLISH handling, it is a list of steps run in series over one shared
 * per-publish context (`Publish`); each step answers NEXT to go on, ACK to acknowledge without the
 * steps after it, or an Error, which closes the connection unacknowledged.
 *
 *   admit (synchronous, in arrival order)
 *     requirePacketId      QoS 1 or 2 with packet id 0 [MQTT-2.3.1-1]: close, count packet_id_zero
 *     stampReceipt         receipt time, strictly increasing per connection
 *     routeTopic           the topic's format, which is also the ACL: a topic the principal may not
 *                          publish to closes the connection ([MQTT-3.3.5-2]: 3.1.1 has no negative PUBACK)
 *     keepFromSubscribers  device data is neither retained nor forwarded: it leaves through the queues
 *   QoS 2 only: exactly once per session (exactly-once.ts): messages with the same packet id one
 *     after another; a packet id held until PUBREL skips the steps below (the broker sends PUBREC
 *     again); after them, the packet id is marked in the broker's session store
 *   store
 *     throttlePublisher    over its rate: wait (back-pressure); far over it: close
 *     decodePayload        a bad payload, or an uplink for another tenant's device: acknowledged,
 *                          not stored, the reason on the principal's errors topic
 *     acceptDurably        durably enqueued, or not acknowledged (the device sends it again)
 *     countAccepted        accepted records counted, the devices' last-seen times
 */
import type { AedesOptions, Client, PublishPacket } from 'aedes'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import type { IngestRecord } from '../lib/records.ts'
import type { MessageDecoder, Route } from './decode-message.ts'
import type { createExactlyOnce } from './exactly-once.ts'
import type { LastSeenTracker } from './last-seen.ts'
import { principalLogFields, type Principal } from './principals.ts'
import type { PublishThrottle } from './publish-throttle.ts'
import type { TellRejected } from './tell-rejected.ts'

export const NEXT = 'next' as const
export const ACK = 'ack' as const
/** A step's answer: go on, acknowledge now (skipping the steps after it), or close the connection. */
export type Verdict = typeof NEXT | typeof ACK | Error

/** One PUBLISH on its way through the steps; each step fills in what the later ones read. */
export interface Publish {
  readonly client: Client
  readonly principal: Principal
  readonly packet: PublishPacket
  /** Set by stampReceipt. */
  receivedAt: number
  /** Set by routeTopic. */
  route?: Route
  /** Set by decodePayload. */
  decoded?: { records: IngestRecord[]; unmappedFields: number }
}

export interface PublishDeps {
  metrics: Metrics
  log: Logger
  decoder: MessageDecoder
  now: () => number
  /** Resolves once the record is durable. */
  accept: (record: IngestRecord) => Promise<void>
  lastSeen?: LastSeenTracker | undefined
  throttle: PublishThrottle
  tellRejected: TellRejected
  exactlyOnce: ReturnType<typeof createExactlyOnce<Client>>
  /** The last receipt time per connection. */
  lastReceipt: WeakMap<Client, number>
  /** Every device publish, which authorizeForward passes to no subscriber. */
  neverForward: WeakSet<object>
}

type AuthorizePublish = NonNullable<AedesOptions['authorizePublish']>

export type SyncStep = (publish: Publish, deps: PublishDeps) => Verdict
export type Step = (publish: Publish, deps: PublishDeps) => Verdict | Promise<Verdict>

export function requirePacketId({ packet, principal }: Publish, { metrics, log }: PublishDeps): Verdict {
  if (packet.qos === 0 || packet.messageId) return NEXT
  metrics.mqttRefusedPackets.inc({ reason: 'packet_id_zero' })
  log.warn(principalLogFields(principal), 'publish with packet id 0; closing connection')
  return new Error('packet id 0')
}

/** A reading without its own time is stamped with its receipt, and InfluxDB keeps one point per series and millisecond. */
export function stampReceipt(publish: Publish, { now, lastReceipt }: PublishDeps): Verdict {
  publish.receivedAt = Math.max(now(), (lastReceipt.get(publish.client) ?? 0) + 1)
  lastReceipt.set(publish.client, publish.receivedAt)
  return NEXT
}

export function routeTopic(publish: Publish, { decoder, metrics, log }: PublishDeps): Verdict {
  publish.route = decoder.route(publish.principal, publish.packet.topic)
  if (publish.route) return NEXT
  metrics.ingestRejected.inc({ reason: 'topic_not_allowed' })
  log.warn({ ...principalLogFields(publish.principal), reason: 'topic_not_allowed' }, 'publish refused; closing connection')
  return new Error('topic not allowed')
}

export function keepFromSubscribers({ packet }: Publish, { neverForward }: PublishDeps): Verdict {
  packet.retain = false
  neverForward.add(packet)
  return NEXT
}

export async function throttlePublisher({ client, principal }: Publish, { throttle, log }: PublishDeps): Promise<Verdict> {
  if (await throttle(client, principal)) return NEXT
  log.warn(principalLogFields(principal), 'publishing far over its rate limit; closing connection')
  return new Error('rate limit')
}

export async function decodePayload(publish: Publish, { decoder, tellRejected }: PublishDeps): Promise<Verdict> {
  const { principal, packet } = publish
  const decoded = await decoder.decode(principal, publish.route!, packet.payload as Buffer, publish.receivedAt)
  if (!decoded.ok) {
    tellRejected(principal, decoded.reason, decoded.detail, packet.topic, decoded.cause)
    return ACK
  }
  publish.decoded = decoded
  return NEXT
}

export async function acceptDurably({ decoded, principal }: Publish, { accept, log }: PublishDeps): Promise<Verdict> {
  try {
    await Promise.all(decoded!.records.map((record) => accept(record)))
    return NEXT
  } catch (err) {
    // not acknowledged: the device keeps the message and sends it again
    log.error({ err, ...principalLogFields(principal) }, 'durable enqueue failed; message not acknowledged')
    return err instanceof Error ? err : new Error(String(err))
  }
}

export function countAccepted({ decoded, route, receivedAt }: Publish, { metrics, lastSeen, now }: PublishDeps): Verdict {
  for (const record of decoded!.records) {
    metrics.ingestAccepted.inc({ channel: route!.channel })
    lastSeen?.seen(record.tenant, record.deviceId, receivedAt)
  }
  if (decoded!.unmappedFields > 0) metrics.ingestUnmappedFields.inc({ channel: route!.channel }, decoded!.unmappedFields)
  metrics.ingestEnqueueSeconds.observe((now() - receivedAt) / 1000)
  return NEXT
}

/** The publish path, in order (see the top of this file). */
export const PUBLISH_STEPS = {
  admit: [requirePacketId, stampReceipt, routeTopic, keepFromSubscribers] satisfies SyncStep[],
  store: [throttlePublisher, decodePayload, acceptDurably, countAccepted] satisfies Step[],
}

/** Runs steps in series; the first verdict other than NEXT ends the run. */
export function admit(steps: readonly SyncStep[], publish: Publish, deps: PublishDeps): Verdict {
  for (const step of steps) {
    const verdict = step(publish, deps)
    if (verdict !== NEXT) return verdict
  }
  return NEXT
}

/** Runs steps in series as `admit` does, awaiting each: null to acknowledge, an Error to close. */
export async function store(steps: readonly Step[], publish: Publish, deps: PublishDeps): Promise<Error | null> {
  for (const step of steps) {
    const verdict = await step(publish, deps)
    if (verdict !== NEXT) return verdict === ACK ? null : verdict
  }
  return null
}

/** The authorizePublish hook: a connection's principal (set by authenticate) through PUBLISH_STEPS. */
export function createPublishHook(principals: WeakMap<Client, Principal>, deps: PublishDeps, steps = PUBLISH_STEPS): AuthorizePublish {
  return (client, packet, done) => {
    const principal = client ? principals.get(client) : undefined
    if (!principal || !client) return done(new Error('not authenticated'))
    const publish: Publish = { client, principal, packet, receivedAt: 0 }
    const admitted = admit(steps.admit, publish, deps)
    if (admitted !== NEXT) return done(admitted === ACK ? null : admitted)
    const run = () => store(steps.store, publish, deps)
    const handled = packet.qos === 2 ? deps.exactlyOnce.once(client, { topic: packet.topic, messageId: packet.messageId! }, run) : run()
    handled.then(
      (result) => done(result),
      (err: unknown) => {
        deps.log.error({ err, ...principalLogFields(principal) }, 'publish handling failed')
        done(err instanceof Error ? err : new Error(String(err)))
      },
    )
  }
}
