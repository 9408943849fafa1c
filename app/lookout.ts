/**
 * The composition root: wires one Lookout process from a Config and the Redis/InfluxDB URLs.
 * No environment, no signals (main.ts owns those), so tests start whole instances in-process.
 * Roles (LOOKOUT_ROLES) choose what this process runs: broker (MQTT + ingest), api, workers.
 */
import type { Redis } from 'ioredis'
import { buildApi } from '../api/index.ts'
import { createAcceptor, createBroker, createDeviceCache, createLastSeenTracker, createTenantCodecs, createMessageDecoder, createSpoolGate, type Broker } from '../ingest/index.ts'
import { claimPartitions, createIngestQueues, createSpoolCounter, startWorkers } from '../workers/index.ts'
import { createAlertHub, createAlertStore } from '../alerts/index.ts'
import type { Config } from '../lib/config.ts'
import { createInfluxClient } from '../lib/influx.ts'
import type { Logger } from '../lib/logger.ts'
import { createMetrics, type Metrics } from '../lib/metrics.ts'
import { closeRedis, createRedis } from '../lib/redis.ts'
import { createRegistry } from '../registry/index.ts'

export interface RunningLookout {
  /** The bound ports (useful when configured as 0). */
  mqttPort: number | undefined
  mqttTlsPort: number | undefined
  mqttWsPort: number | undefined
  httpPort: number | undefined
  metrics: Metrics
  close(): Promise<void>
}

/**
 * Creates the database without holding up start-up: while InfluxDB is unreachable, readings wait
 * in the store queue, and the store worker also creates the database when a write finds it missing.
 */
function ensureDatabaseInBackground(influx: ReturnType<typeof createInfluxClient>, log: Logger, stopped: () => boolean): Promise<void> {
  return (async () => {
    for (let attempt = 1; !stopped(); attempt++) {
      try {
        await influx.ensureDatabase()
        return
      } catch (err) {
        if (attempt === 1) log.warn({ err }, 'InfluxDB not ready; creating the database when it is')
        await new Promise((r) => setTimeout(r, Math.min(250 * attempt, 5000)))
      }
    }
  })()
}

