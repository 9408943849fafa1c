/**
 * "Acknowledged means stored", for names and values InfluxDB would refuse or misread (issue 9,
 * holes 2 and 3), through the real broker into the real influxd:
 * - a metric named like a tag (`tenant`, `device`, …) or `time` is refused at the boundary with
 *   reason `metric_name_reserved`, on the device's errors topic, and never reaches InfluxDB;
 * - queries by tenant (the rule-history read, a plain `"tenant"::tag = …`) still answer, even when
 *   such a field already exists in the measurement (legacy data written straight to InfluxDB);
 * - vendor fields InfluxDB could not hold under their own name (a tag key, `time`, empty, a line
 *   break, a backslash, very long) are kept under a safe name, and InfluxDB refuses no write.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { MqttClient } from 'mqtt'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { historyStatements } from '../workers/history-worker.ts'
import { collect, connectDevice } from './helpers/mqtt.ts'
import { eventually, startTestLookout, type TestLookout } from './helpers/lookout.ts'

const APP = '0c6f7e2a-1b3d-4c5e-8f90-a1b2c3d4e5f6'
const T = Date.parse('2026-11-20T22:00:00Z')
const HOUR = 3_600_000
/** The tag keys of Lookout's measurements, and `time`. */
const RESERVED_FIELD_NAMES = ['tenant', 'device', 'site', 'source', 'device_type', 'event', 'time']

