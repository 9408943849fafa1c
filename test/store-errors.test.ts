/**
 * What the store path does with InfluxDB's answers, and last-seen tracking:
 * - a batch InfluxDB refuses as malformed (HTTP 400: here a field type conflict) is not retried;
 *   only the readings at fault are dropped (counted), the rest of the shared write is kept;
 * - last-seen times reach Redis in periodic flushes, not one write per message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { connectDevice } from './helpers/mqtt.ts'
import { eventually, startTestLookout, type TestLookout } from './helpers/lookout.ts'

const T = Date.parse('2026-11-21T06:00:00Z')

describe('store errors and last-seen', () => {
  let lookout: TestLookout
  let redis: Redis

  beforeAll(async () => {
    lookout = await startTestLookout({ LOOKOUT_LAST_SEEN_FLUSH_MS: '200' })
    redis = new Redis(lookout.redisUrl)
  })
  afterAll(async () => {
    redis?.disconnect()
    await lookout?.close()
  })

  async function metric(pattern: RegExp): Promise<number> {
    const m = pattern.exec(await (await lookout.api('/metrics')).text())
    return m ? Number(m[1]) : 0
  }

  it('drops only the readings InfluxDB refuses, keeps the others, and does not retry the refused ones', async () => {
    await lookout.influx.ensureDatabase()
    // "humidity" becomes a string field in this shard: float humidity readings now conflict
    await lookout.influx.write(`telemetry,device=seed humidity="high" ${T - 1000}`)
    const bad = await lookout.addDevice('conflict-env', 'council-e', 'environment-sensor')
    const good = await lookout.addDevice('good-env', 'council-e', 'environment-sensor')
    const b = await connectDevice(lookout.mqttUrl, bad.username, bad.password)
    const g = await connectDevice(lookout.mqttUrl, good.username, good.password)
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => [
        b.publishAsync('devices/conflict-env/telemetry', JSON.stringify({ ts: new Date(T + i * 1000).toISOString(), humidity: 70 }), { qos: 1 }),
        g.publishAsync('devices/good-env/telemetry', JSON.stringify({ ts: new Date(T + i * 1000).toISOString(), temperature: 20 + i }), { qos: 1 }),
      ]).flat(),
    )
    await b.endAsync()
    await g.endAsync()

    const stored = await eventually(async () => {
      const s = await lookout.influx.query(`SELECT count("temperature") FROM "telemetry" WHERE "device"::tag = 'good-env'`).catch(() => [])
      return Number(s[0]?.values[0]?.[1] ?? 0) === 10 ? 10 : undefined
    }, 10_000, 'the good readings')
    expect(stored).toBe(10)
    // the bad job is written again on its own after the shared write was refused, so its refusal may be counted after the good readings are in
    await eventually(async () => ((await metric(/lookout_store_write_failures_total\{retryable="false"\} (\d+)/)) >= 1 ? true : undefined), 10_000, 'the refusal counted')
    // the refused readings are not retried: the spool empties
    await eventually(async () => ((await metric(/^lookout_spool_points (\d+)/m)) === 0 ? true : undefined), 10_000, 'an empty spool')
    expect(await metric(/lookout_store_write_failures_total\{retryable="true"\} (\d+)/)).toBe(0)
  })

  it('keeps each device last-seen time in Redis, written in periodic flushes', async () => {
    const before = Date.now()
    const device = await lookout.addDevice('seen-env', 'council-e', 'environment-sensor')
    const c = await connectDevice(lookout.mqttUrl, device.username, device.password)
    for (let i = 0; i < 20; i++) await c.publishAsync('devices/seen-env/telemetry', JSON.stringify({ temperature: i }), { qos: 1 })
    await c.endAsync()
    const key = `${lookout.config.keyPrefix}:last-seen:council-e`
    const seen = await eventually(async () => {
      const score = await redis.zscore(key, 'seen-env')
      return score ? Number(score) : undefined
    }, 5000, 'a last-seen time')
    expect(seen).toBeGreaterThanOrEqual(before)
    expect(seen).toBeLessThanOrEqual(Date.now())
    // 20 messages and a connection, but far fewer device writes than messages
    expect(await metric(/^lookout_last_seen_flushed_total (\d+)/m)).toBeLessThan(15)
  })
})