export async function startLookout(
  config: Config,
  services: { redisUrl: string; influxUrl: string },
  log: Logger,
  options: { defaultMetrics?: boolean; ruleClock?: () => number } = {},
): Promise<RunningLookout> {
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics })
  const closers: (() => Promise<void>)[] = []
  const redisConnections: Redis[] = []
  const redis = createRedis(services.redisUrl, { name: 'lookout' })
  redisConnections.push(redis)
  const influx = createInfluxClient({ url: services.influxUrl, database: config.influxDb, ...config.influxAuth })
  const registry = createRegistry(redis, config.keyPrefix)
  const spool = createSpoolCounter(redis, config.keyPrefix)
  const alerts = createAlertStore(redis, config.keyPrefix)
  // BullMQ takes ioredis instances: workers need `maxRetriesPerRequest: null`, queues should fail fast
  const workerConnection = createRedis(services.redisUrl, { blocking: true, name: 'lookout-workers' })
  const queueConnection = createRedis(services.redisUrl, { name: 'lookout-queues' })
  redisConnections.push(workerConnection, queueConnection)
  let mqttPort: number | undefined
  let mqttTlsPort: number | undefined
  let mqttWsPort: number | undefined
  let httpPort: number | undefined

  try {
    await redis.ping()
    await claimPartitions(redis, config.keyPrefix, config.rulePartitions)
    let closed = false
    const databaseReady = ensureDatabaseInBackground(influx, log, () => closed)
    closers.push(async () => {
      closed = true
    })
    void databaseReady

    if (config.roles.includes('workers')) {
      const workers = await startWorkers({
        connection: workerConnection,
        redis,
        registry,
        keyPrefix: config.keyPrefix,
        partitions: config.rulePartitions,
        influx,
        alerts,
        metrics,
        log,
        spool,
        store: config.store,
        lockMs: config.jobLockMs,
        ruleLockMs: config.ruleLockMs,
        ruleTickMs: config.ruleTickMs,
        timerGraceMs: config.ruleTimerGraceMs,
        now: options.ruleClock,
      })
      closers.push(() => workers.close())
    }

    let broker: Broker | undefined
    if (config.roles.includes('broker')) {
      const queues = createIngestQueues({ connection: queueConnection, keyPrefix: config.keyPrefix, partitions: config.rulePartitions, spool })
      const brokerLog = log.child({ component: 'broker' })
      metrics.spoolCapacity.set(config.spoolMaxPoints)
      const gate = createSpoolGate({
        capacity: config.spoolMaxPoints,
        pollMs: 250,
        readDepth: () => spool.depth(),
        onDepth: (depth) => metrics.spoolPoints.set(depth),
        onFull: () => {
          metrics.spoolFull.set(1)
          brokerLog.error({ capacity: config.spoolMaxPoints }, 'spool full: telemetry is held back at the devices until InfluxDB catches up')
        },
        onRoom: () => {
          metrics.spoolFull.set(0)
          brokerLog.warn('spool has room again')
        },
        onError: (err) => brokerLog.debug({ err }, 'spool depth not read'),
      })
      const acceptor = createAcceptor({
        enqueue: (records) => queues.enqueue(records),
        gate,
        alerts,
        metrics,
        log: brokerLog,
        batchSize: config.ingestBatchSize,
        flushMs: config.ingestFlushMs,
        retryMs: config.ingestRetryMs,
      })
      const lastSeen = createLastSeenTracker({
        redis,
        keyPrefix: config.keyPrefix,
        flushMs: config.lastSeenFlushMs,
        onFlushed: (devices) => metrics.lastSeenFlushed.inc(devices),
        onError: (err) => brokerLog.warn({ err }, 'last-seen times not written; will retry'),
      })
      const deviceCache = createDeviceCache(registry, { ttlMs: 30_000 })
      const tenantCodecs = createTenantCodecs({ registry, ttlMs: 30_000, log: brokerLog })
      broker = await createBroker({
        registry,
        metrics,
        log: brokerLog,
        decoder: createMessageDecoder({ maxPayloadBytes: config.maxPayloadBytes, deviceByDevEui: deviceCache.byDevEui, tenantCodec: tenantCodecs.decode }),
        limits: config.mqtt,
        accept: (r) => acceptor.accept(r),
        lastSeen,
      })
      const ports = await broker.listen({ host: config.host, port: config.mqttPort, tls: config.mqtt.tls, wsPort: config.mqtt.wsPort })
      mqttPort = ports.mqtt
      mqttTlsPort = ports.mqtts
      mqttWsPort = ports.ws
      const b = broker
      // stop taking messages first, then write what was accepted, then close the queues
      closers.unshift(async () => {
        await b.close()
        gate.close()
        await acceptor.flush()
        await lastSeen.close().catch(() => undefined)
        await tenantCodecs.close()
        await queues.close()
      })
      log.info(ports, 'mqtt broker listening')
    }

    if (config.roles.includes('api')) {
      const subscriber = createRedis(services.redisUrl, { blocking: true, name: 'lookout-alert-hub' })
      redisConnections.push(subscriber)
      const hub = await createAlertHub(subscriber, alerts, log)
      const b = broker
      const api = buildApi({ registry, alerts, hub, redis, influx, metrics, log: log.child({ component: 'api' }), brokerServing: b ? () => b.isServing() : undefined })
      await api.listen({ port: config.httpPort, host: config.host })
      const address = api.server.address()
      httpPort = typeof address === 'object' && address ? address.port : config.httpPort
      closers.push(async () => {
        await api.close()
        await hub.close()
      })
      log.info({ port: httpPort }, 'http api listening')
    }
  } catch (err) {
    for (const close of closers.reverse()) await close().catch(() => undefined)
    for (const conn of redisConnections) await closeRedis(conn)
    throw err
  }

  return {
    mqttPort,
    mqttTlsPort,
    mqttWsPort,
    httpPort,
    metrics,
    async close() {
      // broker before workers: what the broker accepted reaches the queues before workers stop
      const order = [...closers]
      for (const close of order) {
        try {
          await close()
        } catch (err) {
          log.error({ err }, 'error while closing')
        }
      }
      for (const conn of redisConnections) await closeRedis(conn)
    },
  }
}
