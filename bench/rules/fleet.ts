/**
 * The mixed fleet of the throughput part and the records it sends. Deterministic (seeded), so two
 * runs evaluate the same inputs.
 *
 * Devices: a telecare and building-sensor mix over 4 tenants with default rules (every shipped
 * pack). Telecare devices (pendants, door, bed, motion, activity sensors, smoke alarms) report
 * through a hub of their tenant, so hub inhibition is looked up as it would be in service.
 *
 * Records: each device reports once per `reportSeconds` of simulated time, devices interleaved, so
 * a batch holds records of as many devices as it can (the costly case: one state load per device
 * per job). receivedAt starts at the devices' registration time (`t0`, the bench's real start) and
 * rises steadily: the run replays `records / devices × reportSeconds` of fleet time as fast as the
 * workers go. Metric and event names are the canonical ones (docs/vocabulary.md, lib/event-types.ts)
 * that the shipped rules read.
 */
import type { IngestRecord } from '../../lib/records.ts'
import type { DeviceType, NewDevice } from '../../registry/index.ts'
import { rulesFor } from '../../rules/definitions/resolve.ts'
import { defaultRulesConfig } from '../../workers/rules-store.ts'
import { seededRandom } from '../../lib/seeded-random.ts'

export const TENANTS = ['bench-a', 'bench-b', 'bench-c', 'bench-d'] as const
const TIME_ZONE = 'Europe/London'

/** Share of the fleet, per cent. */
export const MIX: Readonly<Partial<Record<DeviceType, number>>> = {
  'environment-sensor': 28,
  'water-temperature-sensor': 8,
  'motion-sensor': 12,
  'activity-sensor': 4,
  'door-sensor': 10,
  'bed-sensor': 8,
  pendant: 12,
  hub: 6,
  'leak-sensor': 5,
  'energy-meter': 4,
  'smoke-alarm': 3,
}
const BEHIND_HUB: ReadonlySet<DeviceType> = new Set(['pendant', 'door-sensor', 'bed-sensor', 'motion-sensor', 'activity-sensor', 'smoke-alarm'])


export interface FleetDevice {
  index: number
  deviceId: string
  tenant: string
  type: DeviceType
  site: string
  hub?: string | undefined
  /** A fixed trait that makes some devices cross thresholds (cold home, damp, low battery, calorifier probe…). */
  trait: number
}

export interface Fleet {
  devices: FleetDevice[]
  registrations: NewDevice[]
  /** Rules that apply, per device (default packs, resolved with rulesFor as the workers do). */
  rulesPerDevice: number[]
  byType: Record<string, { devices: number; rules: number }>
}

/** Exact shares by largest remainder, then shuffled (seeded). */
function typesFor(count: number): DeviceType[] {
  const entries = Object.entries(MIX) as [DeviceType, number][]
  const total = entries.reduce((n, [, w]) => n + w, 0)
  const exact = entries.map(([t, w]) => ({ t, n: (count * w) / total }))
  const counts = exact.map((e) => ({ t: e.t, n: Math.floor(e.n), rest: e.n - Math.floor(e.n) }))
  let left = count - counts.reduce((n, c) => n + c.n, 0)
  for (const c of [...counts].sort((a, b) => b.rest - a.rest)) {
    if (left-- <= 0) break
    c.n++
  }
  const types = counts.flatMap((c) => Array.from({ length: c.n }, () => c.t))
  const random = seededRandom(7)
  for (let i = types.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[types[i], types[j]] = [types[j]!, types[i]!]
  }
  return types
}

