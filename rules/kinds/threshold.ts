/**
 * Threshold with hysteresis: a metric beyond a limit (strictly above `above` or below `below`) for
 * `minReadings` consecutive readings raises once per episode; the episode clears only when the value
 * reaches `clearAt` on the other side of a dead band (so a value hovering at the limit does not flap:
 * docs/domain.md E1 on missing hysteresis, Kapacitor's reset lambdas; ThingsBoard's explicit
 * clear condition). Typical use: R22's "any reading < 10 °C → P2" (docs/domain.md B1), B0's
 * environmental temperature extremes; rules/kinds/sustained.ts covers "for more than N hours".
 *
 * - Raise key = ts of the first reading beyond the limit in the run; occurredAt is that ts too.
 * - Clear at the ts of the first reading at or past `clearAt` (above: value ≤ clearAt; below: ≥).
 * - Readings at or before the last one seen (late or resent) are ignored: runs depend on order.
 * - No timers: every transition is driven by a reading.
 */
import { z } from 'zod'
import { unchanged, type RuleKind, type Step } from '../engine/types.ts'
import { checkOneSide, finite, objectError, isBeyond, isTs, limitOf, metricName, metricOf } from './common-metric.ts'

export const ThresholdParams = z
  .strictObject(
    {
      metric: metricName(),
      above: finite('above').optional(),
      below: finite('below').optional(),
      clearAt: finite('clearAt'),
      minReadings: z
        .number({ error: 'minReadings must be a number' })
        .int('minReadings must be a whole number')
        .min(1, 'minReadings must be at least 1')
        .max(100, 'minReadings must be at most 100')
        .default(1),
    },
    objectError('params must be an object { metric, above | below, clearAt, minReadings? }'),
  )
  .superRefine((p, ctx) => {
    checkOneSide(p, ctx)
    if (p.above !== undefined && p.below === undefined && !(p.clearAt < p.above)) {
      ctx.addIssue({ code: 'custom', path: ['clearAt'], message: `clearAt (${p.clearAt}) must be less than above (${p.above}): the value falls back to it to clear` })
    }
    if (p.below !== undefined && p.above === undefined && !(p.clearAt > p.below)) {
      ctx.addIssue({ code: 'custom', path: ['clearAt'], message: `clearAt (${p.clearAt}) must be greater than below (${p.below}): the value rises back to it to clear` })
    }
  })
export type ThresholdParams = z.infer<typeof ThresholdParams>

export interface ThresholdState {
  /** ts of the last reading taken into account. */
  lastTs: number | null
  /** Consecutive readings beyond the limit while no episode is open, and the ts of the first. */
  run: number
  runStart: number | null
  /** The open episode's key. */
  active: string | null
}

function empty(): ThresholdState {
  return { lastTs: null, run: 0, runStart: null, active: null }
}

function read(state: unknown): ThresholdState {
  const s = state as Partial<ThresholdState> | null
  if (s === null || typeof s !== 'object') return empty()
  const ok =
    (s.lastTs === null || isTs(s.lastTs)) &&
    typeof s.run === 'number' &&
    Number.isInteger(s.run) &&
    s.run >= 0 &&
    (s.runStart === null || isTs(s.runStart)) &&
    (s.active === null || typeof s.active === 'string')
  return ok ? (s as ThresholdState) : empty()
}

function isCleared(value: number, p: ThresholdParams): boolean {
  return p.above !== undefined ? value <= p.clearAt : value >= p.clearAt
}

function step(s: ThresholdState, value: number, ts: number, p: ThresholdParams): Step<ThresholdState> {
  if (s.active !== null) {
    if (!isCleared(value, p)) return { state: { ...s, lastTs: ts }, actions: [] }
    return { state: { lastTs: ts, run: 0, runStart: null, active: null }, actions: [{ type: 'clear', key: s.active, at: ts }] }
  }
  if (!isBeyond(value, p)) return { state: { lastTs: ts, run: 0, runStart: null, active: null }, actions: [] }
  const run = s.run + 1
  const runStart = s.runStart ?? ts
  if (run < p.minReadings) return { state: { lastTs: ts, run, runStart, active: null }, actions: [] }
  const key = String(runStart)
  return {
    state: { lastTs: ts, run: 0, runStart: null, active: key },
    actions: [{ type: 'raise', key, occurredAt: runStart, facts: { value, limit: limitOf(p), clearAt: p.clearAt, readings: run } }],
  }
}

export const thresholdKind: RuleKind<ThresholdParams, ThresholdState> = {
  kind: 'threshold',
  description: 'Raises when a metric is beyond a limit for minReadings consecutive readings; clears when it reaches clearAt (hysteresis).',
  params: ThresholdParams,
  init: () => ({ state: empty(), actions: [] }),
  onRecord(state, record, params) {
    const s = read(state)
    const value = metricOf(record, params.metric)
    if (value === undefined) return unchanged(s)
    if (s.lastTs !== null && record.ts <= s.lastTs) return unchanged(s)
    return step(s, value, record.ts, params)
  },
  onTimer: (state) => unchanged(read(state)),
}
