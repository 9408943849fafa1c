/**
 * Part 1: Lookout itself. Throwaway redis-server and influxd, Lookout as a child process
 * (`node bin/lookout.js start`), devices registered straight into the registry, real MQTT load.
 *
 * Durable rate: Lookout's `lookout_store_points_written_total` (counted after InfluxDB answered the
 * write), sampled every 250 ms. Loss: every PUBACKed (device, seq) looked up in InfluxDB after the
 * store queue has drained.
 */
import path from 'node:path'
import { closeRedis, createRedis } from '../../lib/redis.ts'
import { createRegistry } from '../../registry/index.ts'
import { findFreePort, startInfluxd, startRedisServer } from '../../app/services/index.ts'
import { binaries, deviceId, DEVICE_PREFIX, drain, fmt, logTail, metricSum, mib, pinoLogSummary, progress, startSampler, type PartContext } from './common.ts'
import { BENCH_TENANT, storedPairs } from './influx.ts'
import { cpuPerMessage, prepareLoad } from './load.ts'
import { cpuSecondsOf, peakRssOf, Scope, startProcess, waitUntil } from './processes.ts'
import type { DeviceLogin } from './protocol.ts'
import { checkLoss, countAt, fifoStoredLatencies, pairKeys, percentiles, perSecond, publishSummary, round, type Curve } from './stats.ts'

const LABEL = 'lookout'
const REPO = path.resolve(import.meta.dirname, '../..')
const KEY_PREFIX = 'lookout'
const DATABASE = 'lookout'
const SAMPLE_MS = 250

async function registerDevices(redisUrl: string, count: number): Promise<DeviceLogin[]> {
  const redis = createRedis(redisUrl)
  try {
    const registry = createRegistry(redis, KEY_PREFIX)
    const logins: DeviceLogin[] = []
    for (let first = 0; first < count; first += 200) {
      const batch = Array.from({ length: Math.min(200, count - first) }, (_, i) => first + i)
      logins.push(
        ...(await Promise.all(
          batch.map(async (index) => {
            const id = deviceId(index)
            const { credentials } = await registry.addDevice({ deviceId: id, tenant: BENCH_TENANT, type: 'environment-sensor' }, Date.now())
            return { index, id, password: credentials.password }
          }),
        )),
      )
    }
    return logins
  } finally {
    await closeRedis(redis)
  }
}

/** The value of a counter once it has not moved for a second (at most 15 s). */
async function settled(value: () => number): Promise<number> {
  let previous = value()
  for (let i = 0; i < 15; i++) {
    await new Promise((r) => setTimeout(r, 1000))
    if (value() === previous) break
    previous = value()
  }
  return value()
}

/** `node bin/lookout.js start` against the given servers; resolves once /healthz answers 200. */
async function startLookout(scope: Scope, dir: string, services: { redisUrl: string; influxUrl: string }) {
  const mqttPort = await findFreePort()
  const httpPort = await findFreePort()
  const logFile = path.join(dir, 'lookout.log')
  const proc = await startProcess(scope, {
    name: 'Lookout',
    command: process.execPath,
    args: ['bin/lookout.js', 'start'],
    cwd: REPO,
    logFile,
    // LOOKOUT_* variables of the benchmark's environment reach Lookout too (e.g. LOOKOUT_INGEST_BATCH_SIZE)
    env: {
      ...process.env,
      REDIS_URL: services.redisUrl,
      INFLUX_URL: services.influxUrl,
      INFLUX_DB: DATABASE,
      LOOKOUT_MQTT_PORT: String(mqttPort),
      LOOKOUT_HTTP_PORT: String(httpPort),
      LOOKOUT_HOST: '127.0.0.1',
      LOOKOUT_DATA_DIR: path.join(dir, 'lookout-data'),
      LOOKOUT_KEY_PREFIX: KEY_PREFIX,
      LOG_LEVEL: 'warn',
    },
  })
  const httpBase = `http://127.0.0.1:${httpPort}`
  const healthy = await waitUntil(async () => {
    if (!proc.running()) throw new Error(`Lookout exited during start; ${await logTail(logFile)}`)
    const res = await fetch(`${httpBase}/healthz`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined)
    await res?.arrayBuffer()
    return res?.status === 200
  }, 60_000)
  if (!healthy) throw new Error(`Lookout did not become healthy within 60 s; ${await logTail(logFile)}`)
  return { proc, mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, httpBase, logFile }
}

