/**
 * Drives the live rule workers (real Redis, real BullMQ queues, the workers of a real Lookout
 * instance) with a clock the test moves, the way the replay harness moves its simulated clock:
 * registrations become `init` jobs, events become `records` jobs, and before each of them every
 * partition gets a `tick` job at that time. Each step waits for the queues to drain, so the live
 * path sees the same order as the replay. The alerts come back from the alert store's event
 * stream, in the replay's line format, for comparison.
 */
import { Queue } from 'bullmq'
import { inject } from 'vitest'
import { alertIdFor, createAlertStore, type Alert } from '../../alerts/index.ts'
import { loadConfig, type Config } from '../../lib/config.ts'
import { createLogger } from '../../lib/logger.ts'
import { startLookout, type RunningLookout } from '../../app/lookout.ts'
import { partitionOf, type IngestRecord } from '../../lib/records.ts'
import { closeRedis, createRedis } from '../../lib/redis.ts'
import { createRegistry, type Registry } from '../../registry/index.ts'
import type { RulesConfig } from '../../rules/definitions/schema.ts'
import type { ReplayLine } from '../../rules/engine/replay.ts'
import { DEFAULT_RUN_ON_MS } from '../../rules/engine/replay.ts'
import type { ReplayDevice, ReplayInput } from '../../rules/engine/replay-input.ts'
import { bullPrefix, JOB_NAME, rulesQueueName } from '../../workers/jobs.ts'
import { createRulesStore } from '../../workers/rules-store.ts'
import { uniqueName } from './lookout.ts'

/** An alert change as the live path made it, comparable with a replay line. */
export interface LiveLine {
  at: string
  action: 'raise' | 'clear'
  rule: string
  priority: string
  deviceId: string
  alertId: string
  occurredAt: string
  facts: Record<string, number | string | boolean>
}

export function fromReplay(lines: readonly ReplayLine[]): LiveLine[] {
  return lines.map((l) => ({
    at: l.at,
    action: l.action,
    rule: l.rule,
    priority: l.priority,
    deviceId: l.deviceId,
    alertId: alertIdFor(l.dedupeKey),
    occurredAt: l.occurredAt,
    facts: l.action === 'raise' ? l.facts : {},
  }))
}

/** Order-insensitive across devices: sorted by time, then alert, then action. */
export function canonical(lines: readonly LiveLine[]): LiveLine[] {
  const rank = (l: LiveLine) => `${l.at}\u0000${l.alertId}\u0000${l.action === 'raise' ? 0 : 1}`
  return [...lines].sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0))
}

export interface LiveRules {
  config: Config
  registry: Registry
  alerts: ReturnType<typeof createAlertStore>
  running: RunningLookout
  clock: { now: number }
  install(text: string, tenant: string): Promise<void>
  register(tenant: string, devices: readonly ReplayDevice[], at: number): Promise<void>
  send(records: readonly IngestRecord[]): Promise<void>
  tick(at: number): Promise<void>
  drain(): Promise<void>
  lines(tenant: string): Promise<LiveLine[]>
  close(): Promise<void>
}

