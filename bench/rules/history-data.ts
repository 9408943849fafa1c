/**
 * Part 3's data: the stored history of the benchmark's motion sensors (30 nights each, with daytime
 * motion, heartbeats and battery readings) and its writing to InfluxDB. Seeded: every run writes the
 * same points, and the expected per-night visits are returned for checking the reads.
 */
import { DateTime } from 'luxon'
import type { InfluxClient } from '../../lib/influx.ts'
import type { IngestRecord } from '../../lib/records.ts'
import { seededRandom } from '../../lib/seeded-random.ts'
import { toLines } from '../../workers/line-protocol.ts'
import { fmt, progress } from '../ingest/common.ts'

export const HISTORY_TENANT = 'bench-history'
export const ZONE = 'Europe/London'
export const SITE = 'bench-site'
const DEVICE_PREFIX = 'bench-motion-'
/** Nights stored per device; the rule asks for the last 28 (2 × historyDays). */
export const NIGHTS = 30
/** The first stored night's evening; the 30 nights cross the spring DST change (29 March 2026: one night is 8 h). */
export const FIRST_EVENING = DateTime.fromISO('2026-03-10', { zone: ZONE })
/** The rule starts (init's `now`, the request's token) here: after the last stored night (evening 8 April). */
export const NOW = DateTime.fromISO('2026-04-09T12:00', { zone: ZONE }).toMillis()
/** Stored data starts at 07:00 on the first evening's day. */
export const DATA_FROM = FIRST_EVENING.set({ hour: 7 }).toMillis()
/** Bathroom visits a night: drawn from these (mean 2.9; some nights none). */
export const VISITS = [0, 2, 2, 3, 3, 3, 3, 4, 4, 5]
/** PIR triggers per visit, 30-90 s apart: one episode (R15 merges motion less than 5 min apart). */
export const TRIGGERS_PER_VISIT = 3
/** Daytime (07:00-22:00) motion events a day: 40-60. */
export const DAY_MOTION = { min: 40, spread: 21 }
/** Every OFFLINE_EVERY-th device sends nothing from an hour before one night to an hour after it (hub down): that period is inactive. */
export const OFFLINE_EVERY = 5
export const WRITE_BATCH_LINES = 5000
export const WRITES_IN_FLIGHT = 4
export const HOUR_MS = 3_600_000

export const deviceIdOf = (i: number) => `${DEVICE_PREFIX}${i}`


export interface Night {
  start: number
  end: number
  visits: number
  offline: boolean
}

interface DeviceHistory {
  records: IngestRecord[]
  /** By night start (epoch ms). */
  nights: Map<number, Night>
  motion: number
  heartbeats: number
  telemetry: number
}

/**
 * One sensor's 30 nights and the days around them: bathroom visits at night (22:00-07:00 local),
 * daytime motion, an hourly heartbeat, a daily battery reading. Times are whole seconds, distinct
 * per series (a repeated device, event type and time would overwrite a point in InfluxDB).
 */
