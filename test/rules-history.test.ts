/**
 * Personal baselines starting from the history InfluxDB already holds (rules/kinds/baseline-history.ts,
 * workers/history-worker.ts), live: real Redis, real InfluxDB, the rule workers and the
 * `rules-history` queue of a real Lookout instance, with the simulated clock of the live-rules helper.
 *
 * R15 (more night-time bathroom visits) enabled for a device that has weeks of nights stored fires
 * on its second deviant night after it starts, because its median comes from InfluxDB; the same
 * nights on a device with nothing stored are its cold start and raise nothing. Another tenant's points
 * for the same device id are never read, and a night in which the device sent nothing at all is left
 * out rather than counted as 0.
 */
import { Queue } from 'bullmq'
import { DateTime } from 'luxon'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { createInfluxClient, type InfluxClient } from '../lib/influx.ts'
import type { IngestRecord } from '../lib/records.ts'
import { closeRedis, createRedis } from '../lib/redis.ts'
import type { BaselineState } from '../rules/kinds/baseline.ts'
import type { ReplayDevice } from '../rules/engine/replay-input.ts'
import { toLines } from '../workers/line-protocol.ts'
import { bullPrefix, JOB_NAME, STORE_QUEUE } from '../workers/jobs.ts'
import { enqueueRuleInit } from '../workers/queues.ts'
import { createRuleStateStore } from '../workers/rule-state.ts'
import { startLiveRules, type LiveRules } from './helpers/live-rules.ts'
import { eventually } from './helpers/lookout.ts'

const ZONE = 'Europe/London'
const TENANT_A = 'council-a'
const TENANT_B = 'council-b'
const SITE = 'site-1'
/** Registration and rules start: 21:00 local, an hour before the first night the state counts itself (winter: UTC+0). */
const T0 = DateTime.fromISO('2026-01-20T21:00', { zone: ZONE })

/** `hh:mm` local on the day of `evening`, or on the next morning for times before noon. */
function nightAt(evening: DateTime, hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number]
  const day = h < 12 ? evening.plus({ days: 1 }) : evening
  return day.set({ hour: h, minute: m, second: 0, millisecond: 0 }).toMillis()
}
const eveningBefore = (days: number) => T0.startOf('day').minus({ days })
const eveningAfter = (days: number) => T0.startOf('day').plus({ days })
/** The end of a night (07:00 local the next morning). */
const nightEnd = (evening: DateTime) => nightAt(evening, '07:00')

function motion(tenant: string, deviceId: string, ts: number): IngestRecord {
  return { kind: 'event', tenant, deviceId, site: SITE, deviceType: 'motion-sensor', timeZone: ZONE, ts, receivedAt: ts, eventType: 'motion.detected' }
}
function heartbeat(tenant: string, deviceId: string, ts: number): IngestRecord {
  return { kind: 'event', tenant, deviceId, site: SITE, deviceType: 'motion-sensor', timeZone: ZONE, ts, receivedAt: ts, eventType: 'status.heartbeat' }
}
function battery(tenant: string, deviceId: string, ts: number): IngestRecord {
  return { kind: 'telemetry', tenant, deviceId, site: SITE, deviceType: 'motion-sensor', timeZone: ZONE, ts, receivedAt: ts, metrics: { battery: 87 } }
}
function unmappedOnly(tenant: string, deviceId: string, ts: number): IngestRecord {
  return { kind: 'telemetry', tenant, deviceId, site: SITE, deviceType: 'motion-sensor', timeZone: ZONE, ts, receivedAt: ts, metrics: {}, unmapped: { vendorStatus: 'ok' } }
}
const sensor = (deviceId: string): ReplayDevice => ({ deviceId, deviceType: 'motion-sensor', site: SITE, timeZone: ZONE })

const rulesFile = (devices: readonly string[]) =>
  [`tenant: ${TENANT_A}`, 'packs: [responder]', 'overrides:', ...devices.map((d) => `  - { rule: R15, device: ${d}, enabled: true }`), ''].join('\n')

interface Harness {
  live: LiveRules
  influx: InfluxClient
  /** The device's R15 state as stored in Redis. */
  r15(deviceId: string): Promise<BaselineState | undefined>
  /** Rules (re)initialised for registered devices at `at`, as `lookout rules set` does after installing a file. */
  initAt(deviceIds: readonly string[], at: number): Promise<void>
  /** Waits for the stored history to be folded into the device's R15 state (no `backfill` left). */
  historyApplied(deviceId: string): Promise<BaselineState>
  close(): Promise<void>
}

let open: Harness | undefined
afterEach(async () => {
  await open?.close()
  open = undefined
})

