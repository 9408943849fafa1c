/**
 * replay() (the harness of `lookout rules test`: every device on one timeline, one clock) against
 * device-run.ts driven as the live workers drive it (each device on its own, its own clock): the
 * catalogue scenarios give the same alerts. Both use the same device step and rule clock; this
 * checks the replay's ordering of many devices' inputs.
 */
import { describe, expect, it } from 'vitest'
import type { IngestRecord } from '../../lib/records.ts'
import { SCENARIOS, scenarioText } from '../catalogue/scenarios.ts'
import { parseRulesText } from '../definitions/load.ts'
import { rulesFor } from '../definitions/resolve.ts'
import type { RulesConfig } from '../definitions/schema.ts'
import { advanceTimers, emptyDeviceState, newOutput, runInit, runRecord, type DeviceContext, type DeviceRunOutput } from './device-run.ts'
import { DEFAULT_RUN_ON_MS, replay } from './replay.ts'
import { parseEventsJsonl, type ReplayInput } from './replay-input.ts'
import type { Subject } from './types.ts'

/** An alert change, comparable between replay lines and device-run outputs. */
type Line = string

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

/**
 * The live path in memory: each device stepped by device-run on its own state, in ts order (its due
 * timers, then the record: by advanceTimers then runRecord, or by runRecord alone), then every
 * device's timers run to `until`; alerts kept as the alert
 * store keeps them (a dedupe key raises once, a clear resolves an open alert), per output, raises
 * before clears (as the worker delivers them).
 */
function driveDevices(config: RulesConfig, input: ReplayInput, untilOption: number | undefined, advanceFirst: boolean): Line[] {
  const events = input.events
    .map((event, order) => ({ event, order }))
    .sort((a, b) => a.event.ts - b.event.ts || a.order - b.order)
    .map((x) => x.event)
  const last = events[events.length - 1]!
  const until = untilOption ?? (last.receivedAt ?? last.ts) + DEFAULT_RUN_ON_MS
  const start = Math.min(events[0]!.ts, ...input.devices.map((d) => d.registeredAt ?? Infinity))
  const devices = new Map(
    input.devices.map((d) => {
      const s: Subject = { tenant: config.tenant, deviceId: d.deviceId, deviceType: d.deviceType, site: d.site, timeZone: d.timeZone, hub: d.hub, resident: d.resident }
      return [d.deviceId, { subject: s, state: emptyDeviceState(), registeredAt: d.registeredAt ?? start }]
    }),
  )
  const hubIds = [...new Set(input.devices.flatMap((d) => (d.hub === undefined ? [] : [d.hub])))]
  const ctx = (id: string): DeviceContext => {
    const d = devices.get(id)!
    const hubs = Object.fromEntries(hubIds.map((h) => [h, { lastSeenAt: devices.get(h)?.state.seen }]))
    return { subject: d.subject, rules: rulesFor(config, d.subject), hubs }
  }
  const open = new Map<string, boolean>()
  const lines: Line[] = []
  const run = (step: (out: DeviceRunOutput) => void): void => {
    const out = newOutput()
    step(out)
    expect(out.errors).toEqual([])
    for (const r of out.raise) {
      if (open.has(r.dedupeKey)) continue
      open.set(r.dedupeKey, true)
      lines.push(`${iso(r.raisedAt)} raise ${r.dedupeKey} ${r.rule} ${r.priority} occurred ${iso(r.occurredAt)}`)
    }
    for (const c of out.clear) {
      if (open.get(c.dedupeKey) !== true) continue
      open.set(c.dedupeKey, false)
      lines.push(`${iso(c.at)} clear ${c.dedupeKey}`)
    }
  }
  for (const [id, d] of [...devices].sort((a, b) => a[1].registeredAt - b[1].registeredAt)) run((out) => runInit(ctx(id), d.state, d.registeredAt, out))
  for (const e of events) {
    if (e.ts > until) break
    const d = devices.get(e.deviceId)!
    const s = d.subject
    const received = e.receivedAt ?? e.ts
    const record: IngestRecord =
      e.eventType !== undefined
        ? { kind: 'event', tenant: s.tenant, deviceId: s.deviceId, site: s.site, deviceType: s.deviceType, timeZone: s.timeZone, ts: e.ts, receivedAt: received, eventType: e.eventType }
        : { kind: 'telemetry', tenant: s.tenant, deviceId: s.deviceId, site: s.site, deviceType: s.deviceType, timeZone: s.timeZone, ts: e.ts, receivedAt: received, metrics: e.metrics ?? {} }
    if (advanceFirst) run((out) => advanceTimers(ctx(e.deviceId), d.state, received, out))
    run((out) => runRecord(ctx(e.deviceId), d.state, record, out))
  }
  for (const [id, d] of devices) run((out) => advanceTimers(ctx(id), d.state, until, out))
  return lines.sort()
}

