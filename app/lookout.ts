/**
 * The composition root: wires one Lookout process from a Config and the Redis/InfluxDB URLs.
 * No environment, no signals (main.ts owns those), so tests start whole instances in-process.
 * Roles (LOOKOUT_ROLES) choose what this process runs: broker (MQTT + ingest), api, workers.
 */
import type { Config } from '../lib/config.ts'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import { claimPartitions } from '../workers/index.ts'
import { startApiRole, type ApiRole } from './api-role.ts'
import { startBrokerRole, type BrokerRole } from './broker-role.ts'
import { ensureDatabaseInBackground } from './influx-database.ts'
import { createSharedClients } from './shared-clients.ts'
import { createShutdownOrder } from './shutdown-order.ts'
import { startWorkersRole } from './workers-role.ts'

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
 * Creates the shared clients, checks Redis and the installation's partition count, then starts each
 * configured role. If any step fails, what had started is closed again and the error is thrown.
 * `close` stops the parts in their shutdown order (app/shutdown-order.ts), then closes the Redis connections.
 */
export async function startLookout(
  config: Config,
  services: { redisUrl: string; influxUrl: string },
  log: Logger,
  options: { defaultMetrics?: boolean; ruleClock?: () => number } = {},
): Promise<RunningLookout> {
  const clients = createSharedClients(config, services, options)
  const parts = createShutdownOrder(log)
  let broker: BrokerRole | undefined
  let api: ApiRole | undefined
  try {
    await clients.redis.ping()
    await claimPartitions(clients.redis, config.keyPrefix, config.rulePartitions)
    parts.add('database', ensureDatabaseInBackground(clients.influx, log))
    if (config.roles.includes('workers')) parts.add('workers', await startWorkersRole(clients, config, log, options.ruleClock))
    if (config.roles.includes('broker')) {
      broker = await startBrokerRole(clients, config, log)
      parts.add('broker', broker)
    }
    if (config.roles.includes('api')) {
      api = await startApiRole(clients, config, log, { brokerServing: broker?.serving })
      parts.add('api', api)
    }
  } catch (err) {
    await parts.abandon()
    await clients.close()
    throw err
  }

  return {
    mqttPort: broker?.ports.mqtt,
    mqttTlsPort: broker?.ports.mqtts,
    mqttWsPort: broker?.ports.ws,
    httpPort: api?.httpPort,
    metrics: clients.metrics,
    async close() {
      await parts.close()
      await clients.close()
    },
  }
}