describe('names and values the store would refuse', () => {
  let lookout: TestLookout
  let a: MqttClient
  let b: MqttClient
  let chirpstack: MqttClient
  let errorsA: { topic: string; body: Record<string, unknown> }[]
  let errorsCs: { topic: string; body: Record<string, unknown> }[]

  beforeAll(async () => {
    // room for a vendor field name longer than InfluxDB's 64 KiB key limit
    lookout = await startTestLookout({ LOOKOUT_MAX_PAYLOAD_BYTES: '200000', LOOKOUT_MQTT_MAX_PACKET_BYTES: '200000' })
    const credsA = await lookout.addDevice('poison-env', 'council-a', 'environment-sensor')
    const credsB = await lookout.addDevice('victim-motion', 'council-b', 'motion-sensor')
    await lookout.registry.addDevice({ deviceId: 'door-1', tenant: 'council-a', type: 'door-sensor', site: 'flat-1', devEui: '70b3d50b20000001', codec: 'browan/tbdw100' }, Date.now())
    await lookout.registry.addDevice({ deviceId: 'vendor-env', tenant: 'council-a', type: 'environment-sensor', site: 'flat-1', devEui: '70b3d50b20000002' }, Date.now())
    const cs = await lookout.registry.addIntegration({ tenant: 'council-a', kind: 'chirpstack' }, Date.now())
    a = await connectDevice(lookout.mqttUrl, credsA.username, credsA.password)
    b = await connectDevice(lookout.mqttUrl, credsB.username, credsB.password)
    chirpstack = await mqtt.connectAsync(lookout.mqttUrl, { username: cs.username, password: cs.password, clientId: cs.username, reconnectPeriod: 0 })
    errorsA = await collect(a, 'devices/poison-env/errors')
    errorsCs = await collect(chirpstack, `integrations/${cs.integrationId}/errors`)
  })
  afterAll(async () => {
    await a?.endAsync()
    await b?.endAsync()
    await chirpstack?.endAsync()
    await lookout?.close()
  })

  async function metric(pattern: RegExp): Promise<number> {
    const m = pattern.exec(await (await lookout.api('/metrics')).text())
    return m ? Number(m[1]) : 0
  }

  async function rows(query: string, count = 1) {
    return eventually(async () => {
      const series = await lookout.influx.query(query).catch(() => [])
      return series[0] && series[0].values.length >= count ? series[0] : undefined
    }, 10_000, query)
  }

  /** What a baseline rule starting on council-b's motion sensor reads (workers/history-worker.ts). */
  async function historyOfVictim() {
    const statements = historyStatements('council-b', 'victim-motion', {
      token: 1,
      eventTypes: ['motion.detected'],
      mergeMs: 300_000,
      periods: [{ start: T - HOUR, end: T + HOUR }],
    })
    const [events, counts] = await lookout.influx.queryAll(statements)
    return { events: events!.flatMap((s) => s.values.map((v) => v[0])), counts: counts!.flatMap((s) => s.values.flatMap((v) => v.slice(1))) }
  }

  it.each(RESERVED_FIELD_NAMES.map((name) => ({ name })))('refuses a metric named $name with reason metric_name_reserved', async ({ name }) => {
    const before = errorsA.length
    await a.publishAsync('devices/poison-env/telemetry', JSON.stringify({ [name]: 1 }), { qos: 1 })
    const error = await eventually(async () => errorsA[before], 5000, 'an error message')
    expect(error.topic).toBe('devices/poison-env/errors')
    expect(error.body).toMatchObject({ reason: 'metric_name_reserved', topic: 'devices/poison-env/telemetry' })
    expect(String(error.body.detail)).toContain(name)
  })

  it('keeps every tenant\'s queries answering: none of those names became a field, and reads by tenant find the other tenant\'s data', async () => {
    await b.publishAsync('devices/victim-motion/events', JSON.stringify({ type: 'motion.detected', ts: new Date(T).toISOString() }), { qos: 1 })
    await b.publishAsync('devices/victim-motion/telemetry', JSON.stringify({ ts: new Date(T).toISOString(), battery: 88 }), { qos: 1 })
    // the fence: a valid reading of the device that sent the reserved names, published after them
    await a.publishAsync('devices/poison-env/telemetry', JSON.stringify({ ts: new Date(T).toISOString(), temperature: 21 }), { qos: 1 })
    const own = await rows(`SELECT "temperature" FROM "telemetry" WHERE "tenant"::tag = 'council-a' AND "device"::tag = 'poison-env'`)
    expect(own.values).toEqual([[T, 21]])
    const fields = (await lookout.influx.query('SHOW FIELD KEYS FROM "telemetry"'))[0]!.values.map((v) => v[0])
    for (const name of RESERVED_FIELD_NAMES) expect(fields).not.toContain(name)

    const battery = await rows(`SELECT "battery" FROM "telemetry" WHERE "tenant"::tag = 'council-b'`)
    expect(battery.values).toEqual([[T, 88]])
    // a plain comparison too: with no such field in the measurement it means the tag
    expect((await rows(`SELECT "battery" FROM "telemetry" WHERE "tenant" = 'council-b'`)).values).toEqual([[T, 88]])
    const history = await eventually(async () => {
      const h = await historyOfVictim()
      return h.events.length > 0 ? h : undefined
    }, 10_000, 'the rule-history read')
    expect(history.events).toEqual([T])
    expect(history.counts.some((n) => typeof n === 'number' && n > 0)).toBe(true)
    expect(await metric(/lookout_ingest_rejected_total\{reason="metric_name_reserved"\} (\d+)/)).toBe(RESERVED_FIELD_NAMES.length)
  })

  it('reads by tenant still answer when such fields already exist in the measurements (legacy points)', async () => {
    // what an earlier Lookout let through, written straight to InfluxDB
    await lookout.influx.write(
      [
        `telemetry,device=legacy,device_type=hub,site=s,tenant=council-x tenant=1,device=2,site=3,device_type=4,source=5 ${T - 60_000}`,
        `telemetry_unmapped,device=legacy,device_type=hub,site=s,tenant=council-x tenant="x",device="y" ${T - 60_000}`,
        `events,device=legacy,device_type=hub,event=motion.detected,site=s,tenant=council-x tenant=1i,device=1i,event=1i ${T - 60_000}`,
      ].join('\n'),
    )
    const history = await historyOfVictim()
    expect(history.events).toEqual([T])
    expect(history.counts.some((n) => typeof n === 'number' && n > 0)).toBe(true)
    expect((await rows(`SELECT "battery" FROM "telemetry" WHERE "tenant"::tag = 'council-b'`)).values).toEqual([[T, 88]])
    expect((await rows(`SELECT "temperature" FROM "telemetry" WHERE "tenant"::tag = 'council-a' AND "device"::tag = 'poison-env'`)).values).toEqual([[T, 21]])
  })

  it('the Grafana dashboard\'s queries answer by tenant, legacy fields or not, and list no other tenant\'s devices', async () => {
    const dashboard = JSON.parse(await readFile(path.join(import.meta.dirname, '../dashboards/grafana/provisioning/dashboards/json/telemetry.json'), 'utf8')) as {
      templating: { list: { name: string; query: string }[] }
      panels: { targets?: { query: string }[] }[]
    }
    const fill = (query: string, tenant: string, device = '.*') =>
      query
        .replaceAll('$tenant', tenant)
        .replaceAll('$device', device)
        .replaceAll('$timeFilter', `time >= ${T - HOUR}ms AND time < ${T + HOUR}ms`)
        .replaceAll('$__interval', '1h')
    const variable = (name: string) => dashboard.templating.list.find((v) => v.name === name)!.query
    const values = async (query: string) => (await lookout.influx.query(query)).flatMap((s) => s.values.map((v) => v[1]))
    expect(await values(fill(variable('tenant'), ''))).toEqual(expect.arrayContaining(['council-a', 'council-b']))
    expect(await values(fill(variable('device'), 'council-b'))).toEqual(['victim-motion'])
    expect(await values(fill(variable('device'), 'council-a'))).not.toContain('victim-motion')
    const [temperature, , events] = dashboard.panels.map((p) => p.targets![0]!.query)
    const means = (await lookout.influx.query(fill(temperature!, 'council-a', 'poison-env'))).flatMap((s) => s.values.map((v) => v[1]))
    expect(means.some((m) => typeof m === 'number')).toBe(true)
    const counts = (await lookout.influx.query(fill(events!, 'council-b'))).flatMap((s) => s.values.map((v) => v[1]))
    expect(counts.reduce((n: number, c) => n + Number(c), 0)).toBe(1)
  })

  it('keeps vendor fields InfluxDB cannot hold under their own name under a safe one, and InfluxDB refuses no write', async () => {
    // Browan TBDW100 (built-in codec) reports "time": minutes since the last event
    const door = { deduplicationId: 'e1', time: new Date(T).toISOString(), deviceInfo: { applicationId: APP, devEui: '70b3d50b20000001' }, fPort: 100, data: Buffer.from([0x00, 0xcb, 0x35, 0x00, 0x00, 0x8a, 0x3a, 0x00]).toString('base64') }
    await chirpstack.publishAsync(`application/${APP}/device/70b3d50b20000001/event/up`, JSON.stringify(door), { qos: 1 })
    const object = {
      '': 'empty name',
      'line\nbreak': 'a',
      'ends\\': 'b',
      'back\\slash': 'c',
      'odd, name = "x"': 'd',
      tenant: 'council-b',
      time: 5,
      note: 'two\nlines, "quoted" \\',
      ['k'.repeat(70_000)]: 'long',
    }
    const up = { deduplicationId: 'e2', time: new Date(T).toISOString(), deviceInfo: { applicationId: APP, devEui: '70b3d50b20000002' }, fPort: 1, object }
    await chirpstack.publishAsync(`application/${APP}/device/70b3d50b20000002/event/up`, JSON.stringify(up), { qos: 1 })
    // an unmapped SenML name ending in ":" has an empty metric part
    await a.publishAsync('devices/poison-env/senml', JSON.stringify([{ n: 'urn:dev:mac:0024befffe804ff1:', vs: 'on' }]), { qos: 1 })
    // the fence, published after them all
    await a.publishAsync('devices/poison-env/telemetry', JSON.stringify({ ts: new Date(T + 1000).toISOString(), temperature: 22 }), { qos: 1 })
    await rows(`SELECT "temperature" FROM "telemetry" WHERE "device"::tag = 'poison-env' AND time = ${T + 1000}ms`)

    const doorRow = await rows(`SELECT "time_" FROM "telemetry_unmapped" WHERE "device"::tag = 'door-1'`)
    expect(doorRow.values[0]![1]).toBe('0')
    const vendor = await rows(`SELECT * FROM "telemetry_unmapped" WHERE "device"::tag = 'vendor-env'`)
    const stored = Object.fromEntries(vendor.columns.map((c, i) => [c, vendor.values[0]![i]]))
    expect(stored).toMatchObject({ _empty: 'empty name', line_break: 'a', 'ends_': 'b', back_slash: 'c', 'odd, name = "x"': 'd', tenant_: 'council-b', time_: '5', note: 'two\nlines, "quoted" \\' })
    expect(Object.keys(stored).some((k) => k.startsWith('kkkk') && k.length <= 128)).toBe(true)
    const senml = await rows(`SELECT "_empty" FROM "telemetry_unmapped" WHERE "device"::tag = 'poison-env'`)
    expect(senml.values[0]![1]).toBe('on')

    // every store job has run (the spool is empty), and InfluxDB refused none
    await eventually(async () => ((await metric(/^lookout_spool_points (\d+)/m)) === 0 ? true : undefined), 10_000, 'an empty spool')
    expect(await metric(/lookout_store_write_failures_total\{retryable="false"\} (\d+)/)).toBe(0)
    expect(errorsCs).toEqual([])
  })

  it('gives every field one type per measurement: metrics floats, vendor fields text, events and connections 1i', async () => {
    const types = async (measurement: string) => new Set((await lookout.influx.query(`SHOW FIELD KEYS FROM "${measurement}"`))[0]!.values.map((v) => v[1]))
    expect(await types('telemetry')).toEqual(new Set(['float']))
    expect(await types('telemetry_unmapped')).toEqual(new Set(['string']))
    expect(await types('events')).toEqual(new Set(['integer']))
    expect(await types('connections')).toEqual(new Set(['integer']))
  })
})
