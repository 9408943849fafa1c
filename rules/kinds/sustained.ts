/**
 * Sustained condition: a metric beyond a limit (strictly above `above` or below `below`) for at least
 * `forMinutes` in total within any rolling `withinMinutes`, optionally counting only time inside a
 * local daily `window` and in local `months`. Sources (docs/domain.md B1, B4): F01 damp, RH > 70 %
 * for > 2 h in any 12 h or > 90 % for > 1 h in 12 h, Oct-Apr; R22 cold home, < 18 °C for > 4 h while
 * occupied 07:00-23:00; R23 hot bedroom, > 26 °C for ≥ 3 h 22:00-07:00; F13 calorifier < 60 °C > 30 min.
 *
 * Time model
 * - A reading's value holds from its ts until the next reading, but never longer than `maxGapMinutes`:
 *   a silent sensor stops accumulating (docs/domain.md E2, ThingsBoard raising a duration
 *   alarm from stale values across a data gap).
 * - Only counted time is stored: held time clipped to the window and months, as merged intervals that
 *   end inside the rolling window. At most MAX_PARTS are kept (see `cap`: the amount stays exact, its
 *   position is kept to within 1 % of the window).
 * - "More than N" and "at least N" differ by one millisecond; the rule fires on reaching forMinutes,
 *   and clears 1 ms after the total, falling, equals clearBelowMinutes (strictly below).
 *
 * Raise and clear
 * - Raises once when the counted time in the rolling window reaches forMinutes. It fires without a
 *   further reading: the time the total would reach the limit if the last reading held for its
 *   maxGap is armed as timer 'sustained' (docs/domain.md E2: time-driven transitions). Key and
 *   occurredAt = that crossing instant, derived from the data (not the decision time), so a retried
 *   timer or a replay raises the same key.
 * - Clears when the counted time in the rolling window falls below `clearBelowMinutes` (default
 *   forMinutes: the rule's own condition is no longer true), again by timer at the projected instant
 *   as held time slides out of the window. A lower clearBelowMinutes adds hysteresis against a total
 *   that hovers at the limit. A sensor that falls silent stops accumulating, so its alert clears in
 *   time too; silence itself is the absence rules' job (H09).
 *
 * Order: readings at or before the last one seen (late, resent) are ignored: held time depends on
 * the next reading. Evaluation happens at max(record ts, last evaluation), so a late record never
 * moves the decision back in time (no clear-then-raise-again flap). Windows are read in the
 * subject's zone with rules/time.ts, across midnight and both daylight-saving nights.
 */
import { z } from 'zod'
import { unchanged, type RuleAction, type RuleKind, type Step, type Subject } from '../engine/types.ts'
import { LocalWindow } from '../time.ts'
import {
  MINUTE_MS,
  Months,
  checkOneSide,
  countedParts,
  finite,
  isBeyond,
  isTs,
  limitOf,
  metricName,
  metricOf,
  minutes,
  objectError,
  round,
  zoneOf,
  type Interval,
} from './common-metric.ts'

/** The one timer this kind arms: the projected raise or clear instant. */
export const SUSTAINED_TIMER = 'sustained'
/** Bound on stored intervals (state size is bounded by this, never by the number of readings). */
export const MAX_PARTS = 256
const MAX_WITHIN_MINUTES = 31 * 24 * 60

export const SustainedParams = z
  .strictObject(
    {
      metric: metricName(),
      above: finite('above').optional(),
      below: finite('below').optional(),
      forMinutes: minutes('forMinutes', MAX_WITHIN_MINUTES),
      withinMinutes: minutes('withinMinutes', MAX_WITHIN_MINUTES),
      window: LocalWindow.optional(),
      months: Months.optional(),
      maxGapMinutes: minutes('maxGapMinutes', 24 * 60).default(60),
      clearBelowMinutes: minutes('clearBelowMinutes', MAX_WITHIN_MINUTES).optional(),
    },
    objectError('params must be an object { metric, above | below, forMinutes, withinMinutes, window?, months?, maxGapMinutes?, clearBelowMinutes? }'),
  )
  .superRefine((p, ctx) => {
    checkOneSide(p, ctx)
    if (p.forMinutes > p.withinMinutes) {
      ctx.addIssue({ code: 'custom', path: ['forMinutes'], message: `forMinutes (${p.forMinutes}) cannot exceed withinMinutes (${p.withinMinutes}): the total could never be reached` })
    }
    if (p.clearBelowMinutes !== undefined && p.clearBelowMinutes > p.forMinutes) {
      ctx.addIssue({ code: 'custom', path: ['clearBelowMinutes'], message: `clearBelowMinutes (${p.clearBelowMinutes}) cannot exceed forMinutes (${p.forMinutes})` })
    }
  })
