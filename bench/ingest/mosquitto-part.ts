/**
 * Part 2 (reference): the same devices and load against Mosquitto, passing every message to one
 * QoS 1 subscriber (mqtt.js, its own process). Nothing is stored: this is the cost of moving the
 * messages through a good C broker on this machine. Latency and loss are exact, per message.
 */
import path from 'node:path'
import { anonymousLogins, deviceId, DEVICE_PREFIX, drain, fmt, mib, progress, textLogSummary, type PartContext } from './common.ts'
import { cpuPerMessage, prepareLoad } from './load.ts'
import { startMosquitto, watchDrops } from './mosquitto.ts'
import { forkModule, nextMessage, peakRssOf, Scope } from './processes.ts'
import { readRecordFile, type SubscriberCommand, type SubscriberEvent } from './protocol.ts'
import { checkLoss, deliverySummary, publishSummary, receiptPairs, round } from './stats.ts'

const LABEL = 'mosquitto'

export async function runMosquittoPart({ options, dir, log }: PartContext) {
  const scope = new Scope()
  try {
    progress(LABEL, 'starting mosquitto and the subscriber')
    const mosquitto = await startMosquitto(scope, dir, log)
    const drops = await watchDrops(mosquitto.url)
    scope.defer('$SYS watcher', () => drops.close())
    const subscriber = await forkModule(scope, { name: 'subscriber', module: path.join(import.meta.dirname, 'subscriber.ts'), logFile: path.join(dir, 'subscriber.log') })
    const tell = (command: SubscriberCommand) => subscriber.child.send(command)
    const recordFile = path.join(dir, 'received.f64')
    const ready = nextMessage(subscriber, 'ready', 30_000)
    tell({ type: 'init', brokerUrl: mosquitto.url, topic: 'devices/+/telemetry', devicePrefix: DEVICE_PREFIX, recordFile })
    await ready

    let received = { at: performance.now(), count: 0, rate: 0 }
    subscriber.child.on('message', (m: SubscriberEvent) => {
      if (m.type !== 'progress') return
      const at = performance.now()
      received = { at, count: m.received, rate: ((m.received - received.count) * 1000) / (at - received.at) }
    })

    const load = await prepareLoad(scope, options, LABEL, mosquitto.url, anonymousLogins(options.devices), dir)
    scope.defer('load generators', () => load.close())
    const run = await load.run({ mosquitto: mosquitto.proc.pid, subscriber: subscriber.pid }, () => `delivered ${fmt(received.rate)}/s`)

    const summary = publishSummary(run.published, run.window)
    // the subscriber reports once a second; give up when nothing new arrived for 3 s
    const drained = await drain(LABEL, 'messages delivered', summary.acked, () => received.count, 3_000, 60_000)
    const peakRss = { mosquitto: await peakRssOf(mosquitto.proc.pid), subscriber: await peakRssOf(subscriber.pid) }
    const done = nextMessage<Extract<SubscriberEvent, { type: 'done' }>>(subscriber, 'done', 30_000)
    tell({ type: 'stop' })
    const { unparsable } = await done
    const receipts = await readRecordFile(recordFile)

    const delivery = deliverySummary(run.published, receipts, run.window)
    const loss = checkLoss(run.published, receiptPairs(receipts), deviceId)
    return {
      connectSeconds: load.connectSeconds,
      messages: { sent: summary.sent, acked: summary.acked, unacked: summary.unacked, ackedPerDevice: summary.ackedPerDevice, disconnects: run.disconnects, clientErrors: run.errors },
      ackedPerSecond: summary.ackedPerSecond,
      deliveredPerSecond: delivery.deliveredPerSecond,
      drainSeconds: round(drained.seconds),
      latencyMs: { publishToPuback: summary.publishToPubackMs, publishToDelivered: delivery.publishToDeliveredMs },
      loss: {
        ...loss,
        droppedByMosquitto: drops.dropped(),
        unparsableAtSubscriber: unparsable,
        note: 'lost: acked by Mosquitto, never delivered to the subscriber; droppedByMosquitto: its $SYS count of messages dropped at a client\'s in-flight/queue limits',
      },
      peakRssMiB: { mosquitto: mib(peakRss.mosquitto), subscriber: mib(peakRss.subscriber) },
      cpu: {
        ...run.cpu,
        usPerDeliveredMessage: cpuPerMessage(run.cpu, delivery.deliveredInWindow),
      },
      log: await textLogSummary(path.join(dir, 'mosquitto.log'), { error: /error/i, warning: /warning/i }),
    }
  } finally {
    await scope.close()
  }
}