async function start(): Promise<Harness> {
  const live = await startLiveRules()
  const influx = createInfluxClient({ url: inject('influxUrl'), database: live.config.influxDb })
  // the instance creates its database in the background; the history is written before anything registers
  await influx.ensureDatabase()
  const redis = createRedis(inject('redisUrl'), { name: 'test-rules-history' })
  const states = createRuleStateStore(redis, live.config.keyPrefix)
  const r15 = async (deviceId: string) => (await states.load([deviceId])).get(deviceId)?.state.states.R15 as BaselineState | undefined
  const h: Harness = {
    live,
    influx,
    r15,
    async initAt(deviceIds, at) {
      await enqueueRuleInit({ connection: redis, keyPrefix: live.config.keyPrefix, partitions: live.config.rulePartitions }, deviceIds, at)
      await live.drain()
    },
    historyApplied: (deviceId) =>
      eventually(
        async () => {
          const s = await r15(deviceId)
          return s !== undefined && s.backfill === undefined ? s : undefined
        },
        8000,
        `the stored history of ${deviceId} applied to its R15 state`,
      ),
    async close() {
      await live.close()
      await closeRedis(redis)
    },
  }
  open = h
  return h
}

/** A night through the live path: each visit at its time (timers first, as live), then a tick at the night's end. */
async function liveNight(live: LiveRules, deviceIds: readonly string[], evening: DateTime, visits: readonly string[]): Promise<void> {
  for (const hhmm of visits) {
    const at = nightAt(evening, hhmm)
    await live.tick(at)
    await live.send(deviceIds.map((id) => motion(TENANT_A, id, at)))
  }
  await live.tick(nightEnd(evening))
}

const DEVIANT_VISITS = ['23:00', '00:30', '02:00', '03:30', '05:00']

