/**
 * Rule workers killed with SIGKILL lose no timer and raise no duplicate or extra alert. Lookout
 * (workers and API) runs as a child process with the real clock; 30 sensors' records are queued
 * with threshold episodes (raise above 25 °C, clear below 23 °C) and absence timers (3 s) that
 * fall due while the process is dead. It is killed mid-stream and started again. The alerts it
 * raised and resolved must be exactly those the replay harness computes from the same records,
 * registrations and end time.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Queue } from 'bullmq'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createAlertStore } from '../alerts/index.ts'
import { partitionOf, type IngestRecord } from '../lib/records.ts'
import { closeRedis, createRedis } from '../lib/redis.ts'
import { createRegistry } from '../registry/index.ts'
import { findFreePort } from '../app/services/index.ts'
import { parseRulesText } from '../rules/definitions/load.ts'
import { replay } from '../rules/engine/replay.ts'
import type { ReplayDevice, ReplayEvent } from '../rules/engine/replay-input.ts'
import { bullPrefix, JOB_NAME, rulesQueueName } from '../workers/jobs.ts'
import { createRulesStore } from '../workers/rules-store.ts'
import { startChildLookout } from './helpers/child-lookout.ts'
import { eventually, uniqueName } from './helpers/lookout.ts'
import { canonical, fromReplay, liveLines } from './helpers/live-rules.ts'

const TENANT = 'council-rules-kill'
const SENSORS = 30
const READINGS = 150
const PARTITIONS = 2
const ABSENCE_MS = 3000
const RULES = `
tenant: ${TENANT}
rules:
  - id: hot
    kind: threshold
    title: Too hot
    description: test rule
    priority: P3
    appliesTo: { deviceTypes: [environment-sensor] }
    params: { metric: temperature, above: 25, clearAt: 23 }
  - id: quiet
    kind: absence
    title: Sensor silent
    description: test rule
    priority: P3
    appliesTo: { deviceTypes: [environment-sensor] }
    params: { expectedIntervalMinutes: ${ABSENCE_MS / 60_000}, missingFactor: 1 }
`

describe('kill -9 of the rule workers', () => {
  const redisUrl = inject('redisUrl')
  const influxUrl = inject('influxUrl')
  const keyPrefix = uniqueName('rk')
  const redis = createRedis(redisUrl, { name: 'rules-kill-test' })
  const queueConnection = createRedis(redisUrl, { name: 'rules-kill-queues' })
  const registry = createRegistry(redis, keyPrefix)
  const alerts = createAlertStore(redis, keyPrefix)
  const queues = Array.from({ length: PARTITIONS }, (_, p) => new Queue(rulesQueueName(p), { connection: queueConnection, prefix: bullPrefix(keyPrefix) }))
  let dataDir: string
  let env: NodeJS.ProcessEnv
  let child: ChildProcess | undefined

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'lookout-rules-kill-'))
    env = {
      ...process.env,
      REDIS_URL: redisUrl,
      INFLUX_URL: influxUrl,
      INFLUX_DB: uniqueName('rk_'),
      LOOKOUT_KEY_PREFIX: keyPrefix,
      LOOKOUT_DATA_DIR: dataDir,
      LOOKOUT_ROLES: 'api,workers',
      LOOKOUT_HTTP_PORT: String(await findFreePort()),
      LOOKOUT_HOST: '127.0.0.1',
      LOOKOUT_RULE_PARTITIONS: String(PARTITIONS),
      LOOKOUT_RULE_LOCK_MS: '1000',
      LOOKOUT_RULE_TICK_MS: '100',
      LOG_LEVEL: 'warn',
    }
  })
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL')
    await Promise.all(queues.map((q) => q.close()))
    await closeRedis(queueConnection)
    await closeRedis(redis)
    await rm(dataDir, { recursive: true, force: true })
  })

  const log = { output: '' }
  const start = () => startChildLookout(env, log)

  const pending = async () => {
    const counts = await Promise.all(queues.map((q) => q.getJobCounts('wait', 'active', 'prioritized')))
    return counts.reduce((n, c) => n + Object.values(c).reduce((a, b) => a + b, 0), 0)
  }

  it('loses no timer and raises no duplicate alert across a SIGKILL and restart', async () => {
    const config = parseRulesText(RULES, { source: 'kill-rules' })
    await createRulesStore(redis, keyPrefix).set(TENANT, RULES, 'kill-rules', Date.now())
    const registeredAt = Date.now()
    const devices: ReplayDevice[] = Array.from({ length: SENSORS }, (_, i) => ({ deviceId: `rk-env-${i}`, deviceType: 'environment-sensor', site: 'site-1', timeZone: 'Europe/London', registeredAt }))
    for (const d of devices) await registry.addDevice({ deviceId: d.deviceId, tenant: TENANT, type: d.deviceType, site: d.site }, registeredAt)
    // records: each sensor crosses 25 °C up and back every few readings; sensors 0-9 stop after 20 readings (their absence fires while the workers are dead)
    const t0 = registeredAt + 100
    const events: ReplayEvent[] = []
    const records: IngestRecord[] = []
    for (let n = 0; n < READINGS; n++) {
      for (const [i, d] of devices.entries()) {
        if (i < 10 && n >= 20) continue
        const at = t0 + n * 10 + i / 10
        const temperature = [20, 26, 27, 22, 24, 26, 21][(n + i) % 7]!
        const ts = Math.floor(at)
        events.push({ line: events.length + 1, deviceId: d.deviceId, ts, receivedAt: ts, metrics: { temperature } })
        records.push({ kind: 'telemetry', tenant: TENANT, deviceId: d.deviceId, site: d.site, deviceType: d.deviceType, timeZone: d.timeZone, ts, receivedAt: ts, metrics: { temperature } })
      }
    }
    // queued as ingest does: registrations first, then batches of records per partition, in receipt order
    for (let p = 0; p < PARTITIONS; p++) {
      const ids = devices.filter((d) => partitionOf(d.deviceId, PARTITIONS) === p).map((d) => d.deviceId)
      await queues[p]!.add(JOB_NAME.init, { deviceIds: ids, at: registeredAt }, { removeOnComplete: true })
    }
    for (let i = 0; i < records.length; i += 40) {
      const batch = records.slice(i, i + 40)
      for (let p = 0; p < PARTITIONS; p++) {
        const list = batch.filter((r) => partitionOf(r.deviceId, PARTITIONS) === p)
        if (list.length > 0) await queues[p]!.add(JOB_NAME.records, { records: list }, { removeOnComplete: true })
      }
    }
    const queued = await pending()

    child = await start()
    // kill it once it has done some of the work, but not all
    await eventually(async () => ((await pending()) < queued * 0.7 ? true : undefined), 20_000, 'some rule jobs done')
    child.kill('SIGKILL')
    await new Promise((r) => child!.once('exit', r))
    const leftAtKill = await pending()
    expect(leftAtKill, 'killed mid-stream').toBeGreaterThan(0)
    const raisedAtKill = (await alerts.list(TENANT, { limit: 10_000 })).length
    // dead long enough for absence timers to come due meanwhile: not a wait for something that must
    // not happen, but real time passing, since the child's rule clock is the wall clock
    await new Promise((r) => setTimeout(r, ABSENCE_MS))

    child = await start()
    const lastRecord = Math.max(...records.map((r) => r.receivedAt))
    // every sensor's absence timer is due by `until`, and none is armed after: nothing is left to happen
    const until = lastRecord + ABSENCE_MS + 1000
    const dueBy = async (t: number) => {
      const counts = await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => redis.zcount(`${keyPrefix}:timers:p${p}`, '-inf', t)))
      return counts.reduce((a, b) => a + b, 0)
    }
    await eventually(async () => ((await pending()) === 0 && Date.now() > until && (await dueBy(until)) === 0 ? true : undefined), 30_000, 'queues drained and timers fired')
    const expected = canonical(fromReplay(replay({ config, events, devices, until }).lines))
    const got = canonical(await liveLines(alerts, TENANT))
    expect(raisedAtKill, 'some alerts before the kill').toBeGreaterThan(0)
    expect(expected.filter((l) => l.rule === 'quiet' && l.action === 'raise')).toHaveLength(SENSORS)
    expect(got.length).toBe(expected.length)
    expect(got).toEqual(expected)
    child.kill('SIGTERM')
    await new Promise((r) => child!.once('exit', r))
  }, 90_000)
})
