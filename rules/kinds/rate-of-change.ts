/**
 * Rate of change: a metric rising by at least `risePerMinute` (or falling by `fallPerMinute`) per
 * minute over `overMinutes`. Source: docs/domain.md B0/B1 R06, temperature rate of rise near a
 * cooker (SCAIP stc 0126, Moray fact sheet), P1 near a cooker.
 *
 * - Rate = (newest - oldest) / elapsed, where oldest is the oldest reading at or after
 *   newest.ts - overMinutes. It is only computed when the two are at least overMinutes / 2 apart, so
 *   a short history (start-up, after a gap) cannot inflate it: 1 °C of jitter between two readings
 *   10 s apart is not 6 °C/min. Devices must therefore report at least every overMinutes.
 * - Raises when the rate reaches the limit (key and occurredAt = that reading's ts). One episode at a
 *   time: a rise episode clears before a fall can raise, and the reverse.
 * - Clears when a reading's rate falls back below half the limit (hysteresis), or, with no reading
 *   keeping it at half the limit or more, overMinutes after the last one that did: timer 'quiet'
 *   (a sensor that stops reporting mid-rise does not hold the alert open for ever).
 * - Readings at or before the last one seen are ignored (the rate depends on order). At most
 *   MAX_READINGS recent readings are kept; beyond that the one closest to its predecessor is dropped
 *   (never the oldest or the newest), so the state is bounded whatever the reporting rate.
 */
import { z } from 'zod'
import { unchanged, type RuleAction, type RuleKind, type Step } from '../engine/types.ts'
import { MINUTE_MS, finite, isTs, metricName, metricOf, minutes, objectError, round } from './common-metric.ts'

export const RATE_TIMER = 'quiet'
export const MAX_READINGS = 64

function perMinute(field: string) {
  return finite(field).positive(`${field} must be more than 0 (a change per minute)`)
}

export const RateOfChangeParams = z
  .strictObject(
    {
      metric: metricName(),
      risePerMinute: perMinute('risePerMinute').optional(),
      fallPerMinute: perMinute('fallPerMinute').optional(),
      overMinutes: minutes('overMinutes', 24 * 60),
    },
    objectError('params must be an object { metric, risePerMinute? , fallPerMinute?, overMinutes }'),
  )
  .superRefine((p, ctx) => {
    if (p.risePerMinute === undefined && p.fallPerMinute === undefined) {
      ctx.addIssue({ code: 'custom', path: ['risePerMinute'], message: 'risePerMinute or fallPerMinute is required' })
    }
  })
export type RateOfChangeParams = z.infer<typeof RateOfChangeParams>

export type Direction = 'rise' | 'fall'

export interface RateEpisode {
  key: string
  direction: Direction
  /** ts of the last reading whose rate was at least half the limit. */
  lastHighAt: number
}

export interface RateOfChangeState {
  /** Recent readings [ts, value], oldest first, none older than overMinutes before the newest. */
  readings: [ts: number, value: number][]
  episode: RateEpisode | null
  /** When timer 'quiet' is armed for, if it is. */
  timerAt: number | null
}

function empty(): RateOfChangeState {
  return { readings: [], episode: null, timerAt: null }
}

function read(state: unknown): RateOfChangeState {
  const s = state as Partial<RateOfChangeState> | null
  if (s === null || typeof s !== 'object') return empty()
  const e = s.episode as Partial<RateEpisode> | null | undefined
  const ok =
    Array.isArray(s.readings) &&
    s.readings.length <= MAX_READINGS &&
    s.readings.every((r) => Array.isArray(r) && r.length === 2 && isTs(r[0]) && isTs(r[1])) &&
    (e === null || (typeof e === 'object' && typeof e.key === 'string' && (e.direction === 'rise' || e.direction === 'fall') && isTs(e.lastHighAt))) &&
    (s.timerAt === null || isTs(s.timerAt))
  return ok ? (s as RateOfChangeState) : empty()
}

function limitOf(p: RateOfChangeParams, d: Direction): number | undefined {
  return d === 'rise' ? p.risePerMinute : p.fallPerMinute
}