export type SustainedParams = z.infer<typeof SustainedParams>

export interface SustainedState {
  /** The last reading taken into account: its ts, value, and whether it met the condition. */
  lastTs: number | null
  lastValue: number | null
  lastHeld: boolean
  /** Counted (held, in window, in month) time before lastTs: sorted, merged, ending within the rolling window. */
  counted: Interval[]
  /** The latest time a decision was made at (decisions never go back in time). */
  evaluatedAt: number | null
  /** The open episode's key. */
  active: string | null
  /** When timer 'sustained' is armed for, if it is. */
  timerAt: number | null
}

function empty(): SustainedState {
  return { lastTs: null, lastValue: null, lastHeld: false, counted: [], evaluatedAt: null, active: null, timerAt: null }
}

const nullOrTs = (v: unknown) => v === null || isTs(v)

function read(state: unknown): SustainedState {
  const s = state as Partial<SustainedState> | null
  if (s === null || typeof s !== 'object') return empty()
  const ok =
    nullOrTs(s.lastTs) &&
    nullOrTs(s.lastValue) &&
    typeof s.lastHeld === 'boolean' &&
    Array.isArray(s.counted) &&
    s.counted.length <= MAX_PARTS &&
    s.counted.every((i) => Array.isArray(i) && i.length === 2 && isTs(i[0]) && isTs(i[1]) && i[0] < i[1]) &&
    nullOrTs(s.evaluatedAt) &&
    (s.active === null || typeof s.active === 'string') &&
    nullOrTs(s.timerAt)
  return ok ? (s as SustainedState) : empty()
}

/** Counted time within (t - w, t]. */
export function totalAt(parts: readonly Interval[], t: number, w: number): number {
  let sum = 0
  for (const [a, b] of parts) sum += Math.max(0, Math.min(b, t) - Math.max(a, t - w))
  return sum
}

/**
 * The first instant ≥ `from` at which the total is ≥ `target` (`reach`) or < `target` (`fall`), or
 * null if never. The total is continuous and piecewise linear: its slope is +1 per part covering t
 * and -1 per part covering t - w, changing only at part edges and at part edges plus w. A sweep over
 * those edges finds the crossing exactly in O(n log n).
 */
export function crossing(parts: readonly Interval[], from: number, w: number, target: number, direction: 'reach' | 'fall'): number | null {
  const met = (v: number) => (direction === 'reach' ? v >= target : v < target)
  let total = totalAt(parts, from, w)
  if (met(total)) return from
  let slope = 0
  const edges: [at: number, change: number][] = []
  for (const [a, b] of parts) {
    if (a <= from && from < b) slope += 1
    if (a <= from - w && from - w < b) slope -= 1
    for (const [x, change] of [[a, 1], [b, -1], [a + w, -1], [b + w, 1]] as const) if (x > from) edges.push([x, change])
  }
  edges.sort((x, y) => x[0] - y[0])
  let t = from
  for (const [x, change] of edges) {
    const next = total + slope * (x - t)
    if (met(next) && slope !== 0) {
      const exact = t + (target - total) / slope
      const at = direction === 'reach' ? Math.ceil(exact) : Math.floor(exact) + 1
      return Math.min(x, Math.max(t, at))
    }
    total = next
    t = x
    slope += change
  }
  return null
}

/** Appends parts that start at or after the last stored one ends, merging touching ones. */
function appendParts(counted: readonly Interval[], parts: readonly Interval[]): Interval[] {
  const out: Interval[] = counted.map(([a, b]) => [a, b])
  for (const [a, b] of parts) {
    const last = out[out.length - 1]
    if (last !== undefined && a <= last[1]) last[1] = Math.max(last[1], b)
    else out.push([a, b])
  }
  return out
}

/**
 * Keeps at most MAX_PARTS parts (a value flapping across the limit): the two neighbours spanning the
 * least real time become one part of the same length, centred where their time was. The counted
 * amount stays exact; by pigeonhole every stored part spans under 2 × (window + maxGap) / MAX_PARTS
 * of real time, which bounds how far the rolling total can be off as parts slide out (< 1 %).
 */
function cap(parts: Interval[]): Interval[] {
  while (parts.length > MAX_PARTS) {
    let best = 1
    for (let i = 2; i < parts.length; i++) if (parts[i]![1] - parts[i - 1]![0] < parts[best]![1] - parts[best - 1]![0]) best = i
    const [a1, b1] = parts[best - 1]!
    const [a2, b2] = parts[best]!
    const length = b1 - a1 + (b2 - a2)
    const centre = ((b1 - a1) * (a1 + b1) + (b2 - a2) * (a2 + b2)) / (2 * length)
    const start = Math.round(centre - length / 2)
    parts.splice(best - 1, 2, [start, start + length])
  }
  return parts
}

