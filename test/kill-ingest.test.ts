/**
 * Nothing acknowledged is lost when the ingest process dies: Lookout runs as a child process, 20
 * devices publish QoS 1 readings (and a pendant presses) as fast as they are acknowledged, and the
 * process is killed with SIGKILL mid-stream. After a restart, every reading that was acknowledged
 * is in InfluxDB (exactly once per point) and every acknowledged press has raised its alert.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createAlertStore } from '../alerts/index.ts'
import { createInfluxClient } from '../lib/influx.ts'
import { closeRedis, createRedis } from '../lib/redis.ts'
import { createRegistry } from '../registry/index.ts'
import { findFreePort } from '../app/services/index.ts'
import { startChildLookout } from './helpers/child-lookout.ts'
import { eventually, uniqueName } from './helpers/lookout.ts'

const DEVICES = 20
const TENANT = 'council-kill'
const BASE_TS = Date.parse('2026-11-20T00:00:00Z')

describe('kill -9 of the ingest process', () => {
  const redisUrl = inject('redisUrl')
  const influxUrl = inject('influxUrl')
  const keyPrefix = uniqueName('k')
  const database = uniqueName('k_')
  const redis = createRedis(redisUrl, { name: 'kill-test' })
  const registry = createRegistry(redis, keyPrefix)
  const influx = createInfluxClient({ url: influxUrl, database })
  let dataDir: string
  let env: NodeJS.ProcessEnv
  let child: ChildProcess | undefined

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'lookout-kill-'))
    env = {
      ...process.env,
      REDIS_URL: redisUrl,
      INFLUX_URL: influxUrl,
      INFLUX_DB: database,
      LOOKOUT_KEY_PREFIX: keyPrefix,
      LOOKOUT_DATA_DIR: dataDir,
      LOOKOUT_MQTT_PORT: String(await findFreePort()),
      LOOKOUT_HTTP_PORT: String(await findFreePort()),
      LOOKOUT_HOST: '127.0.0.1',
      LOOKOUT_JOB_LOCK_MS: '2000',
      LOOKOUT_MQTT_CONNECT_RATE: '1000',
      LOG_LEVEL: 'warn',
    }
  })
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL')
    await closeRedis(redis)
    await rm(dataDir, { recursive: true, force: true })
  })

  const log = { output: '' }
  const start = () => startChildLookout(env, log)

  it('keeps every acknowledged reading and alarm across a SIGKILL', async () => {
    const ids = Array.from({ length: DEVICES }, (_, i) => `kill-env-${i}`)
    const passwords = new Map<string, string>()
    for (const id of ids) passwords.set(id, (await registry.addDevice({ deviceId: id, tenant: TENANT, type: 'environment-sensor' }, Date.now())).credentials.password)
    const pendant = (await registry.addDevice({ deviceId: 'kill-pendant', tenant: TENANT, type: 'pendant' }, Date.now())).credentials.password
    child = await start()

    const acked = new Map<string, number[]>()
    const ackedPresses: number[] = []
    let stop = false
    const url = `mqtt://127.0.0.1:${env.LOOKOUT_MQTT_PORT}`
    const publishers = [...ids, 'kill-pendant'].map(async (id) => {
      const client = await mqtt.connectAsync(url, { username: id, password: id === 'kill-pendant' ? pendant : passwords.get(id)!, clientId: id, reconnectPeriod: 0 })
      client.on('error', () => undefined)
      // an unacknowledged publish never settles once the connection is gone: stop on close
      const closed = new Promise<never>((_, reject) => client.once('close', () => reject(new Error('closed'))))
      closed.catch(() => undefined)
      const mine: number[] = []
      acked.set(id, mine)
      for (let seq = 0; !stop; seq++) {
        const ts = new Date(BASE_TS + seq * 1000).toISOString()
        const [topic, body] =
          id === 'kill-pendant'
            ? ['devices/kill-pendant/events', { type: 'pendant.pressed', ts }]
            : [`devices/${id}/telemetry`, { ts, temperature: 20 + (seq % 10) / 10, seq }]
        try {
          await Promise.race([client.publishAsync(topic, JSON.stringify(body), { qos: 1 }), closed])
        } catch {
          break
        }
        if (id === 'kill-pendant') ackedPresses.push(BASE_TS + seq * 1000)
        else mine.push(seq)
      }
      client.end(true)
    })

    // let the stream run a while so the kill lands mid-stream (checked below); no absence is inferred from it
    await new Promise((r) => setTimeout(r, 1500))
    child.kill('SIGKILL')
    await new Promise((r) => child!.once('exit', r))
    stop = true
    await Promise.all(publishers)
    const total = [...acked.values()].reduce((n, list) => n + list.length, 0)
    expect(total).toBeGreaterThan(100)
    expect(ackedPresses.length).toBeGreaterThan(0)

    child = await start()
    // every acknowledged reading: one point per (device, seq). Counting points is not enough to know
    // the recovery is over, since readings stored but never acknowledged count too: wait for each one.
    const missingReadings = async () => {
      const missing: string[] = []
      for (const id of ids) {
        const series = await influx.query(`SELECT "seq" FROM "telemetry" WHERE "device"::tag = '${id}'`).catch(() => [])
        const storedSeqs = new Set((series[0]?.values ?? []).map((v) => Number(v[1])))
        missing.push(...acked.get(id)!.filter((seq) => !storedSeqs.has(seq)).map((seq) => `${id}#${seq}`))
      }
      return missing
    }
    await eventually(async () => ((await missingReadings()).length === 0 ? true : undefined), 40_000, `${total} acknowledged readings in InfluxDB`).catch(async (err: unknown) => {
      expect(await missingReadings(), 'acknowledged readings missing').toEqual([])
      throw err
    })
    // every acknowledged press raised its alert, and none twice
    const alerts = createAlertStore(redis, keyPrefix)
    const raised = await eventually(async () => {
      const list = await alerts.list(TENANT, { limit: 10_000 })
      const occurred = new Set(list.map((a) => Date.parse(a.occurredAt)))
      return ackedPresses.every((ts) => occurred.has(ts)) ? list : undefined
    }, 20_000, 'an alert per acknowledged press')
    // a press that reached Lookout but whose PUBACK the kill cut off may raise one more, never twice
    const occurred = new Set(raised.map((a) => Date.parse(a.occurredAt)))
    expect(raised.length).toBe(occurred.size)
  }, 90_000)
})
