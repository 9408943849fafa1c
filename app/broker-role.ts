/**
 * The broker role: MQTT in, durable rule and store jobs out. The broker decodes and authenticates,
 * the acceptor batches what it accepted into the ingest queues (PUBACK once they hold it), the spool
 * gate holds devices back while InfluxDB is behind, and last-seen times go to Redis.
 */
import { createAcceptor, createBroker, createDeviceCache, createLastSeenTracker, createMessageDecoder, createSpoolGate, createTenantCodecs, type SpoolGate } from '../ingest/index.ts'
import type { Config } from '../lib/config.ts'
import type { Logger } from '../lib/logger.ts'
import { createIngestQueues } from '../workers/index.ts'
import type { SharedClients } from './shared-clients.ts'

export interface BrokerRole {
  ports: { mqtt: number; mqtts?: number | undefined; ws?: number | undefined }
  /** For the health check: listening and not closed. */
  serving: () => boolean
  /** Stops taking messages first, then writes what was accepted, then closes the queues. */
  close(): Promise<void>
}

export async function startBrokerRole(clients: SharedClients, config: Config, log: Logger): Promise<BrokerRole> {
  const { metrics, registry, spool } = clients
  const queues = createIngestQueues({ connection: clients.queueConnection, keyPrefix: config.keyPrefix, partitions: config.rulePartitions, spool })
  const brokerLog = log.child({ component: 'broker' })
  const gate = createMeteredSpoolGate(clients, config.spoolMaxPoints, brokerLog)
  const acceptor = createAcceptor({
    enqueue: (records) => queues.enqueue(records),
    gate,
    alerts: clients.alerts,
    metrics,
    log: brokerLog,
    batchSize: config.ingestBatchSize,
    flushMs: config.ingestFlushMs,
    retryMs: config.ingestRetryMs,
  })
  const lastSeen = createLastSeenTracker({
    redis: clients.redis,
    keyPrefix: config.keyPrefix,
    flushMs: config.lastSeenFlushMs,
    onFlushed: (devices) => metrics.lastSeenFlushed.inc(devices),
    onError: (err) => brokerLog.warn({ err }, 'last-seen times not written; will retry'),
  })
  const deviceCache = createDeviceCache(registry, { ttlMs: 30_000 })
  const tenantCodecs = createTenantCodecs({ registry, ttlMs: 30_000, log: brokerLog })
  const broker = await createBroker({
    registry,
    metrics,
    log: brokerLog,
    decoder: createMessageDecoder({ maxPayloadBytes: config.maxPayloadBytes, deviceByDevEui: deviceCache.byDevEui, tenantCodec: tenantCodecs.decode }),
    limits: config.mqtt,
    accept: (r) => acceptor.accept(r),
    lastSeen,
  })
  const ports = await broker.listen({ host: config.host, port: config.mqttPort, tls: config.mqtt.tls, wsPort: config.mqtt.wsPort })
  log.info(ports, 'mqtt broker listening')
  return {
    ports,
    serving: () => broker.isServing(),
    async close() {
      await broker.close()
      gate.close()
      await acceptor.flush()
      await lastSeen.close().catch(() => undefined)
      await tenantCodecs.close()
      await queues.close()
    },
  }
}

/** The spool gate, its depth and fullness as metrics, and a log line when it fills up and when it has room again. */
function createMeteredSpoolGate({ metrics, spool }: SharedClients, capacity: number, log: Logger): SpoolGate {
  metrics.spoolCapacity.set(capacity)
  return createSpoolGate({
    capacity,
    pollMs: 250,
    readDepth: () => spool.depth(),
    onDepth: (depth) => metrics.spoolPoints.set(depth),
    onFull: () => {
      metrics.spoolFull.set(1)
      log.error({ capacity }, 'spool full: telemetry is held back at the devices until InfluxDB catches up')
    },
    onRoom: () => {
      metrics.spoolFull.set(0)
      log.warn('spool has room again')
    },
    onError: (err) => log.debug({ err }, 'spool depth not read'),
  })
}
