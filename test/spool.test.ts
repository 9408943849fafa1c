/**
 * The bounded spool: while InfluxDB is down, readings wait durably in the store queue; when the
 * spool is full, telemetry is held back at the device (no acknowledgement, socket not read), a
 * spool-full alert is raised for the tenant, and alarm events still pass. When InfluxDB returns,
 * the spool drains, the held readings are acknowledged, and every reading is written once.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { findFreePort, startInfluxd, type ChildService } from '../app/services/index.ts'
import { connectDevice } from './helpers/mqtt.ts'
import { eventually, startTestLookout, type TestLookout } from './helpers/lookout.ts'

const CAPACITY = 1000
const READINGS = 1600

describe('bounded spool', () => {
  let lookout: TestLookout
  let influxd: ChildService | undefined
  let dir: string
  let influxPort: number

  beforeAll(async () => {
    influxPort = await findFreePort()
    dir = await mkdtemp(path.join(os.tmpdir(), 'lookout-spool-'))
    lookout = await startTestLookout({
      INFLUX_URL: `http://127.0.0.1:${influxPort}`,
      LOOKOUT_SPOOL_MAX_POINTS: String(CAPACITY),
      LOOKOUT_MQTT_PUBLISH_RATE: '100000',
    })
  })
  afterAll(async () => {
    await lookout?.close()
    await influxd?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('holds readings back at the device when full, raises one alert, lets alarms through, then drains', async () => {
    const sensor = await lookout.addDevice('spool-env', 'council-s', 'environment-sensor')
    const pendant = await lookout.addDevice('spool-pendant', 'council-s', 'pendant')
    const client = await connectDevice(lookout.mqttUrl, sensor.username, sensor.password)
    let acked = 0
    const base = Date.parse('2026-11-21T00:00:00Z')
    const publish = (from: number, to: number) =>
      Promise.all(
        Array.from({ length: to - from }, (_, k) =>
          client
            .publishAsync('devices/spool-env/telemetry', JSON.stringify({ ts: new Date(base + (from + k) * 1000).toISOString(), temperature: (from + k) / 10 }), { qos: 1 })
            .then(() => void acked++),
        ),
      )

    // fill the spool past its capacity: these are all acknowledged (durable in Redis)
    await publish(0, CAPACITY + 100)
    await eventually(async () => ((await metric('lookout_spool_full')) === 1 ? true : undefined), 10_000, 'spool full')
    // now readings are held: the first to reach the full spool raises the spool-full alert
    const publishing = publish(CAPACITY + 100, READINGS)
    const alerts = await eventually(async () => {
      const list = await lookout.alerts.list('council-s', { limit: 10 })
      return list.some((a) => a.rule === 'spool-full') ? list : undefined
    }, 5000, 'spool-full alert')
    expect(alerts.filter((a) => a.rule === 'spool-full')).toHaveLength(1)
    expect(alerts.find((a) => a.rule === 'spool-full')).toMatchObject({ priority: 'P2', deviceId: 'lookout', status: 'open' })

    // an alarm is not held behind readings
    const p = await connectDevice(lookout.mqttUrl, pendant.username, pendant.password)
    await p.publishAsync('devices/spool-pendant/events', JSON.stringify({ type: 'pendant.pressed' }), { qos: 1 })
    await p.endAsync()
    await eventually(async () => ((await lookout.alerts.list('council-s', { limit: 10 })).some((a) => a.rule === 'R01') ? true : undefined), 5000, 'pendant alert')
    // no acknowledgement while the spool is full, fenced by the alarm: a held reading let through would
    // have been queued and acknowledged before the alarm, which reached the acceptor after it, raised its alert
    expect(acked).toBe(CAPACITY + 100)
    expect(await metric('lookout_spool_points')).toBeGreaterThanOrEqual(CAPACITY)

    influxd = await startInfluxd({ binary: inject('influxdBinary'), dir, httpPort: influxPort, rpcPort: await findFreePort() })
    await publishing
    expect(acked).toBe(READINGS)
    await client.endAsync()
    const count = await eventually(async () => {
      const s = await lookout.influx.query(`SELECT count("temperature") FROM "telemetry" WHERE "device"::tag = 'spool-env'`).catch(() => [])
      const n = Number(s[0]?.values[0]?.[1] ?? 0)
      return n === READINGS ? n : undefined
    }, 30_000, `${READINGS} readings written`)
    expect(count).toBe(READINGS)
    await eventually(async () => ((await metric('lookout_spool_full')) === 0 ? true : undefined), 5000, 'spool no longer full')
  }, 60_000)

  async function metric(name: string): Promise<number | undefined> {
    const text = await (await lookout.api('/metrics')).text()
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)
    return m ? Number(m[1]) : undefined
  }
})
