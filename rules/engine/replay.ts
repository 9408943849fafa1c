/**
 * The replay harness: recorded or simulated events through the live engine's own device step and
 * clock (device-run.ts, over evaluate.ts). Pure: inputs in, the alerts that would be raised or
 * cleared out, in order. This file only orders the inputs of many devices on one timeline.
 *
 * Clock
 * - Events are taken in `ts` order (stable: equal times keep file order). Before each event every
 *   device's timers due at or before its time fire, in the rule clock's order (device-run.ts: due
 *   time, then rule order, then timer name; at the same due time, the device listed first: the
 *   devices file's order, then the events file's by first line), each with now = its due time;
 *   then the event, with now = its receivedAt, else its ts. The clock is one for all devices and
 *   never goes back: an event received before the clock's time is evaluated at the clock's time. A device may fire at most MAX_FIRINGS_PER_RUN
 *   (device-run.ts) timers between two inputs of the timeline.
 * - After the last event the clock runs on to `until` (default: the last event + 2 days), firing
 *   timers, so absences and sustained conditions fire without further events.
 * Devices
 * - Every known device is registered (`init`, which arms absence timers) at the start, the time of
 *   the first event, or at its own `registeredAt`.
 * - A hub's last-seen time is its `seen` (device-run.ts: its registration, then the receipt of its
 *   own last record, as its absence rule counts it); it is given to evaluate() so absence alerts
 *   behind a silent hub become one hub-offline alert.
 * Alerts are kept as the alert store keeps them: a dedupe key raises once; a clear resolves an open
 * alert (a clear of an alert never raised, e.g. one inhibited, prints nothing). Within one step,
 * raises come before clears.
 */
import { LookoutError } from '../../lib/errors.ts'
import type { IngestRecord } from '../../lib/records.ts'
import { rulesFor } from '../definitions/resolve.ts'
import type { RulesConfig } from '../definitions/schema.ts'
import type { AlertCandidate, Priority } from '../types.ts'
import { advanceDevices, emptyDeviceState, newOutput, nextDue, runInit, runRecord, type DeviceRun } from './device-run.ts'
import type { HubStatus } from './evaluate.ts'
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

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

/** The devices with a timer armed, by due time (ties: input order); entries gone stale are skipped by the clock. */
class DueDevices {
  private heap: { at: number; index: number }[] = []
  /** Per device, the due time last queued (not queued again while it stands). */
  private queued: (number | undefined)[] = []

  private static before(a: { at: number; index: number }, b: { at: number; index: number }): boolean {
    return a.at < b.at || (a.at === b.at && a.index < b.index)
  }

  push(at: number | undefined, index: number): void {
    if (at === undefined || this.queued[index] === at) return
    this.queued[index] = at
    const heap = this.heap
    heap.push({ at, index })
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1
      if (!DueDevices.before(heap[i]!, heap[parent]!)) break
      ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
      i = parent
    }
  }

  /** Removes the entries due at or before `t` and returns their devices, in input order (each once). */
  popDue(t: number): number[] {
    const found = new Set<number>()
    const heap = this.heap
    while (heap.length > 0 && heap[0]!.at <= t) {
      const index = heap[0]!.index
      found.add(index)
      this.queued[index] = undefined
      const last = heap.pop()!
      if (heap.length === 0) break
      heap[0] = last
      for (let i = 0; ; ) {
        const l = 2 * i + 1
        let m = i
        if (l < heap.length && DueDevices.before(heap[l]!, heap[m]!)) m = l
        if (l + 1 < heap.length && DueDevices.before(heap[l + 1]!, heap[m]!)) m = l + 1
        if (m === i) break
        ;[heap[i], heap[m]] = [heap[m]!, heap[i]!]
        i = m
      }
    }
    return [...found].sort((a, b) => a - b)
  }
}