describe('personal baselines start from the history stored in InfluxDB (R15)', () => {
  it('fires R15 on the second deviant night thanks to 20 stored nights, ignoring the same device id in another tenant and nights with no record', async () => {
    const { live, influx, r15, initAt, historyApplied } = await start()
    const gap = 5 // the evening 5 days before T0: bath-a sent nothing that night
    const stored: IngestRecord[] = []
    for (let d = 1; d <= 20; d++) {
      const evening = eveningBefore(d)
      // another tenant's device with the same id: 6 separate visits every night, and a heartbeat, gap night included
      for (const hhmm of ['00:00', '01:00', '02:00', '03:00', '04:00', '05:00']) stored.push(motion(TENANT_B, 'bath-a', nightAt(evening, hhmm)))
      stored.push(heartbeat(TENANT_B, 'bath-a', nightAt(evening, '22:15')))
      if (d === gap) continue
      // one visit a night (two triggers 2 min apart: one visit), a battery reading in the night
      stored.push(motion(TENANT_A, 'bath-a', nightAt(evening, '23:30')), motion(TENANT_A, 'bath-a', nightAt(evening, '23:32')))
      stored.push(battery(TENANT_A, 'bath-a', nightAt(evening, '02:00')))
      // daytime visits are outside the night window
      stored.push(motion(TENANT_A, 'bath-a', nightAt(evening, '15:00')))
    }
    await influx.write(toLines(stored))

    // bath-a was registered before, under the default packs (R15 off); at T0 its tenant's rules file
    // enables R15 for it (a rules change), and bath-b is registered with that file in place
    const before = T0.minus({ hours: 2 }).toMillis()
    await live.tick(before)
    await live.register(TENANT_A, [sensor('bath-a')], before)
    expect(await r15('bath-a')).toBeUndefined()
    await live.install(rulesFile(['bath-a', 'bath-b']), TENANT_A)
    await live.tick(T0.toMillis())
    await initAt(['bath-a'], T0.toMillis())
    await live.register(TENANT_A, [sensor('bath-b')], T0.toMillis())

    // bath-a: the last 14 valid nights, one visit each (not tenant B's 6, not 0 for the gap night)
    const a = await historyApplied('bath-a')
    expect(a.history).toEqual(Array(14).fill(1))
    expect(a.recent).toEqual([])
    expect(a.occ.key).toBe(eveningAfter(0).toISODate())
    // bath-b: nothing stored, so nothing to start from (the request is answered all the same)
    const b = await historyApplied('bath-b')
    expect(b.history).toEqual([])
    // the history alone decides nothing
    expect(await live.lines(TENANT_A)).toEqual([])

    // two nights of 5 visits each, through the live path
    await liveNight(live, ['bath-a', 'bath-b'], eveningAfter(0), DEVIANT_VISITS)
    // one deviant night of 3 is not 2 of 3
    expect((await live.lines(TENANT_A)).filter((l) => l.rule === 'R15')).toEqual([])
    expect((await r15('bath-a'))?.recent).toEqual([true])
    await liveNight(live, ['bath-a', 'bath-b'], eveningAfter(1), DEVIANT_VISITS)

    // the only alert of the tenant: R15 on bath-a, at the end of the second night
    const all = await live.lines(TENANT_A)
    expect(all).toHaveLength(1)
    const [raise] = all
    expect(raise).toMatchObject({ action: 'raise', rule: 'R15', deviceId: 'bath-a', priority: 'P3', occurredAt: new Date(nightEnd(eveningAfter(1))).toISOString() })
    expect(raise!.occurredAt).toBe('2026-01-22T07:00:00.000Z')
    expect(raise!.at).toBe('2026-01-22T07:00:00.000Z')
    // the median of the stored nights (13 ones and the first live night's 5), MAD 0: threshold 1 + 2
    expect(raise!.facts).toMatchObject({ count: 5, median: 1, mad: 0, threshold: 3, deviantPeriods: 2, of: 3, validPeriods: 14 })

    // bath-b: its cold start, only its own two nights
    const bAfter = await r15('bath-b')
    expect(bAfter?.history).toEqual([5, 5])
    expect(bAfter?.recent).toEqual([false, false])
    expect((await live.lines(TENANT_A)).some((l) => l.deviceId === 'bath-b' && l.rule === 'R15')).toBe(false)
    // tenant B has nothing at all
    expect(await live.lines(TENANT_B)).toEqual([])

    const reads = await live.running.metrics.rulesHistory.get()
    const byOutcome = Object.fromEntries(reads.values.map((v) => [v.labels.outcome, v.value]))
    expect(byOutcome).toMatchObject({ loaded: 2, applied: 2 })
  })

  it('counts a stored night with any record (event, telemetry or unmapped telemetry) and no visit as 0, and leaves out a night with no record at all', async () => {
    const { live, influx, historyApplied } = await start()
    const c = 'bath-c'
    const stored: IngestRecord[] = [
      // 7 nights before: a heartbeat only → 0
      heartbeat(TENANT_A, c, nightAt(eveningBefore(7), '01:00')),
      // 6: visits at 23:00, 23:10 and 23:13 (merged with 23:10) → 2
      motion(TENANT_A, c, nightAt(eveningBefore(6), '23:00')),
      motion(TENANT_A, c, nightAt(eveningBefore(6), '23:10')),
      motion(TENANT_A, c, nightAt(eveningBefore(6), '23:13')),
      // 5: nothing at all (a visit at 21:59 and one at 07:00 next morning are outside the night) → left out
      motion(TENANT_A, c, nightAt(eveningBefore(5), '21:59')),
      motion(TENANT_A, c, nightAt(eveningBefore(5), '07:00')),
      // 4: telemetry only → 0
      battery(TENANT_A, c, nightAt(eveningBefore(4), '03:00')),
      // 3: three visits → 3
      motion(TENANT_A, c, nightAt(eveningBefore(3), '22:00')),
      motion(TENANT_A, c, nightAt(eveningBefore(3), '01:00')),
      motion(TENANT_A, c, nightAt(eveningBefore(3), '06:59')),
      // 2: unmapped telemetry only → 0
      unmappedOnly(TENANT_A, c, nightAt(eveningBefore(2), '04:00')),
      // 1: one visit → 1
      motion(TENANT_A, c, nightAt(eveningBefore(1), '02:30')),
    ]
    const lines = toLines(stored)
    expect(lines).toContain('telemetry_unmapped,')
    await influx.write(lines)

    await live.install(rulesFile([c]), TENANT_A)
    await live.tick(T0.toMillis())
    await live.register(TENANT_A, [sensor(c)], T0.toMillis())
    const s = await historyApplied(c)
    expect(s.history).toEqual([0, 2, 0, 3, 0, 1])
    expect(s.recent).toEqual([])
  })
  it('waits for readings from before the rule started that are still queued for InfluxDB, and counts them', async () => {
    const { live, historyApplied } = await start()
    // a rule starting after the wall clock, so every store job queued now is from before it
    const start0 = DateTime.fromISO('2027-02-10T21:00', { zone: ZONE })
    const evening = (days: number) => start0.startOf('day').minus({ days })
    const backlog: IngestRecord[] = []
    for (let d = 1; d <= 10; d++) backlog.push(motion(TENANT_A, 'bath-d', nightAt(evening(d), '23:30')), motion(TENANT_A, 'bath-d', nightAt(evening(d), '01:30')))
    // the store is behind: these readings reach InfluxDB only after the rule has started and asked
    const store = new Queue(STORE_QUEUE, { connection: createRedis(inject('redisUrl'), { name: 'test-store-backlog' }), prefix: bullPrefix(live.config.keyPrefix) })
    try {
      await store.add(JOB_NAME.records, { records: backlog }, { delay: 1500, removeOnComplete: true })
      await live.install(rulesFile(['bath-d']), TENANT_A)
      await live.tick(start0.toMillis())
      await live.register(TENANT_A, [sensor('bath-d')], start0.toMillis())
      expect((await historyApplied('bath-d')).history).toEqual(Array(10).fill(2))
    } finally {
      await store.close()
      await closeRedis(store.opts.connection as ReturnType<typeof createRedis>)
    }
  })
})