export async function startLiveRules(env: Record<string, string> = {}): Promise<LiveRules> {
  const redisUrl = inject('redisUrl')
  const influxUrl = inject('influxUrl')
  const config = loadConfig({
    LOOKOUT_KEY_PREFIX: uniqueName('r'),
    INFLUX_DB: uniqueName('r_'),
    LOOKOUT_ROLES: 'workers',
    LOOKOUT_RULE_PARTITIONS: '2',
    LOOKOUT_RULE_TICK_MS: '0',
    LOG_LEVEL: 'silent',
    ...env,
  })
  const clock = { now: 0 }
  const running = await startLookout(config, { redisUrl, influxUrl }, createLogger(config.logLevel, 'stderr'), { defaultMetrics: false, ruleClock: () => clock.now })
  const redis = createRedis(redisUrl, { name: 'test-live-rules' })
  const connection = createRedis(redisUrl, { name: 'test-live-queues' })
  const registry = createRegistry(redis, config.keyPrefix)
  const alerts = createAlertStore(redis, config.keyPrefix)
  const rulesStore = createRulesStore(redis, config.keyPrefix)
  const prefix = bullPrefix(config.keyPrefix)
  const queues = Array.from({ length: config.rulePartitions }, (_, p) => new Queue(rulesQueueName(p), { connection, prefix }))
  const jobOptions = { removeOnComplete: true, removeOnFail: 1000 }

  async function drain(): Promise<void> {
    const deadline = Date.now() + 20_000
    for (;;) {
      const counts = await Promise.all(queues.map((q) => q.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'failed')))
      const failed = counts.reduce((n, c) => n + (c.failed ?? 0), 0)
      if (failed > 0) throw new Error(`${failed} rule jobs failed`)
      if (counts.every((c) => Object.values(c).every((n) => n === 0))) return
      if (Date.now() > deadline) throw new Error(`rule queues did not drain: ${JSON.stringify(counts)}`)
      await new Promise((r) => setTimeout(r, 3))
    }
  }

  return {
    config,
    registry,
    alerts,
    running,
    clock,
    async install(text, tenant) {
      await rulesStore.set(tenant, text, 'rules.yaml', Date.now())
    },
    async register(tenant, devices, at) {
      for (const d of devices) {
        await registry.addDevice({ deviceId: d.deviceId, tenant, type: d.deviceType, site: d.site, timeZone: d.timeZone, hub: d.hub, resident: d.resident }, at)
      }
      const byPartition = new Map<number, string[]>()
      for (const d of devices) {
        const p = partitionOf(d.deviceId, queues.length)
        byPartition.set(p, [...(byPartition.get(p) ?? []), d.deviceId])
      }
      for (const [p, ids] of byPartition) await queues[p]!.add(JOB_NAME.init, { deviceIds: ids, at }, jobOptions)
      await drain()
    },
    async send(records) {
      const byPartition = new Map<number, IngestRecord[]>()
      for (const r of records) {
        const p = partitionOf(r.deviceId, queues.length)
        byPartition.set(p, [...(byPartition.get(p) ?? []), r])
      }
      for (const [p, list] of byPartition) await queues[p]!.add(JOB_NAME.records, { records: list }, jobOptions)
      await drain()
    },
    async tick(at) {
      clock.now = at
      for (const q of queues) await q.add(JOB_NAME.tick, {}, jobOptions)
      await drain()
    },
    drain,
    lines: (tenant) => liveLines(alerts, tenant),
    async close() {
      await Promise.all(queues.map((q) => q.close()))
      await running.close()
      await closeRedis(connection)
      await closeRedis(redis)
    },
  }
}

/** The raises and resolutions of a tenant's alerts, from the alert store's event stream. */
export async function liveLines(alerts: ReturnType<typeof createAlertStore>, tenant: string): Promise<LiveLine[]> {
  const events = await alerts.eventsAfter(tenant, '0-0', 100_000)
  return events.flatMap(({ type, alert }): LiveLine[] => {
    if (type === 'alert.raised') return [lineOf(alert, 'raise', alert.raisedAt)]
    if (type === 'alert.resolved') return [lineOf(alert, 'clear', alert.resolvedAt!)]
    return []
  })
}

function lineOf(alert: Alert, action: 'raise' | 'clear', at: string): LiveLine {
  return {
    at,
    action,
    rule: alert.rule,
    priority: alert.priority,
    deviceId: alert.deviceId,
    alertId: alert.id,
    occurredAt: alert.occurredAt,
    facts: action === 'raise' ? (alert.facts ?? {}) : {},
  }
}

/**
 * Runs replay input through the live workers as replay() runs it through the pure engine: devices
 * registered at the start (or their registeredAt), events in ts order, timers by a clock that stops
 * at each event and runs on to `until` (default the last event + 2 days).
 */
export async function runLive(live: LiveRules, config: RulesConfig, input: ReplayInput, untilMs?: number): Promise<void> {
  const events = input.events
    .map((event, order) => ({ event, order }))
    .sort((a, b) => a.event.ts - b.event.ts || a.order - b.order)
    .map((x) => x.event)
  const last = events[events.length - 1]
  const until = untilMs ?? (last ? (last.receivedAt ?? last.ts) + DEFAULT_RUN_ON_MS : 0)
  const start = Math.min(events[0]?.ts ?? until, ...input.devices.map((d) => d.registeredAt ?? Infinity))
  const registrations = input.devices.map((d) => ({ device: d, at: d.registeredAt ?? start })).sort((a, b) => a.at - b.at)
  let r = 0
  const registerUntil = async (t: number) => {
    while (r < registrations.length && registrations[r]!.at <= t) {
      const reg = registrations[r++]!
      await live.tick(reg.at)
      await live.register(config.tenant, [reg.device], reg.at)
    }
  }
  const devices = new Map(input.devices.map((d) => [d.deviceId, d]))
  for (const event of events) {
    if (event.ts > until) break
    const at = event.receivedAt ?? event.ts
    await registerUntil(event.ts)
    await live.tick(at)
    const d = devices.get(event.deviceId)!
    const base = { tenant: config.tenant, deviceId: d.deviceId, site: d.site, deviceType: d.deviceType, timeZone: d.timeZone, ts: event.ts, receivedAt: at }
    const record: IngestRecord =
      event.eventType !== undefined ? { kind: 'event', ...base, eventType: event.eventType } : { kind: 'telemetry', ...base, metrics: event.metrics ?? {} }
    await live.send([record])
  }
  await registerUntil(until)
  await live.tick(until)
}