export async function runLookoutPart({ options, dir, log }: PartContext) {
  const scope = new Scope()
  try {
    progress(LABEL, 'starting redis-server, influxd and Lookout')
    const redis = await startRedisServer({ binary: await binaries.redis(log), dir: path.join(dir, 'redis'), port: await findFreePort() })
    scope.defer('redis-server', () => redis.stop())
    const influx = await startInfluxd({ binary: await binaries.influxd(log), dir: path.join(dir, 'influx'), httpPort: await findFreePort(), rpcPort: await findFreePort() })
    scope.defer('influxd', () => influx.stop())
    const lookout = await startLookout(scope, dir, { redisUrl: redis.url, influxUrl: influx.url })

    progress(LABEL, `registering ${fmt(options.devices)} devices`)
    const logins = await registerDevices(redis.url, options.devices)
    const load = await prepareLoad(scope, options, LABEL, lookout.mqttUrl, logins, dir)
    scope.defer('load generators', () => load.close())

    let exposition = ''
    const written = startSampler(SAMPLE_MS, async () => {
      const res = await fetch(`${lookout.httpBase}/metrics`, { signal: AbortSignal.timeout(2000) })
      exposition = await res.text()
      return metricSum(exposition, 'lookout_store_points_written_total')
    })
    // Lookout also stores a connection event per device: let those settle and count telemetry from there
    const baseline = await settled(() => written.latest())
    const storedTelemetry = () => written.latest() - baseline
    const run = await load.run(
      { lookout: lookout.proc.pid, redis: redis.pid, influxd: influx.pid },
      () => `stored ${fmt(written.rate())}/s · spooled (queued, not yet stored) ${fmt(metricSum(exposition, 'lookout_spool_points'))}`,
    )

    const summary = publishSummary(run.published, run.window)
    const drained = await drain(LABEL, 'points stored', summary.acked, storedTelemetry, 30_000)
    await written.stop()
    const stored: Curve = { t: written.curve.t, n: written.curve.n.map((n) => n - baseline) }
    const peakRss = await peakRssOf(lookout.proc.pid)
    const cpuWholePart = cpuSecondsOf(lookout.proc.pid)

    progress(LABEL, 'reading every stored point back from InfluxDB')
    const found = await storedPairs(influx.url, DATABASE, DEVICE_PREFIX)
    const loss = checkLoss(run.published, found, deviceId)
    const storedInWindow = countAt(stored, run.window.to) - countAt(stored, run.window.from)
    return {
      connectSeconds: load.connectSeconds,
      messages: { sent: summary.sent, acked: summary.acked, unacked: summary.unacked, ackedPerDevice: summary.ackedPerDevice, disconnects: run.disconnects, clientErrors: run.errors },
      ackedPerSecond: summary.ackedPerSecond,
      durablePerSecond: perSecond(storedInWindow, run.window),
      notStoredAtLoadEnd: Math.round(summary.acked - countAt(stored, run.window.to)),
      drainSeconds: round(drained.seconds),
      latencyMs: {
        publishToPuback: summary.publishToPubackMs,
        publishToStored: percentiles(fifoStoredLatencies(run.published, stored, run.window, pairKeys(found))),
      },
      loss: {
        ...loss,
        drainedCompletely: drained.complete,
        // counted as written by Lookout (less the connection events before the load) but not found:
        // above 0, InfluxDB replaced points by later ones of the same device and timestamp
        writtenNotFound: storedTelemetry() - loss.foundPoints,
      },
      counters: {
        ingestAccepted: metricSum(exposition, 'lookout_ingest_accepted_total'),
        ingestHeld: metricSum(exposition, 'lookout_ingest_held_total'),
        ingestRejected: metricSum(exposition, 'lookout_ingest_rejected_total'),
        storeWriteFailures: metricSum(exposition, 'lookout_store_write_failures_total'),
        mqttAuthFailures: metricSum(exposition, 'lookout_mqtt_auth_failures_total'),
        // Lookout's own view of the PUBACK wait: receipt to durable enqueue, mean over the whole part
        ingestEnqueueMsMean: round((1000 * metricSum(exposition, 'lookout_ingest_enqueue_seconds_sum')) / metricSum(exposition, 'lookout_ingest_enqueue_seconds_count')),
      },
      peakRssMiB: mib(peakRss),
      cpu: { ...run.cpu, usPerDurableMessage: cpuPerMessage(run.cpu, storedInWindow), lookoutSecondsWholePart: round(cpuWholePart) },
      log: await pinoLogSummary(lookout.logFile),
    }
  } finally {
    await scope.close()
  }
}
