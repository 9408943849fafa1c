/**
 * Test support for the rule kinds (not a test file): a minimal engine that calls init, onRecord and
 * onTimer in time order, fires armed timers when their time comes (on time, or late after an
 * outage), and logs raise/clear actions. It checks on every step that state is plain JSON and small.
 */
import { DateTime } from 'luxon'
import { expect } from 'vitest'
import type { EventRecord, IngestRecord, TelemetryRecord } from '../../lib/records.ts'
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
  /** The engine was down until `to`: due timers fire then, late. */
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
  const timers: Record<string, number> = {}
  const log: Logged[] = []
  const raises: Extract<RuleAction, { type: 'raise' }>[] = []
  const apply = (step: Step<S>): S => {
    checkState(step.state)
    for (const a of step.actions) {
      if (a.type === 'raise') {
        log.push(['raise', a.key, a.occurredAt])
        raises.push(a)
        for (const v of Object.values(a.facts ?? {})) expect(['number', 'string', 'boolean']).toContain(typeof v)
      } else if (a.type === 'clear') log.push(['clear', a.key, a.at])
      else if (a.type === 'arm') timers[a.timer] = a.at
      else delete timers[a.timer]
    }
    return step.state
  }
  let state = apply(kind.init(params, subject, start))
  const fireUntil = (to: number, late: boolean) => {
    for (let guard = 0; guard < 10_000; guard++) {
      const due = Object.entries(timers).filter(([, t]) => t <= to).sort((a, b) => a[1] - b[1])[0]
      if (due === undefined) return
      const [name, t] = due
      delete timers[name]
      state = apply(kind.onTimer(state, name, params, subject, late ? Math.max(t, to) : t))
    }
    throw new Error('timer loop')
  }
  for (const input of inputs) {
    if ('record' in input) {
      const now = input.now ?? input.record.receivedAt
      fireUntil(now, false)
      state = apply(kind.onRecord(state, input.record, params, subject, now))
    } else if ('until' in input) fireUntil(input.until, false)
    else if ('history' in input) {
      const request = kind.history?.wanted(state, params, subject)
      if (request === undefined) throw new Error('the state wants no history')
      state = kind.history!.apply(state, params, subject, request.token, input.history(request))
      checkState(state)
    } else fireUntil(input.outageUntil, true)
  }
  return { log, raises, state, timers }
}