/** Drops the interior reading closest to its predecessor until at most MAX_READINGS remain. */
function thin(readings: [number, number][]): [number, number][] {
  while (readings.length > MAX_READINGS) {
    let best = 1
    for (let i = 2; i < readings.length - 1; i++) if (readings[i]![0] - readings[i - 1]![0] < readings[best]![0] - readings[best - 1]![0]) best = i
    readings.splice(best, 1)
  }
  return readings
}

interface Rate {
  perMinute: number
  change: number
  minutes: number
}

/** The rate between the oldest and newest readings, if they span at least half of overMinutes. */
function rateOf(readings: readonly [number, number][], overMs: number): Rate | null {
  const oldest = readings[0]
  const newest = readings[readings.length - 1]
  if (oldest === undefined || newest === undefined) return null
  const span = newest[0] - oldest[0]
  if (span <= 0 || span < overMs / 2) return null
  const change = newest[1] - oldest[1]
  return { perMinute: change / (span / MINUTE_MS), change, minutes: span / MINUTE_MS }
}

function timerActions(before: number | null, after: number | null): RuleAction[] {
  if (after !== null && after !== before) return [{ type: 'arm', timer: RATE_TIMER, at: after }]
  if (after === null && before !== null) return [{ type: 'disarm', timer: RATE_TIMER }]
  return []
}

function onReading(s: RateOfChangeState, value: number, ts: number, p: RateOfChangeParams): Step<RateOfChangeState> {
  const overMs = p.overMinutes * MINUTE_MS
  const readings = thin([...s.readings.filter(([t]) => t >= ts - overMs), [ts, value]])
  const rate = rateOf(readings, overMs)
  const actions: RuleAction[] = []
  let episode = s.episode
  if (episode !== null && rate !== null) {
    const limit = limitOf(p, episode.direction) ?? Number.POSITIVE_INFINITY
    const signed = episode.direction === 'rise' ? rate.perMinute : -rate.perMinute
    if (signed >= limit / 2) episode = { ...episode, lastHighAt: ts }
    else {
      actions.push({ type: 'clear', key: episode.key, at: ts })
      episode = null
    }
  }
  if (episode === null && rate !== null) {
    for (const direction of ['rise', 'fall'] as const) {
      const limit = limitOf(p, direction)
      const signed = direction === 'rise' ? rate.perMinute : -rate.perMinute
      if (limit === undefined || signed < limit) continue
      episode = { key: String(ts), direction, lastHighAt: ts }
      // signed as measured: a fall of 2 °C/min against a 1.5 limit reads rate -2, limit -1.5
      const facts = { direction, rate: round(rate.perMinute, 2), limit: direction === 'rise' ? limit : -limit, change: round(rate.change, 2), minutes: round(rate.minutes) }
      actions.push({ type: 'raise', key: episode.key, occurredAt: ts, facts })
      break
    }
  }
  const timerAt = episode === null ? null : episode.lastHighAt + overMs
  actions.push(...timerActions(s.timerAt, timerAt))
  return { state: { readings, episode, timerAt }, actions }
}

export const rateOfChangeKind: RuleKind<RateOfChangeParams, RateOfChangeState> = {
  kind: 'rate-of-change',
  description: 'Raises when a metric rises (or falls) by at least a limit per minute over overMinutes; clears below half the limit or after overMinutes without such a rise.',
  params: RateOfChangeParams,
  init: () => ({ state: empty(), actions: [] }),
  onRecord(state, record, params) {
    const s = read(state)
    const value = metricOf(record, params.metric)
    if (value === undefined) return unchanged(s)
    const last = s.readings[s.readings.length - 1]
    if (last !== undefined && record.ts <= last[0]) return unchanged(s)
    return onReading(s, value, record.ts, params)
  },
  onTimer(state, timer, params, _subject, now) {
    const s = read(state)
    if (timer !== RATE_TIMER || s.episode === null || !isTs(now)) return unchanged(s)
    const due = s.episode.lastHighAt + params.overMinutes * MINUTE_MS
    if (now < due) return { state: { ...s, timerAt: due }, actions: [{ type: 'arm', timer: RATE_TIMER, at: due }] }
    return { state: { ...s, episode: null, timerAt: null }, actions: [{ type: 'clear', key: s.episode.key, at: due }] }
  },
}
