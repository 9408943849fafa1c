/**
 * The replay harness: recorded or simulated events through the real rule code (evaluate.ts) with a
 * simulated clock. Pure: inputs in, the alerts that would be raised or cleared out, in order.
 *
 * Clock
 * - Events are taken in `ts` order (stable: equal times keep file order). Before each event every
 *   timer due at or before its time fires, in due-time order (ties: the order they were armed), each
 *   with now = its due time; then the event, with now = its receivedAt, else its ts. The clock never
 *   goes back: an event received before the clock's time is evaluated at the clock's time.
 * - After the last event the clock runs on to `until` (default: the last event + 2 days), firing
 *   timers, so absences and sustained conditions fire without further events.
 * Devices
 * - Every known device is registered (`init`, which arms absence timers) at the start, the time of
 *   the first event, or at its own `registeredAt`.
 * - A hub's last-seen time is its registration, then the receipt of its own last record (not one
 *   Lookout wrote, such as device.disconnected), as its absence rule counts it; it is given to
 *   evaluate() so absence alerts behind a silent hub become one hub-offline alert.
 * Alerts are kept as the alert store keeps them: a dedupe key raises once; a clear resolves an open
 * alert (a clear of an alert never raised, e.g. one inhibited, prints nothing).
 */
import { LookoutError } from '../../lib/errors.ts'
import type { IngestRecord } from '../../lib/records.ts'
import { rulesFor } from '../definitions/resolve.ts'
import type { RulesConfig } from '../definitions/schema.ts'
import { fromDevice } from '../kinds/evidence.ts'
import type { AlertCandidate, Priority } from '../types.ts'
import { evaluate, type EngineEvent, type EvaluateResult, type HubStatus } from './evaluate.ts'
import type { ReplayDevice, ReplayEvent } from './replay-input.ts'
import type { Subject } from './types.ts'

export const DEFAULT_RUN_ON_MS = 2 * 24 * 60 * 60 * 1000

export interface ReplayOptions {
  config: RulesConfig
  events: readonly ReplayEvent[]
  devices: readonly ReplayDevice[]
  /** Epoch ms to run the clock to; default the last event + 2 days. Events after it are not replayed. */
  until?: number | undefined
}

/** One output line of `lookout rules test`. Times are ISO 8601 UTC. */
export interface ReplayLine {
  at: string
  action: 'raise' | 'clear'
  rule: string
  priority: Priority
  deviceId: string
  dedupeKey: string
  occurredAt: string
  facts: Record<string, number | string | boolean>
}

export interface ReplayResult {
  lines: ReplayLine[]
  /** Counts, for a summary. */
  stats: { events: number; timersFired: number; raised: number; cleared: number }
}

interface PendingTimer {
  deviceId: string
  ruleId: string
  timer: string
  at: number
  seq: number
}

/** A binary min-heap of timers by (at, seq); stale entries (re-armed or cancelled) are skipped on pop. */
class TimerQueue {
  private heap: PendingTimer[] = []
  private current = new Map<string, PendingTimer>()
  private seq = 0

  private static id(deviceId: string, ruleId: string, timer: string): string {
    return `${deviceId}\u0000${ruleId}\u0000${timer}`
  }

  private static before(a: PendingTimer, b: PendingTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq)
  }

  set(deviceId: string, ruleId: string, timer: string, at: number | null): void {
    const id = TimerQueue.id(deviceId, ruleId, timer)
    if (at === null) {
      this.current.delete(id)
      return
    }
    const entry = { deviceId, ruleId, timer, at, seq: this.seq++ }
    this.current.set(id, entry)
    this.heap.push(entry)
    let i = this.heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!TimerQueue.before(this.heap[i]!, this.heap[parent]!)) break
      ;[this.heap[i], this.heap[parent]] = [this.heap[parent]!, this.heap[i]!]
      i = parent
    }
  }

  private live(entry: PendingTimer): boolean {
    return this.current.get(TimerQueue.id(entry.deviceId, entry.ruleId, entry.timer)) === entry
  }

  /** Removes and returns the earliest timer due at or before `t`, if any. */
  popDue(t: number): PendingTimer | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0]!
      if (!this.live(top)) {
        this.removeTop()
        continue
      }
      if (top.at > t) return undefined
      this.removeTop()
      this.current.delete(TimerQueue.id(top.deviceId, top.ruleId, top.timer))
      return top
    }
    return undefined
  }

  private removeTop(): void {
    const last = this.heap.pop()!
    if (this.heap.length === 0) return
    this.heap[0] = last
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < this.heap.length && TimerQueue.before(this.heap[l]!, this.heap[m]!)) m = l
      if (r < this.heap.length && TimerQueue.before(this.heap[r]!, this.heap[m]!)) m = r
      if (m === i) return
      ;[this.heap[i], this.heap[m]] = [this.heap[m]!, this.heap[i]!]
      i = m
    }
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

/** Timers one replay may fire before it is taken for a kind re-arming in a loop. */
const MAX_TIMER_FIRINGS = 5_000_000

