/**
 * Test support for the rule kinds (not a test file): one kind, as one rule of one device, through
 * the live engine's device step and rule clock (engine/device-run.ts): init at `start`, records at
 * their receipt, armed timers fired in the clock's order when their time comes (on time, or late
 * after an outage). Logs the kind's raise/clear actions in the order it returns them, and checks on
 * every step that state is plain JSON and small.
 */
import { DateTime } from 'luxon'
import { expect } from 'vitest'
import type { EventRecord, IngestRecord, TelemetryRecord } from '../../lib/records.ts'
import type { ResolvedRule } from '../definitions/resolve.ts'
import { advanceTimers, emptyDeviceState, newOutput, parseTimerId, runHistory, runInit, runRecord, type DeviceContext, type DeviceRunOutput } from '../engine/device-run.ts'
import type { HistoryData, HistoryRequest, RuleAction, RuleKind, Step, Subject } from '../engine/types.ts'

export const LONDON = 'Europe/London'

export const SUBJECT: Subject = { tenant: 'acme', deviceId: 'dev-1', deviceType: 'pir', site: 'flat-12', timeZone: LONDON }

/** Epoch ms of a local wall-clock time in London, e.g. at('2026-03-29T01:30'). */
export function at(local: string, zone = LONDON): number {
  const d = DateTime.fromISO(local, { zone })
  if (!d.isValid) throw new Error(`bad test time ${local}`)
  return d.toMillis()
}

export const MIN = 60_000
export const HOUR = 60 * MIN
export const DAY = 24 * HOUR

export function event(eventType: string, ts: number, overrides: Partial<EventRecord> = {}): EventRecord {
  return { kind: 'event', tenant: 'acme', deviceId: 'dev-1', site: 'flat-12', deviceType: 'pir', timeZone: LONDON, ts, receivedAt: ts, eventType, ...overrides }
}

export function telemetry(metrics: Record<string, number>, ts: number, overrides: Partial<TelemetryRecord> = {}): TelemetryRecord {
  return { kind: 'telemetry', tenant: 'acme', deviceId: 'dev-1', site: 'flat-12', deviceType: 'sensor', timeZone: LONDON, ts, receivedAt: ts, metrics, ...overrides }
}

/** What happened, compactly: ['raise', key, occurredAt] / ['clear', key, at]. */
export type Logged = ['raise', string, number] | ['clear', string, number]

export type Input =
  /** A record processed at `now` (default: its receivedAt). */
  | { record: IngestRecord; now?: number }
  /** Let time pass to `to`, firing timers on time. */
  | { until: number }
  /** The engine was down until `to`: its clock is there when the due timers fire, so they fire late. */
  | { outageUntil: number }
  /** The history the state asked for at its start arrives (HistorySource), answered by `answer`. */
  | { history: (request: HistoryRequest) => HistoryData }

export interface Run<S> {
  log: Logged[]
  raises: Extract<RuleAction, { type: 'raise' }>[]
  state: S
  timers: Record<string, number>
}

function checkState(state: unknown): void {
  const json = JSON.stringify(state)
  expect(JSON.parse(json)).toEqual(state)
  expect(json.length).toBeLessThan(4000)
}

export function simulate<P, S>(kind: RuleKind<P, S>, rawParams: unknown, start: number, inputs: Input[], subject: Subject = SUBJECT): Run<S> {
  const params = kind.params.parse(rawParams)
  const log: Logged[] = []
  const raises: Extract<RuleAction, { type: 'raise' }>[] = []
  const observe = (step: Step<S>): Step<S> => {
    checkState(step.state)
    for (const a of step.actions) {
      if (a.type === 'raise') {
        log.push(['raise', a.key, a.occurredAt])
        raises.push(a)
        for (const v of Object.values(a.facts ?? {})) expect(['number', 'string', 'boolean']).toContain(typeof v)
      } else if (a.type === 'clear') log.push(['clear', a.key, a.at])
    }
    return step
  }
  const observed: RuleKind<P, S> = {
    ...kind,
    init: (...a) => observe(kind.init(...a)),
    onRecord: (...a) => observe(kind.onRecord(...a)),
    onTimer: (...a) => observe(kind.onTimer(...a)),
  }
  const rule: ResolvedRule = { id: kind.kind, kind: kind.kind, title: kind.kind, priority: 'P3', escalations: [], params, impl: observed }
  const ctx: DeviceContext = { subject, rules: [rule] }
  const device = emptyDeviceState()
  const drive = (run: (out: DeviceRunOutput) => void): void => {
    const out = newOutput()
    run(out)
    // evaluate() keeps a kind's throw (or a failed check above) as the rule's error
    if (out.errors.length > 0) throw new Error(out.errors[0]!.message)
  }
  drive((out) => runInit(ctx, device, start, out))
  for (const input of inputs) {
    if ('record' in input) {
      const now = input.now ?? input.record.receivedAt
      drive((out) => {
        advanceTimers(ctx, device, now, out)
        device.clock = Math.max(device.clock, now)
        runRecord(ctx, device, input.record, out)
      })
    } else if ('until' in input) drive((out) => advanceTimers(ctx, device, input.until, out))
    else if ('history' in input) {
      const request = kind.history?.wanted(device.states[rule.id] as S, params, subject)
      if (request === undefined) throw new Error('the state wants no history')
      drive((out) => runHistory(ctx, device, rule.id, request.token, input.history(request), out))
      checkState(device.states[rule.id])
    } else {
      const to = input.outageUntil
      drive((out) => {
        device.clock = Math.max(device.clock, to)
        advanceTimers(ctx, device, to, out)
      })
    }
  }
  const timers = Object.fromEntries(Object.entries(device.timers).map(([id, at]) => [parseTimerId(id).timer, at]))
  return { log, raises, state: device.states[rule.id] as S, timers }
}