export function replay(options: ReplayOptions): ReplayResult {
  const { config, devices } = options
  const events = options.events
    .map((event, order) => ({ event, order }))
    .sort((a, b) => a.event.ts - b.event.ts || a.order - b.order)
    .map((x) => x.event)
  const last = events[events.length - 1]
  const until = options.until ?? (last ? (last.receivedAt ?? last.ts) + DEFAULT_RUN_ON_MS : undefined)
  if (until === undefined) throw new LookoutError('REPLAY_INPUT_INVALID', 'nothing to replay: no events, and no --until to run the clock to')

  const hubIds = new Set(devices.flatMap((d) => (d.hub === undefined ? [] : [d.hub])))
  const hubs: Record<string, HubStatus> = Object.fromEntries([...hubIds].map((h) => [h, {}]))
  const runs: DeviceRun[] = devices.map((d) => {
    const subject: Subject = { tenant: config.tenant, deviceId: d.deviceId, deviceType: d.deviceType, site: d.site, timeZone: d.timeZone, hub: d.hub, resident: d.resident }
    return { ctx: { subject, rules: rulesFor(config, subject), hubs }, state: emptyDeviceState(), out: newOutput() }
  })
  const indexOf = new Map(devices.map((d, i) => [d.deviceId, i]))
  const due = new DueDevices()
  const alerts = new Map<string, { candidate: AlertCandidate; open: boolean }>()
  const lines: ReplayLine[] = []
  const stats = { events: 0, timersFired: 0, raised: 0, cleared: 0 }
  const start = Math.min(events[0]?.ts ?? until, ...devices.map((d) => d.registeredAt ?? Infinity))
  let clock = start

  /** After a step of the device: its alerts become lines, its hub status and due time are updated. */
  const stepped = (run: DeviceRun): void => {
    const { out, ctx, state } = run
    const deviceId = ctx.subject.deviceId
    if (out.errors.length > 0) {
      const e = out.errors[0]!
      throw new Error(`rule ${e.ruleId} failed for device ${deviceId} at ${iso(e.at)}: ${e.message}`)
    }
    clock = Math.max(clock, state.clock)
    stats.timersFired += out.fired.length
    for (const candidate of out.raise) {
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
    for (const clear of out.clear) {
      const alert = alerts.get(clear.dedupeKey)
      if (!alert?.open) continue
      alert.open = false
      stats.cleared++
      const c = alert.candidate
      lines.push({ at: iso(clear.at), action: 'clear', rule: c.rule, priority: c.priority, deviceId: c.deviceId, dedupeKey: c.dedupeKey, occurredAt: iso(c.occurredAt), facts: {} })
    }
    out.raise.length = 0
    out.clear.length = 0
    out.fired.length = 0
    // a hub's absence clock starts at registration, and its last-seen time never goes back
    if (hubIds.has(deviceId)) hubs[deviceId] = { lastSeenAt: state.seen }
    due.push(nextDue(state), indexOf.get(deviceId)!)
  }

  /** The device, its clock brought to the timeline's (which is one for all devices). */
  const onTimeline = (index: number): DeviceRun => {
    const run = runs[index]!
    run.state.clock = Math.max(run.state.clock, clock)
    return run
  }

  const fireTimersUntil = (t: number): void => {
    const ready = due.popDue(t).map(onTimeline)
    advanceDevices(ready, t, stepped)
    // devices whose timers were all stale (re-armed later) are back in the queue for their next
    for (const run of ready) due.push(nextDue(run.state), indexOf.get(run.ctx.subject.deviceId)!)
  }

  // registrations, then events, on one timeline
  const registrations = devices.map((d, index) => ({ index, at: d.registeredAt ?? start })).sort((a, b) => a.at - b.at)
  let r = 0
  const registerUntil = (t: number): void => {
    while (r < registrations.length && registrations[r]!.at <= t) {
      const reg = registrations[r++]!
      fireTimersUntil(reg.at)
      const run = onTimeline(reg.index)
      runInit(run.ctx, run.state, reg.at, run.out)
      stepped(run)
    }
  }

  for (const event of events) {
    if (event.ts > until) break
    const at = event.receivedAt ?? event.ts
    registerUntil(event.ts)
    fireTimersUntil(at)
    const run = onTimeline(indexOf.get(event.deviceId)!)
    const subject = run.ctx.subject
    const record: IngestRecord =
      event.eventType !== undefined
        ? { kind: 'event', tenant: config.tenant, deviceId: subject.deviceId, site: subject.site, deviceType: subject.deviceType, timeZone: subject.timeZone, ts: event.ts, receivedAt: at, eventType: event.eventType }
        : { kind: 'telemetry', tenant: config.tenant, deviceId: subject.deviceId, site: subject.site, deviceType: subject.deviceType, timeZone: subject.timeZone, ts: event.ts, receivedAt: at, metrics: event.metrics ?? {} }
    stats.events++
    runRecord(run.ctx, run.state, record, run.out)
    stepped(run)
  }
  registerUntil(until)
  fireTimersUntil(until)
  return { lines, stats }
}