export function replay(options: ReplayOptions): ReplayResult {
  const { config, devices } = options
  const events = options.events
    .map((event, order) => ({ event, order }))
    .sort((a, b) => a.event.ts - b.event.ts || a.order - b.order)
    .map((x) => x.event)
  const last = events[events.length - 1]
  const until = options.until ?? (last ? (last.receivedAt ?? last.ts) + DEFAULT_RUN_ON_MS : undefined)
  if (until === undefined) throw new LookoutError('REPLAY_INPUT_INVALID', 'nothing to replay: no events, and no --until to run the clock to')

  const subjects = new Map<string, Subject>()
  for (const d of devices) {
    subjects.set(d.deviceId, { tenant: config.tenant, deviceId: d.deviceId, deviceType: d.deviceType, site: d.site, timeZone: d.timeZone, hub: d.hub, resident: d.resident })
  }
  const hubIds = new Set(devices.flatMap((d) => (d.hub === undefined ? [] : [d.hub])))
  const hubs: Record<string, HubStatus> = Object.fromEntries([...hubIds].map((h) => [h, {}]))
  const states = new Map<string, Record<string, unknown>>()
  const timers = new TimerQueue()
  const alerts = new Map<string, { candidate: AlertCandidate; open: boolean }>()
  const lines: ReplayLine[] = []
  const stats = { events: 0, timersFired: 0, raised: 0, cleared: 0 }
  const start = Math.min(events[0]?.ts ?? until, ...devices.map((d) => d.registeredAt ?? Infinity))
  let clock = start

  const step = (deviceId: string, event: EngineEvent, now: number): void => {
    const subject = subjects.get(deviceId)
    if (!subject) throw new LookoutError('REPLAY_INPUT_INVALID', `no device "${deviceId}"`)
    const rules = rulesFor(config, subject)
    const deviceStates = states.get(deviceId) ?? {}
    const result: EvaluateResult = evaluate({ subject, rules, states: deviceStates, event, now, hubs })
    if (result.errors.length > 0) {
      const e = result.errors[0]!
      throw new Error(`rule ${e.ruleId} failed for device ${deviceId} at ${iso(now)}: ${e.message}`)
    }
    states.set(deviceId, { ...deviceStates, ...result.states })
    for (const t of result.timers) timers.set(deviceId, t.ruleId, t.timer, t.at)
    for (const candidate of result.raise) {
      if (alerts.has(candidate.dedupeKey)) continue
      alerts.set(candidate.dedupeKey, { candidate, open: true })
      stats.raised++
      lines.push({
        at: iso(candidate.raisedAt),
        action: 'raise',
        rule: candidate.rule,
        priority: candidate.priority,
        deviceId: candidate.deviceId,
        dedupeKey: candidate.dedupeKey,
        occurredAt: iso(candidate.occurredAt),
        facts: candidate.facts ?? {},
      })
    }
    for (const clear of result.clear) {
      const alert = alerts.get(clear.dedupeKey)
      if (!alert?.open) continue
      alert.open = false
      stats.cleared++
      const c = alert.candidate
      lines.push({ at: iso(clear.at), action: 'clear', rule: c.rule, priority: c.priority, deviceId: c.deviceId, dedupeKey: c.dedupeKey, occurredAt: iso(c.occurredAt), facts: {} })
    }
  }

  const fireTimersUntil = (t: number): void => {
    for (let due = timers.popDue(t); due !== undefined; due = timers.popDue(t)) {
      if (++stats.timersFired > MAX_TIMER_FIRINGS) throw new Error(`more than ${MAX_TIMER_FIRINGS} timers fired: a rule re-arms a timer in a loop (last: rule ${due.ruleId} timer ${due.timer} of ${due.deviceId})`)
      clock = Math.max(clock, due.at)
      step(due.deviceId, { type: 'timer', ruleId: due.ruleId, timer: due.timer }, clock)
    }
  }

  // registrations, then events, on one timeline
  const registrations = devices.map((d) => ({ deviceId: d.deviceId, at: d.registeredAt ?? start })).sort((a, b) => a.at - b.at)
  let r = 0
  const registerUntil = (t: number): void => {
    while (r < registrations.length && registrations[r]!.at <= t) {
      const reg = registrations[r++]!
      fireTimersUntil(reg.at)
      clock = Math.max(clock, reg.at)
      step(reg.deviceId, { type: 'init' }, clock)
      // a hub's absence clock starts at registration: so does its silence
      if (hubIds.has(reg.deviceId) && hubs[reg.deviceId]?.lastSeenAt === undefined) hubs[reg.deviceId] = { lastSeenAt: clock }
    }
  }

  for (const event of events) {
    if (event.ts > until) break
    const at = event.receivedAt ?? event.ts
    registerUntil(event.ts)
    fireTimersUntil(at)
    clock = Math.max(clock, at)
    const subject = subjects.get(event.deviceId)!
    const record: IngestRecord =
      event.eventType !== undefined
        ? { kind: 'event', tenant: config.tenant, deviceId: subject.deviceId, site: subject.site, deviceType: subject.deviceType, timeZone: subject.timeZone, ts: event.ts, receivedAt: at, eventType: event.eventType }
        : { kind: 'telemetry', tenant: config.tenant, deviceId: subject.deviceId, site: subject.site, deviceType: subject.deviceType, timeZone: subject.timeZone, ts: event.ts, receivedAt: at, metrics: event.metrics ?? {} }
    stats.events++
    step(event.deviceId, { type: 'record', record }, clock)
    // its receipt, as the hub's own absence rule counts it (never back: an older receipt is older evidence)
    if (hubIds.has(event.deviceId) && fromDevice(record)) hubs[event.deviceId] = { lastSeenAt: Math.max(hubs[event.deviceId]?.lastSeenAt ?? at, at) }
  }
  registerUntil(until)
  fireTimersUntil(until)
  return { lines, stats }
}
