/**
 * What every role of one Lookout process shares: the metrics, the InfluxDB client, the Redis
 * connections and the stores over them. Created before any role starts; the connections close after
 * every role has stopped.
 */
import type { Redis } from 'ioredis'
import { createAlertStore, type AlertStore } from '../alerts/index.ts'
import type { Config } from '../lib/config.ts'
import { createInfluxClient, type InfluxClient } from '../lib/influx.ts'
import { createMetrics, type Metrics } from '../lib/metrics.ts'
import { closeRedis, createRedis } from '../lib/redis.ts'
import { createRegistry, type Registry } from '../registry/index.ts'
import { createSpoolCounter, type SpoolCounter } from '../workers/index.ts'

export interface SharedClients {
  metrics: Metrics
  /** Commands: the registry, the alert store, the spool counter, last-seen times, the health check. */
  redis: Redis
  influx: InfluxClient
  registry: Registry
  spool: SpoolCounter
  alerts: AlertStore
  /** BullMQ takes ioredis instances: workers need `maxRetriesPerRequest: null`, queues should fail fast. */
  workerConnection: Redis
  queueConnection: Redis
  /** One more blocking connection (the alert hub's subscriber), closed with the others. */
  blockingConnection(name: string): Redis
  /** Closes every Redis connection, in the order they were opened. */
  close(): Promise<void>
}

export function createSharedClients(config: Config, services: { redisUrl: string; influxUrl: string }, options: { defaultMetrics?: boolean | undefined }): SharedClients {
  const connections: Redis[] = []
  const open = (name: string, blocking = false) => {
    const connection = createRedis(services.redisUrl, { blocking, name })
    connections.push(connection)
    return connection
  }
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics })
  const redis = open('lookout')
  const influx = createInfluxClient({ url: services.influxUrl, database: config.influxDb, ...config.influxAuth })
  return {
    metrics,
    redis,
    influx,
    registry: createRegistry(redis, config.keyPrefix),
    spool: createSpoolCounter(redis, config.keyPrefix),
    alerts: createAlertStore(redis, config.keyPrefix),
    workerConnection: open('lookout-workers', true),
    queueConnection: open('lookout-queues'),
    blockingConnection: (name) => open(name, true),
    async close() {
      for (const connection of connections) await closeRedis(connection)
    },
  }
}
