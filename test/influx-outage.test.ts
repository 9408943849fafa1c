/**
 * With InfluxDB down, readings are still acknowledged (they wait durably in the store queue),
 * /healthz says InfluxDB is unavailable, and when InfluxDB comes up every reading is written.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { findFreePort, startInfluxd, type ChildService } from '../app/services/index.ts'
import { connectDevice } from './helpers/mqtt.ts'
import { eventually, startTestLookout, type TestLookout } from './helpers/lookout.ts'

describe('InfluxDB outage', () => {
  let lookout: TestLookout
  let influxd: ChildService | undefined
  let dir: string
  let httpPort: number

  beforeAll(async () => {
    httpPort = await findFreePort()
    dir = await mkdtemp(path.join(os.tmpdir(), 'lookout-outage-'))
    lookout = await startTestLookout({ INFLUX_URL: `http://127.0.0.1:${httpPort}` })
  })
  afterAll(async () => {
    await lookout?.close()
    await influxd?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('acknowledges readings and raises alerts while InfluxDB is down, and reports it in /healthz', async () => {
    const credentials = await lookout.addDevice('env-out', 'council-a', 'environment-sensor')
    const pendant = await lookout.addDevice('pendant-out', 'council-a', 'pendant')
    const client = await connectDevice(lookout.mqttUrl, credentials.username, credentials.password)
    for (let i = 0; i < 20; i++) {
      const ts = new Date(Date.parse('2026-11-21T08:00:00Z') + i * 60_000).toISOString()
      await client.publishAsync('devices/env-out/telemetry', JSON.stringify({ ts, temperature: 15 + i / 10 }), { qos: 1 })
    }
    await client.endAsync()
    const p = await connectDevice(lookout.mqttUrl, pendant.username, pendant.password)
    await p.publishAsync('devices/pendant-out/events', JSON.stringify({ type: 'pendant.pressed' }), { qos: 1 })
    await p.endAsync()
    // alerts do not depend on the InfluxDB path
    await eventually(async () => (await lookout.alerts.list('council-a', { limit: 5 }))[0])

    const health = await lookout.api('/healthz')
    expect(health.status).toBe(503)
    expect(await health.json()).toEqual({ status: 'unavailable', checks: { redis: true, influx: false, broker: true } })
  })

  it('writes every reading, once, when InfluxDB comes back', async () => {
    influxd = await startInfluxd({ binary: inject('influxdBinary'), dir, httpPort, rpcPort: await findFreePort() })
    const series = await eventually(async () => {
      const s = await lookout.influx.query('SELECT "temperature" FROM "telemetry"').catch(() => [])
      return s[0] && s[0].values.length >= 20 ? s[0] : undefined
    }, 40_000, '20 readings in InfluxDB')
    expect(series.values).toHaveLength(20)
    expect(series.values[0]).toEqual([Date.parse('2026-11-21T08:00:00Z'), 15])
    expect(series.values[19]![1]).toBeCloseTo(16.9)
    expect((await lookout.api('/healthz')).status).toBe(200)
  })
})
