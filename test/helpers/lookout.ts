/**
 * Starts a whole Lookout instance in-process against the shared test Redis and InfluxDB, isolated by
 * a random key prefix and database, with MQTT and HTTP on free ports. Real broker, real workers.
 */
import { randomUUID } from 'node:crypto'
import { inject } from 'vitest'
import { createAlertStore } from '../../alerts/index.ts'
import { loadConfig, type Config } from '../../lib/config.ts'
import { createInfluxClient, type InfluxClient } from '../../lib/influx.ts'
import { createLogger } from '../../lib/logger.ts'
import { startLookout, type RunningLookout } from '../../app/lookout.ts'
import { closeRedis, createRedis } from '../../lib/redis.ts'
import { createRegistry, type Registry } from '../../registry/index.ts'

export interface TestLookout {
  config: Config
  mqttUrl: string
  httpUrl: string
  redisUrl: string
  influx: InfluxClient
  registry: Registry
  alerts: ReturnType<typeof createAlertStore>
  running: RunningLookout
  /** Registers a device and returns its credentials. */
  addDevice(deviceId: string, tenant: string, type?: string, site?: string): Promise<{ deviceId: string; username: string; password: string }>
  addToken(tenant: string, role?: 'responder' | 'viewer'): Promise<string>
  api(path: string, init?: RequestInit & { token?: string }): Promise<Response>
  close(): Promise<void>
}

export function uniqueName(prefix: string): string {
  return `${prefix}${randomUUID().replaceAll('-', '').slice(0, 12)}`
}

/** `logLines`, when given, receives every log line (JSON) of the instance, at debug level. */
export async function startTestLookout(env: Record<string, string> = {}, logLines?: string[]): Promise<TestLookout> {
  const redisUrl = inject('redisUrl')
  const influxUrl = env.INFLUX_URL ?? inject('influxUrl')
  const config = loadConfig({
    LOOKOUT_MQTT_PORT: '0',
    LOOKOUT_HTTP_PORT: '0',
    LOOKOUT_HOST: '127.0.0.1',
    LOOKOUT_KEY_PREFIX: uniqueName('t'),
    INFLUX_DB: uniqueName('t_'),
    LOOKOUT_RULE_PARTITIONS: '2',
    LOOKOUT_INGEST_FLUSH_MS: '2',
    // tests reconnect the same client ids many times a minute; the limit itself is tested on its own
    LOOKOUT_MQTT_CONNECT_RATE: '1000',
    // and refuse many connections on purpose, all from 127.0.0.1
    LOOKOUT_MQTT_ADDRESS_FAILURE_RATE: '100000',
    LOOKOUT_INFLUX_FLUSH_MS: '5',
    LOG_LEVEL: logLines ? 'debug' : 'silent',
    ...env,
  })
  const log = createLogger(config.logLevel, logLines ? { write: (line: string) => void logLines.push(line) } : 'stderr')
  const running = await startLookout(config, { redisUrl, influxUrl }, log, { defaultMetrics: false })
  const redis = createRedis(redisUrl, { name: 'test' })
  const registry = createRegistry(redis, config.keyPrefix)
  const alerts = createAlertStore(redis, config.keyPrefix)
  const httpUrl = `http://127.0.0.1:${running.httpPort}`
  return {
    config,
    mqttUrl: `mqtt://127.0.0.1:${running.mqttPort}`,
    httpUrl,
    redisUrl,
    influx: createInfluxClient({ url: influxUrl, database: config.influxDb }),
    registry,
    alerts,
    running,
    async addDevice(deviceId, tenant, type = 'pendant', site = 'site-1') {
      const { credentials } = await registry.addDevice({ deviceId, tenant, type, site }, Date.now())
      return credentials
    },
    async addToken(tenant, role = 'responder') {
      return (await registry.addToken({ tenant, role }, Date.now())).token
    },
    api(path, init = {}) {
      const { token, ...rest } = init
      const headers = { ...(rest.headers as Record<string, string> | undefined), ...(token ? { authorization: `Bearer ${token}` } : {}) }
      return fetch(`${httpUrl}${path}`, { ...rest, headers })
    },
    async close() {
      await running.close()
      await closeRedis(redis)
    },
  }
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