function replayed(config: RulesConfig, input: ReplayInput, until: number | undefined): Line[] {
  return replay({ config, events: input.events, devices: input.devices, until })
    .lines.map((l) => (l.action === 'raise' ? `${l.at} raise ${l.dedupeKey} ${l.rule} ${l.priority} occurred ${l.occurredAt}` : `${l.at} clear ${l.dedupeKey}`))
    .sort()
}

describe('device-run agrees with replay()', () => {
  const config = parseRulesText(scenarioText('rules.yaml'), { source: 'scenarios/rules.yaml' })
  const files = SCENARIOS.flatMap((s) => [
    { file: `${s.rule}.fires.jsonl`, until: s.firesUntil, fires: true },
    { file: `${s.rule}.quiet.jsonl`, until: s.quietUntil, fires: false },
  ])
  const drives = [
    { drive: 'advanceTimers, then runRecord', advanceFirst: true },
    { drive: 'runRecord alone', advanceFirst: false },
  ]
  const cases = files.flatMap((f) => drives.map((d) => ({ ...f, ...d })))

  it.each(cases)('on catalogue scenario $file ($drive)', ({ file, until, fires, advanceFirst }) => {
    const input = parseEventsJsonl(scenarioText(file), [], file)
    const untilMs = until === undefined ? undefined : Date.parse(until)
    const expected = replayed(config, input, untilMs)
    if (fires) expect(expected.length).toBeGreaterThan(0)
    expect(driveDevices(config, input, untilMs, advanceFirst)).toEqual(expected)
  })

  it.each(drives)('with records received late and out of order: the clock holds, buffered evidence ($drive)', ({ advanceFirst }) => {
    const text = [
      { ts: '2026-01-06T10:00:00Z', deviceId: 'hub-1', deviceType: 'hub', type: 'status.heartbeat' },
      { ts: '2026-01-06T10:10:00Z', receivedAt: '2026-01-06T11:20:00Z', deviceId: 'hub-1', type: 'status.heartbeat' },
      { ts: '2026-01-06T10:20:00Z', receivedAt: '2026-01-06T10:30:00Z', deviceId: 'hub-1', type: 'status.heartbeat' },
      { ts: '2026-01-06T12:00:00Z', deviceId: 'hub-1', type: 'mains.lost' },
      { ts: '2026-01-06T12:05:00Z', receivedAt: '2026-01-06T15:00:00Z', deviceId: 'hub-1', metrics: { battery: 10 } },
      { ts: '2026-01-06T15:10:00Z', deviceId: 'hub-1', type: 'device.disconnected' },
    ]
      .map((o) => JSON.stringify(o))
      .join('\n')
    const input = parseEventsJsonl(text, [], 'late.jsonl')
    const until = Date.parse('2026-01-06T20:00:00Z')
    const expected = replayed(config, input, until)
    expect(expected.length).toBeGreaterThan(3)
    expect(driveDevices(config, input, until, advanceFirst)).toEqual(expected)
  })
})