function deviceHistory(index: number): DeviceHistory {
  const rnd = seededRandom(index + 1)
  const deviceId = deviceIdOf(index)
  const base = { tenant: HISTORY_TENANT, deviceId, site: SITE, deviceType: 'motion-sensor', timeZone: ZONE }
  const event = (ts: number, eventType: string): IngestRecord => ({ kind: 'event', ...base, ts, receivedAt: ts, eventType })
  const motionTimes = new Set<number>()
  const nights = new Map<number, Night>()
  const offlineNight = index % OFFLINE_EVERY === 0 ? 2 + ((index / OFFLINE_EVERY) % (NIGHTS - 2)) : -1
  for (let n = 0; n < NIGHTS; n++) {
    const evening = FIRST_EVENING.plus({ days: n })
    const start = evening.set({ hour: 22 }).toMillis()
    const end = evening.plus({ days: 1 }).set({ hour: 7 }).toMillis()
    const visits = VISITS[Math.floor(rnd() * VISITS.length)]!
    const offline = n === offlineNight
    nights.set(start, { start, end, visits: offline ? 0 : visits, offline })
    if (offline) continue
    // visit k starts in the first half of the k-th of `visits` equal parts of the night: visits are
    // at least ~50 min apart, and a visit (3 triggers within 3 min) ends well inside the night
    const part = (end - start) / Math.max(1, visits)
    for (let k = 0; k < visits; k++) {
      let t = start + Math.floor((k * part + rnd() * (part / 2)) / 1000) * 1000
      for (let j = 0; j < TRIGGERS_PER_VISIT; j++) {
        if (j > 0) t += (30 + Math.floor(rnd() * 61)) * 1000
        motionTimes.add(t)
      }
    }
  }
  const offlineSpan = [...nights.values()].find((night) => night.offline)
  const online = (ts: number) => ts < NOW && !(offlineSpan && ts >= offlineSpan.start - HOUR_MS && ts < offlineSpan.end + HOUR_MS)

  const records: IngestRecord[] = []
  let telemetry = 0
  for (let day = FIRST_EVENING; day.toMillis() < NOW; day = day.plus({ days: 1 })) {
    const from = day.set({ hour: 7 }).toMillis()
    const length = day.set({ hour: 22 }).toMillis() - from
    const count = DAY_MOTION.min + Math.floor(rnd() * DAY_MOTION.spread)
    for (let e = 0; e < count; e++) motionTimes.add(from + Math.floor((rnd() * length) / 1000) * 1000)
    const noon = day.set({ hour: 12 }).toMillis() + (index % 600) * 1000
    if (online(noon)) {
      records.push({ kind: 'telemetry', ...base, ts: noon, receivedAt: noon, metrics: { battery: 95 - Math.floor((noon - DATA_FROM) / (7 * 24 * HOUR_MS)) } })
      telemetry++
    }
  }
  let motion = 0
  for (const ts of motionTimes) {
    if (!online(ts)) continue
    records.push(event(ts, 'motion.detected'))
    motion++
  }
  let heartbeats = 0
  for (let ts = DATA_FROM + ((index * 7919) % 3600) * 1000; ts < NOW; ts += HOUR_MS) {
    if (!online(ts)) continue
    records.push(event(ts, 'status.heartbeat'))
    heartbeats++
  }
  records.sort((a, b) => a.ts - b.ts)
  return { records, nights, motion, heartbeats, telemetry }
}

/** Writes every device's history in batches of WRITE_BATCH_LINES, WRITES_IN_FLIGHT at a time; returns what each device expects. */
export async function writeHistory(influx: InfluxClient, devices: number) {
  const expected: Map<number, Night>[] = []
  const totals = { points: 0, motion: 0, heartbeats: 0, telemetry: 0, offlineNights: 0, nightVisits: 0, batches: 0 }
  const inFlight = new Set<Promise<void>>()
  let pending: IngestRecord[] = []
  let generateMs = 0
  let lastPrint = performance.now()
  const started = performance.now()
  const flush = async (records: IngestRecord[]) => {
    while (inFlight.size >= WRITES_IN_FLIGHT) await Promise.race(inFlight)
    const write = influx.write(toLines(records)).finally(() => inFlight.delete(write))
    inFlight.add(write)
    totals.batches++
  }
  for (let i = 0; i < devices; i++) {
    const g = performance.now()
    const h = deviceHistory(i)
    generateMs += performance.now() - g
    expected.push(h.nights)
    totals.points += h.records.length
    totals.motion += h.motion
    totals.heartbeats += h.heartbeats
    totals.telemetry += h.telemetry
    for (const night of h.nights.values()) {
      if (night.offline) totals.offlineNights++
      totals.nightVisits += night.visits
    }
    pending.push(...h.records)
    while (pending.length >= WRITE_BATCH_LINES) {
      await flush(pending.slice(0, WRITE_BATCH_LINES))
      pending = pending.slice(WRITE_BATCH_LINES)
    }
    if (performance.now() - lastPrint >= 3000) {
      lastPrint = performance.now()
      progress('history', `writing: ${fmt(i + 1)} of ${fmt(devices)} devices, ${fmt(totals.points)} points`, 'rules')
    }
  }
  if (pending.length > 0) await flush(pending)
  await Promise.all(inFlight)
  const seconds = (performance.now() - started) / 1000
  return { expected, totals, seconds, generateSeconds: generateMs / 1000 }
}

