/**
 * Part 3 (reference): the same devices and load, with Node-RED doing Lookout's job: Mosquitto →
 * Node-RED flow → InfluxDB (database `nodered`). Mosquitto acknowledges a message as soon as it
 * has it in memory, so a PUBACK here promises much less than Lookout's: when Node-RED falls behind,
 * Mosquitto drops what exceeds its queue for Node-RED (counted in loss.droppedByMosquitto).
 *
 * Durable rate: `SELECT count(seq)` polled every 500 ms (a count is heavier than reading a
 * counter, hence the slower polling). Loss: every PUBACKed (device, seq) looked up in InfluxDB once
 * the count stops growing.
 */
import path from 'node:path'
import { findFreePort, startInfluxd } from '../../app/services/index.ts'
import { anonymousLogins, binaries, deviceId, DEVICE_PREFIX, drain, fmt, mib, progress, startSampler, textLogSummary, type PartContext } from './common.ts'
import { countStored, influxClient, storedPairs } from './influx.ts'
import { cpuPerMessage, prepareLoad } from './load.ts'
import { startMosquitto, watchDrops } from './mosquitto.ts'
import { ensureNodeRed, startNodeRed } from './node-red.ts'
import { cpuSecondsOf, peakRssOf, Scope } from './processes.ts'
import { checkLoss, countAt, fifoStoredLatencies, pairKeys, percentiles, perSecond, publishSummary, round } from './stats.ts'

const LABEL = 'node-red'
const DATABASE = 'nodered'
const SAMPLE_MS = 500

export async function runNodeRedPart({ options, dir, log }: PartContext) {
  const version = await ensureNodeRed()
  const scope = new Scope()
  try {
    progress(LABEL, 'starting influxd, mosquitto and Node-RED')
    const influx = await startInfluxd({ binary: await binaries.influxd(log), dir: path.join(dir, 'influx'), httpPort: await findFreePort(), rpcPort: await findFreePort() })
    scope.defer('influxd', () => influx.stop())
    const db = influxClient(influx.url, DATABASE)
    await db.ensureDatabase()
    const mosquitto = await startMosquitto(scope, dir, log)
    const drops = await watchDrops(mosquitto.url)
    scope.defer('$SYS watcher', () => drops.close())
    const nodeRed = await startNodeRed(scope, dir, { mqttPort: mosquitto.port, influxPort: Number(new URL(influx.url).port), database: DATABASE })

    const load = await prepareLoad(scope, options, LABEL, mosquitto.url, anonymousLogins(options.devices), dir)
    scope.defer('load generators', () => load.close())
    const stored = startSampler(SAMPLE_MS, () => countStored(db))
    const run = await load.run({ nodeRed: nodeRed.pid, mosquitto: mosquitto.proc.pid, influxd: influx.pid }, () => `stored ${fmt(stored.rate())}/s`)

    const summary = publishSummary(run.published, run.window)
    // Node-RED queues writes in memory: wait while the count still grows (give up after 10 s without progress)
    const drained = await drain(LABEL, 'points stored', summary.acked, () => stored.latest(), 10_000)
    await stored.stop()
    const peakRss = await peakRssOf(nodeRed.pid)
    const cpuWholePart = cpuSecondsOf(nodeRed.pid)
    progress(LABEL, 'reading every stored point back from InfluxDB')
    const found = await storedPairs(influx.url, DATABASE, DEVICE_PREFIX)
    const loss = checkLoss(run.published, found, deviceId)

    const storedInWindow = countAt(stored.curve, run.window.to) - countAt(stored.curve, run.window.from)
    return {
      nodeRedVersion: version,
      connectSeconds: load.connectSeconds,
      messages: { sent: summary.sent, acked: summary.acked, unacked: summary.unacked, ackedPerDevice: summary.ackedPerDevice, disconnects: run.disconnects, clientErrors: run.errors },
      ackedPerSecond: summary.ackedPerSecond,
      durablePerSecond: perSecond(storedInWindow, run.window),
      notStoredAtLoadEnd: Math.round(summary.acked - countAt(stored.curve, run.window.to)),
      drainSeconds: round(drained.seconds),
      latencyMs: {
        publishToPuback: summary.publishToPubackMs,
        publishToStored: percentiles(fifoStoredLatencies(run.published, stored.curve, run.window, pairKeys(found))),
      },
      loss: { ...loss, drainedCompletely: drained.complete, droppedByMosquitto: drops.dropped() },
      peakRssMiB: { nodeRed: mib(peakRss), mosquitto: mib(await peakRssOf(mosquitto.proc.pid)) },
      cpu: {
        ...run.cpu,
        usPerDurableMessage: cpuPerMessage(run.cpu, storedInWindow),
        nodeRedSecondsWholePart: round(cpuWholePart),
      },
      log: await textLogSummary(path.join(dir, 'node-red.log'), { error: / - \[error\] /, warning: / - \[warn\] / }),
    }
  } finally {
    await scope.close()
  }
}
