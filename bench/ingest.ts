/**
 * Ingest throughput: how many telemetry messages per second Lookout makes durable in InfluxDB, with
 * what latency, CPU and memory, and whether any acknowledged message is lost; next to two references
 * under the same load: Mosquitto passing the messages to one subscriber, and Node-RED storing them
 * in InfluxDB (Mosquitto → flow → InfluxDB).
 *
 *   npm run bench:ingest -- [--devices 1000] [--rate max|<msg/s>] [--window 1] [--warmup 5]
 *                           [--seconds 20] [--generators 1] [--only lookout|mosquitto|node-red] [--keep]
 *
 * Each part starts its own servers in a temporary folder and stops them. The load comes from a
 * separate process (bench/ingest/load-generator.ts): one MQTT connection per device, QoS 1, payload
 * {"temperature":21.5,"humidity":48.2,"seq":<n>}. By default (`--rate max`) each device publishes
 * its next message as soon as the previous one is acknowledged (closed loop, `--window` in flight),
 * which finds the maximum; `--rate N` paces N messages/s in all (open loop). Rates are measured
 * over the steady window (`--seconds`) after a warm-up (`--warmup`).
 *
 * One load-generator process is the default: the machine has 2 cores that Lookout, Redis and
 * InfluxDB share with it, so a second generator adds contention rather than load.
 *
 * Prints one JSON document and writes it to bench/results/ingest-<time>.json; progress goes to stderr.
 * Exits 1 when Lookout lost an acknowledged message.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { createLogger } from '../lib/logger.ts'
import { findBinary } from '../app/services/index.ts'
import { machineBasics, runParts } from './harness.ts'
import { runLookoutPart } from './ingest/lookout-part.ts'
import { runMosquittoPart } from './ingest/mosquitto-part.ts'
import { CACHE_DIR } from './ingest/node-red.ts'
import { runNodeRedPart } from './ingest/node-red-part.ts'
import { parseOptions, type BenchOptions } from './ingest/options.ts'
import { versionOf } from './ingest/processes.ts'
import { payloadOf } from './ingest/protocol.ts'
import { round } from './ingest/stats.ts'

async function machine() {
  const redis = await findBinary('redis-server')
  const influxd = await findBinary('influxd')
  const mosquitto = await findBinary('mosquitto')
  const nodeRed = await readFile(path.join(CACHE_DIR, 'node_modules/node-red/package.json'), 'utf8').then(
    (text) => (JSON.parse(text) as { version: string }).version,
    () => undefined,
  )
  return {
    ...machineBasics(),
    redis: redis && versionOf(redis, ['--version'])?.match(/v=(\S+)/)?.[1],
    influxdb: influxd && versionOf(influxd, ['version'])?.match(/InfluxDB (\S+)/)?.[1],
    mosquitto: mosquitto && versionOf(mosquitto, ['-h'])?.match(/version (\S+)/)?.[1],
    nodeRed,
  }
}

function describeConfig(options: BenchOptions) {
  return {
    devices: options.devices,
    rate: options.rate === null ? 'max (closed loop: next publish on PUBACK)' : `${options.rate} msg/s in all (open loop)`,
    inFlightPerDevice: options.window,
    warmupSeconds: options.warmupSeconds,
    steadySeconds: options.seconds,
    loadGeneratorProcesses: options.generators,
    parts: options.parts,
    qos: 1,
    topic: 'devices/<deviceId>/telemetry',
    payloadExample: payloadOf(0),
    methods: {
      durablePerSecond: 'points stored in InfluxDB during the steady window / its length (Lookout: lookout_store_points_written_total every 250 ms; Node-RED: SELECT count(seq) every 500 ms)',
      publishToStored:
        'FIFO approximation: of the messages found in InfluxDB, the k-th acknowledged is taken as the k-th stored; its storage time is when the stored-count curve reaches k (linear between samples, so within one sampling interval)',
      puback: 'Lookout acknowledges after the message is durably queued in Redis; Mosquitto as soon as it holds the message in memory',
      publishToDelivered: 'exact, per message: time the subscriber received it minus time it was published (same machine clock)',
      lost: 'exact: PUBACKed (device, seq) pairs not found among the points in InfluxDB (or messages the subscriber received), after draining',
      cpu: 'utime+stime from /proc/<pid>/stat over the steady window; otherProcessesCores is the rest of the machine (other work on the box)',
      peakRss: 'VmHWM from /proc/<pid>/status at the end of the part',
    },
  }
}

function optionsOrExit(): BenchOptions {
  try {
    return parseOptions(process.argv.slice(2))
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`)
    process.exit(2)
  }
}

const options = optionsOrExit()
const log = createLogger('warn', 'stderr')
const results: {
  lookout?: Awaited<ReturnType<typeof runLookoutPart>>
  mosquitto?: Awaited<ReturnType<typeof runMosquittoPart>>
  nodeRed?: Awaited<ReturnType<typeof runNodeRedPart>>
} = {}
await runParts('ingest', options, async (part, dir) => {
  const context = { options, dir, log }
  if (part === 'lookout') results.lookout = await runLookoutPart(context)
  else if (part === 'mosquitto') results.mosquitto = await runMosquittoPart(context)
  else results.nodeRed = await runNodeRedPart(context)
})

const { lookout, mosquitto, nodeRed } = results
const ratio = (a?: number, b?: number) => (a !== undefined && b ? round(a / b) : null)
const result = {
  benchmark: 'ingest',
  at: new Date().toISOString(),
  machine: await machine(),
  config: describeConfig(options),
  lookout: lookout ?? null,
  mosquitto: mosquitto ?? null,
  nodeRed: nodeRed ?? null,
  ratios: {
    lookoutVsMosquitto: ratio(lookout?.durablePerSecond, mosquitto?.deliveredPerSecond),
    lookoutVsNodeRed: ratio(lookout?.durablePerSecond, nodeRed?.durablePerSecond),
    meaning: 'Lookout messages/s durable in InfluxDB ÷ Mosquitto messages/s delivered to its subscriber, and ÷ Node-RED messages/s durable in InfluxDB',
  },
}
const out = path.resolve(import.meta.dirname, 'results')
await mkdir(out, { recursive: true })
await writeFile(path.join(out, `ingest-${result.at.replaceAll(':', '-')}.json`), `${JSON.stringify(result, null, 2)}\n`)
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
process.exit((lookout?.loss.lost ?? 0) === 0 ? 0 : 1)
