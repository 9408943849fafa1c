/** The api role: the HTTP API and its alert stream, fed by the alert hub (one Redis subscriber per process). */
import { buildApi } from '../api/index.ts'
import { createAlertHub } from '../alerts/index.ts'
import type { Config } from '../lib/config.ts'
import type { Logger } from '../lib/logger.ts'
import type { SharedClients } from './shared-clients.ts'

export interface ApiRole {
  httpPort: number
  close(): Promise<void>
}

/** `brokerServing`, when this process runs the broker too, adds the broker to /healthz (Redis and InfluxDB are always in it). */
export async function startApiRole(clients: SharedClients, config: Config, log: Logger, health: { brokerServing?: (() => boolean) | undefined }): Promise<ApiRole> {
  const { registry, alerts, redis, influx, metrics } = clients
  const hub = await createAlertHub(clients.blockingConnection('lookout-alert-hub'), alerts, log)
  const api = buildApi({ registry, alerts, hub, redis, influx, metrics, log: log.child({ component: 'api' }), brokerServing: health.brokerServing })
  await api.listen({ port: config.httpPort, host: config.host })
  const address = api.server.address()
  const httpPort = typeof address === 'object' && address ? address.port : config.httpPort
  log.info({ port: httpPort }, 'http api listening')
  return {
    httpPort,
    async close() {
      await api.close()
      await hub.close()
    },
  }
}