interface Ctx {
  p: SustainedParams
  zone: string
  w: number
  forMs: number
  clearMs: number
}

function ctxOf(p: SustainedParams, subject: Subject): Ctx {
  return { p, zone: zoneOf(subject), w: p.withinMinutes * MINUTE_MS, forMs: p.forMinutes * MINUTE_MS, clearMs: (p.clearBelowMinutes ?? p.forMinutes) * MINUTE_MS }
}

/** Counted time of the last reading if it holds until its maxGap (it may not: the next reading cuts it). */
function openParts(s: SustainedState, c: Ctx): Interval[] {
  if (!s.lastHeld || s.lastTs === null) return []
  return countedParts(s.lastTs, s.lastTs + c.p.maxGapMinutes * MINUTE_MS, c.zone, c.p.window, c.p.months)
}

/**
 * Decides at `t`: raise or clear, then arms the timer for the next projected transition. `fired`:
 * the timer has just come due, so it is armed again even for the same instant.
 */
function decide(state: SustainedState, t: number, c: Ctx, fired: boolean): Step<SustainedState> {
  const s: SustainedState = { ...state, counted: cap(state.counted.filter(([, b]) => b > t - c.w)) }
  const parts = [...s.counted, ...openParts(s, c)]
  const total = totalAt(parts, t, c.w)
  const actions: RuleAction[] = []
  let active = s.active
  // the armed instant is exact for all time up to t (a later reading only cuts held time after it)
  const due = s.timerAt !== null && s.timerAt <= t ? s.timerAt : t
  if (active === null && total >= c.forMs) {
    active = String(due)
    const facts = { ...(s.lastValue !== null ? { value: s.lastValue } : {}), limit: limitOf(c.p), minutes: round(total / MINUTE_MS), forMinutes: c.p.forMinutes, withinMinutes: c.p.withinMinutes }
    actions.push({ type: 'raise', key: active, occurredAt: due, facts })
  } else if (active !== null && total < c.clearMs) {
    actions.push({ type: 'clear', key: active, at: due })
    active = null
  }
  const next = active === null ? crossing(parts, t, c.w, c.forMs, 'reach') : crossing(parts, t, c.w, c.clearMs, 'fall')
  const timerAt = next !== null && next > t ? next : null
  if (timerAt !== null && (fired || timerAt !== s.timerAt)) actions.push({ type: 'arm', timer: SUSTAINED_TIMER, at: timerAt })
  if (timerAt === null && s.timerAt !== null && !fired) actions.push({ type: 'disarm', timer: SUSTAINED_TIMER })
  return { state: { ...s, active, timerAt, evaluatedAt: t }, actions }
}

function onReading(s: SustainedState, value: number, ts: number, c: Ctx): Step<SustainedState> {
  let counted = s.counted
  if (s.lastHeld && s.lastTs !== null) {
    const end = Math.min(ts, s.lastTs + c.p.maxGapMinutes * MINUTE_MS)
    counted = appendParts(counted, countedParts(s.lastTs, end, c.zone, c.p.window, c.p.months))
  }
  const next: SustainedState = { ...s, lastTs: ts, lastValue: value, lastHeld: isBeyond(value, c.p), counted }
  return decide(next, Math.max(ts, s.evaluatedAt ?? ts), c, false)
}

export const sustainedKind: RuleKind<SustainedParams, SustainedState> = {
  kind: 'sustained',
  description: 'Raises when a metric has been beyond a limit for forMinutes in total within a rolling withinMinutes (optionally only inside a local window and months); clears when the total falls back below the limit.',
  params: SustainedParams,
  init: () => ({ state: empty(), actions: [] }),
  onRecord(state, record, params, subject) {
    const s = read(state)
    const value = metricOf(record, params.metric)
    if (value === undefined) return unchanged(s)
    if (s.lastTs !== null && record.ts <= s.lastTs) return unchanged(s)
    return onReading(s, value, record.ts, ctxOf(params, subject))
  },
  onTimer(state, timer, params, subject, now) {
    const s = read(state)
    if (timer !== SUSTAINED_TIMER || !isTs(now)) return unchanged(s)
    return decide(s, Math.max(now, s.evaluatedAt ?? now, s.lastTs ?? now), ctxOf(params, subject), true)
  },
}
