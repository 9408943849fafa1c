/**
 * Publish-to-alert latency: N pendants each press M times (QoS 1, real MQTT connections); for each
 * press we time PUBACK (durably enqueued) and the arrival of its alert on the SSE stream.
 * Starts its own Redis and InfluxDB in a temporary folder. Prints JSON and writes bench/results/.
 *   npm run bench:alert-latency -- [--devices 50] [--presses 20]
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import mqtt from 'mqtt'
import { loadConfig } from '../lib/config.ts'
import { createLogger } from '../lib/logger.ts'
import { startLookout } from '../app/lookout.ts'
import { closeRedis, createRedis } from '../lib/redis.ts'
import { createRegistry } from '../registry/index.ts'
import { ensureBinary, findFreePort, startInfluxd, startRedisServer } from '../app/services/index.ts'

const { values } = parseArgs({ options: { devices: { type: 'string', default: '50' }, presses: { type: 'string', default: '20' } } })
const devices = Number(values.devices)
const presses = Number(values.presses)

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

const log = createLogger('warn', 'stderr')
const dir = await mkdtemp(path.join(os.tmpdir(), 'lookout-bench-'))
const policy = { autoInstall: 'auto' as const, log }
const redis = await startRedisServer({ binary: await ensureBinary('redis-server', 'redis-server', 'REDIS_URL', policy), dir: path.join(dir, 'redis'), port: await findFreePort() })
const influx = await startInfluxd({
  binary: await ensureBinary('influxd', 'influxdb', 'INFLUX_URL', policy),
  dir: path.join(dir, 'influx'),
  httpPort: await findFreePort(),
  rpcPort: await findFreePort(),
})
const config = loadConfig({ LOOKOUT_MQTT_PORT: '0', LOOKOUT_HTTP_PORT: '0', LOOKOUT_HOST: '127.0.0.1', LOG_LEVEL: 'warn' })
const lookout = await startLookout(config, { redisUrl: redis.url, influxUrl: influx.url }, log)
const conn = createRedis(redis.url)
const registry = createRegistry(conn, config.keyPrefix)
const { token } = await registry.addToken({ tenant: 'bench', role: 'responder' }, Date.now())

const sent = new Map<string, number>()
const alertLatency: number[] = []
const controller = new AbortController()
const res = await fetch(`http://127.0.0.1:${lookout.httpPort}/api/alerts/stream`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal })
void (async () => {
  const decoder = new TextDecoder()
  let buffer = ''
  try {
    for await (const chunk of res.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true })
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const data = buffer.slice(0, end).split('\n').find((l) => l.startsWith('data: '))
        buffer = buffer.slice(end + 2)
        if (!data) continue
        const alert = JSON.parse(data.slice(6)) as { deviceId: string; occurredAt: string }
        const at = sent.get(`${alert.deviceId}|${alert.occurredAt}`)
        if (at !== undefined) alertLatency.push(performance.now() - at)
      }
    }
  } catch {
    // aborted at the end
  }
})()

const clients = await Promise.all(
  Array.from({ length: devices }, async (_, i) => {
    const id = `bench-pendant-${i}`
    const { credentials } = await registry.addDevice({ deviceId: id, tenant: 'bench', type: 'pendant' }, Date.now())
    return { id, client: await mqtt.connectAsync(`mqtt://127.0.0.1:${lookout.mqttPort}`, { clientId: id, username: id, password: credentials.password, reconnectPeriod: 0 }) }
  }),
)

const pubackLatency: number[] = []
const base = Date.now() - presses * devices * 10
let n = 0
const started = performance.now()
for (let round = 0; round < presses; round++) {
  await Promise.all(
    clients.map(async ({ id, client }) => {
      const ts = new Date(base + n++ * 5).toISOString()
      const t0 = performance.now()
      sent.set(`${id}|${ts}`, t0)
      await client.publishAsync(`devices/${id}/events`, JSON.stringify({ type: 'pendant.pressed', ts }), { qos: 1 })
      pubackLatency.push(performance.now() - t0)
    }),
  )
  await new Promise((r) => setTimeout(r, 50))
}
const deadline = Date.now() + 10_000
while (alertLatency.length < sent.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
const elapsedS = (performance.now() - started) / 1000

controller.abort()
await Promise.all(clients.map(({ client }) => client.endAsync()))
await lookout.close()
await closeRedis(conn)
await influx.stop()
await redis.stop()
await rm(dir, { recursive: true, force: true })

const a = [...alertLatency].sort((x, y) => x - y)
const p = [...pubackLatency].sort((x, y) => x - y)
const round2 = (x: number) => Math.round(x * 100) / 100
const result = {
  benchmark: 'alert-latency',
  at: new Date().toISOString(),
  machine: { cpus: os.cpus().length, node: process.version },
  devices,
  pressesPerDevice: presses,
  published: sent.size,
  alertsReceived: alertLatency.length,
  alertsMissing: sent.size - alertLatency.length,
  publishToPubackMs: { p50: round2(percentile(p, 50)), p99: round2(percentile(p, 99)), max: round2(p.at(-1) ?? NaN) },
  publishToAlertOnStreamMs: { p50: round2(percentile(a, 50)), p99: round2(percentile(a, 99)), max: round2(a.at(-1) ?? NaN) },
  elapsedSeconds: round2(elapsedS),
}
const out = path.resolve(import.meta.dirname, 'results')
await mkdir(out, { recursive: true })
await writeFile(path.join(out, `alert-latency-${result.at.replaceAll(':', '-')}.json`), `${JSON.stringify(result, null, 2)}\n`)
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
process.exit(result.alertsMissing === 0 ? 0 : 1)