export function makeFleet(count: number): Fleet {
  const types = typesFor(count)
  const random = seededRandom(11)
  const devices: FleetDevice[] = types.map((type, index) => ({
    index,
    deviceId: `bench-${type}-${index}`,
    tenant: TENANTS[index % TENANTS.length]!,
    type,
    site: `site-${Math.floor(index / 20)}`,
    trait: random(),
  }))
  // telecare devices behind the hubs of their tenant, round robin
  for (const tenant of TENANTS) {
    const hubs = devices.filter((d) => d.tenant === tenant && d.type === 'hub')
    if (hubs.length === 0) continue
    let n = 0
    for (const d of devices) {
      if (d.tenant !== tenant || !BEHIND_HUB.has(d.type)) continue
      const hub = hubs[n++ % hubs.length]!
      d.hub = hub.deviceId
      d.site = hub.site
    }
  }
  const configs = new Map<string, ReturnType<typeof defaultRulesConfig>>(TENANTS.map((t) => [t, defaultRulesConfig(t)]))
  const rulesPerDevice = devices.map(
    (d) => rulesFor(configs.get(d.tenant)!, { tenant: d.tenant, deviceId: d.deviceId, deviceType: d.type, site: d.site, timeZone: TIME_ZONE, hub: d.hub }).length,
  )
  const byType: Record<string, { devices: number; rules: number }> = {}
  devices.forEach((d, i) => {
    byType[d.type] = { devices: (byType[d.type]?.devices ?? 0) + 1, rules: rulesPerDevice[i]! }
  })
  return {
    devices,
    // hubs first, so a device's hub is registered before the device
    registrations: [...devices]
      .sort((a, b) => Number(b.type === 'hub') - Number(a.type === 'hub'))
      .map((d) => ({ deviceId: d.deviceId, tenant: d.tenant, type: d.type, site: d.site, timeZone: TIME_ZONE, hub: d.hub })),
    rulesPerDevice,
    byType,
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10

/** The record of `device` in its report slot `k` (its k-th record), received at `receivedAt`. */
function recordOf(d: FleetDevice, k: number, receivedAt: number): IngestRecord {
  const r = seededRandom(d.index * 1_000_003 + k)
  const base = { tenant: d.tenant, deviceId: d.deviceId, site: d.site, deviceType: d.type, timeZone: TIME_ZONE, ts: receivedAt - 150, receivedAt, source: 'lookout' as const }
  const event = (eventType: string): IngestRecord => ({ kind: 'event', ...base, eventType })
  const telemetry = (metrics: Record<string, number>): IngestRecord => ({ kind: 'telemetry', ...base, metrics })
  const battery = d.trait < 0.02 ? 15 : round1(100 - k * 0.01 - d.trait * 10)
  switch (d.type) {
    case 'environment-sensor':
      return telemetry({
        // 4 % cold homes (below 10 °C: R22-10, below 16/18: R22 sustained), 6 % damp (F01)
        temperature: round1(d.trait < 0.04 ? 9 + r() * 2 : 19 + r() * 4),
        humidity: round1(d.trait > 0.94 ? 75 + r() * 17 : 40 + r() * 20),
        co2: Math.round(500 + r() * 700),
        battery,
      })
    case 'water-temperature-sensor':
      // 30 % calorifier probes (F13), some running cool
      return d.trait < 0.3
        ? telemetry({ flow_temperature: round1((d.trait < 0.05 ? 55 : 60.5) + r() * 4), return_temperature: round1(50.5 + r() * 4), battery })
        : telemetry({ water_temperature: round1(45 + r() * 15), battery })
    case 'motion-sensor':
      return r() < 0.8 ? event('motion.detected') : telemetry({ motion: 1, battery })
    case 'activity-sensor':
      return event('motion.detected')
    case 'door-sensor':
      // opened and closed now and then (R08 at night), else its periodic contact report
      if (k % 20 === (d.index % 20)) return event('door.opened')
      if (k % 20 === (d.index + 1) % 20) return event('door.closed')
      return telemetry({ contact: 0, battery })
    case 'bed-sensor':
      // out of bed and back (R07 at night), else its periodic occupancy report
      if (k % 30 === (d.index % 30)) return event('bed.exited')
      if (k % 30 === (d.index + 1) % 30) return event('bed.entered')
      return telemetry({ occupancy: 1, battery })
    case 'pendant':
      return r() < 0.002 ? event('pendant.pressed') : event('status.heartbeat')
    case 'hub':
      // 10 % of hubs lose mains now and then (H02), restored at their next report
      if (d.trait < 0.1 && k % 40 === 20) return event('mains.lost')
      if (d.trait < 0.1 && k % 40 === 21) return event('mains.restored')
      return event('status.heartbeat')
    case 'leak-sensor':
      return telemetry({ leak: r() < 0.01 ? 1 : 0, battery })
    case 'energy-meter':
      return telemetry({ power: Math.round(200 + r() * 3000), energy: round1(1000 + k * 0.05), voltage: round1(228 + r() * 8) })
    case 'smoke-alarm':
      return event('status.heartbeat')
    default:
      return event('status.heartbeat')
  }
}

/**
 * Records `from` (inclusive) to `to` (exclusive) of the fleet's stream: record i is device
 * i mod D's record number floor(i / D), received at t0 + its slot × reportMs + its phase.
 */
export function recordsOf(fleet: Fleet, t0: number, reportMs: number, from: number, to: number): IngestRecord[] {
  const { devices } = fleet
  const out: IngestRecord[] = []
  for (let i = from; i < to; i++) {
    const d = devices[i % devices.length]!
    const k = Math.floor(i / devices.length)
    const receivedAt = t0 + k * reportMs + Math.floor(((i % devices.length) * reportMs) / devices.length) + 1
    out.push(recordOf(d, k, receivedAt))
  }
  return out
}

/** Rule evaluations the records from..to mean: each record goes to every rule of its device. */
export function evaluationsOf(fleet: Fleet, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) n += fleet.rulesPerDevice[i % fleet.devices.length]!
  return n
}
