/**
 * Personal baseline: a count per occurrence of a local window compared with the person's own recent
 * normal (docs/domain.md B3 method after R15-R21; Skubic 2015 "personalised normals").
 *
 * Per occurrence (a night 22:00-07:00 keyed by its evening, or a day window) the kind counts
 * episodes of matching events: events less than `mergeWithinMinutes` apart merge into one (R15:
 * bathroom PIR triggers < 5 min apart are one visit; 0 counts every event, R16). At the
 * occurrence's end it decides, pushes the count into a history of the last `historyDays` valid
 * periods (default 14, 7-28) and arms the next end.
 *
 * Decision, against the history before this period:
 * - up (R15 night bathroom visits, R18, R21): deviant when count ≥ median + max(minDelta, k × MAD),
 *   R15 exactly: median + max(2, 3×MAD). B3 step 3 reads the same score as (x − median) /
 *   (1.4826·MAD) ≥ 3: set `madScale: 1.4826` for that reading (default 1, R15 literal).
 * - down (R16 kitchen activity): with `ratioBelow` (R16: 0.5) deviant when count < ratioBelow ×
 *   median; without it, when count ≤ median − max(minDelta, k × MAD).
 * - MAD = 0 (a very regular person, e.g. 1 visit every night): the minDelta floor applies, so the
 *   threshold is median ± minDelta, never the median itself (minDelta must be > 0). A median of 0
 *   gives 'down' nothing to fall from: it never fires.
 * - Alert when at least `required.atLeast` of the last `required.of` valid periods are deviant and
 *   this one is (R15: 2 of 3 consecutive nights): key = the occurrence's local date, one alert per
 *   episode; cleared at a period end once fewer than atLeast of the last `of` are deviant.
 * - Cold start (B3 step 4): no decision until `coldStartDays` (default 7) valid periods are in the
 *   history.
 *
 * Valid periods: B3 excludes days the person was away or in hospital. The contract carries no away
 * flag, so a period in which the device sent nothing at all (no record of any kind with a time inside
 * the occurrence: no event, heartbeat or telemetry) is marked invalid and skipped: it neither enters
 * the history nor counts in the 2-of-3 run. A sensor that sends only its trigger events therefore
 * has no valid zero-count periods; `requireAnyRecord: false` counts every period.
 *
 * Periods are judged when their end passes, by the timer or by a later record; a late timer judges
 * the watched period and skips the ones that passed unseen (no records: invalid), so an outage of
 * days gives at most one decision, and at most one raise per occurrence. Matching events older than
 * the last one counted in the period (out of order) are ignored: placing them would need every
 * timestamp of the period; a duplicate (same ts) is the same event.
 *
 * History already stored: a fresh state asks for the periods before it from InfluxDB, so a baseline
 * enabled for a device with weeks of data decides from its first period (baseline-history.ts).
 */
import { z } from 'zod'
import type { IngestRecord } from '../../lib/records.ts'
import type { RuleAction, RuleKind, Step, Subject } from '../engine/types.ts'
import { LocalWindow } from '../time.ts'
import { finite, MINUTE_MS, round, zoneOf } from './common-metric.ts'
import { eventTypes, fromDevice, happenedAt, isEventOf, timerAction, usable } from './evidence.ts'
import { baselineHistory } from './baseline-history.ts'
import { firstFullOccurrence, isOccurrence, occurrenceAfter, occurrenceAt, type Occurrence } from './occurrence.ts'
import { mad, median, robustScore } from './stats.ts'

export const BASELINE_TIMER = 'period-end'

function int(field: string, min: number, max: number) {
  return z.number({ error: `${field} must be a whole number` }).int(`${field} must be a whole number`).min(min, `${field} must be at least ${min}`).max(max, `${field} must be at most ${max}`)
}

export const BaselineParams = z
  .strictObject({
    match: z.strictObject({ eventTypes: eventTypes('match.eventTypes') }, { error: (issue) => (issue.code === 'invalid_type' ? 'match must be { "eventTypes": [...] }: the events counted' : undefined) }),
    /** R15/R18/R21 nights 22:00-07:00; R16 a day window. */
    window: LocalWindow,
    direction: z.enum(['up', 'down'], { error: 'direction must be "up" (R15: more than usual) or "down" (R16: less than usual)' }),
    mergeWithinMinutes: finite('mergeWithinMinutes').min(0, 'mergeWithinMinutes must be 0 or more').max(1440, 'mergeWithinMinutes must be at most 1440').default(5),
    historyDays: int('historyDays', 7, 28).default(14),
    coldStartDays: int('coldStartDays', 1, 28).default(7),
    k: finite('k').positive('k must be more than 0').default(3),
    madScale: finite('madScale').min(1, 'madScale must be at least 1 (1: R15 "3×MAD"; 1.4826: B3 robust score)').max(2, 'madScale must be at most 2').default(1),
    minDelta: finite('minDelta').positive('minDelta must be more than 0 (with MAD 0 it is the whole margin)').default(2),
    ratioBelow: finite('ratioBelow').gt(0, 'ratioBelow must be more than 0').lt(1, 'ratioBelow must be less than 1 (R16: 0.5)').optional(),
    required: z
      .strictObject(
        { of: int('required.of', 1, 7), atLeast: int('required.atLeast', 1, 7) },
        { error: (issue) => (issue.code === 'invalid_type' ? 'required must be { "of": 3, "atLeast": 2 } (2 of 3 consecutive periods)' : undefined) },
      )
      .default({ of: 3, atLeast: 2 }),
    requireAnyRecord: z.boolean({ error: 'requireAnyRecord must be true or false' }).default(true),
  })
  .superRefine((p, ctx) => {
    if (p.coldStartDays > p.historyDays) ctx.addIssue({ code: 'custom', path: ['coldStartDays'], message: `coldStartDays must be at most historyDays (${p.historyDays})` })
    if (p.required.atLeast > p.required.of) ctx.addIssue({ code: 'custom', path: ['required', 'atLeast'], message: `required.atLeast must be at most required.of (${p.required.of})` })
    if (p.ratioBelow !== undefined && p.direction !== 'down') ctx.addIssue({ code: 'custom', path: ['ratioBelow'], message: 'ratioBelow applies to direction "down" only' })
  })
export type BaselineParams = z.infer<typeof BaselineParams>

export interface BaselineState {
  v: 1
  /** The occurrence being counted. */
  occ: Occurrence
  /** Episodes so far in it, and the time of the last matching event (for merging). */
  count: number
  lastEventTs: number | null
  /** Whether the device sent anything during it. */
  valid: boolean
  /** Counts of the last `historyDays` valid periods, oldest first. */
  history: number[]
  /** Deviant or not, for the last `required.of` valid periods, oldest first. */
  recent: boolean[]
  open: { key: string } | null
  /**
   * Set on a fresh state: the history of periods that ended before this time has not been read from
   * InfluxDB yet (baseline-history.ts). Removed once it has (even if there was none).
   */
  backfill?: number | undefined
}

export interface Verdict {
  deviant: boolean
  median: number
  mad: number
  threshold: number
  score?: number | undefined
}

/** The decision for one period's count against the history before it; undefined in the cold start. */
export function judgePeriod(count: number, history: readonly number[], p: BaselineParams): Verdict | undefined {
  if (history.length < p.coldStartDays || history.length === 0) return undefined
  const med = median(history)
  const d = mad(history, med)
  const margin = Math.max(p.minDelta, p.k * p.madScale * d)
  const score = robustScore(count, med, d)
  if (p.direction === 'up') return { deviant: count >= med + margin, median: med, mad: d, threshold: med + margin, score }
  if (p.ratioBelow !== undefined) return { deviant: count < p.ratioBelow * med, median: med, mad: d, threshold: p.ratioBelow * med, score }
  return { deviant: count <= med - margin, median: med, mad: d, threshold: med - margin, score }
}

function resetCount(s: BaselineState, occ: Occurrence): BaselineState {
  return { ...s, occ, count: 0, lastEventTs: null, valid: false }
}

/** Judges the watched period at its end: decide, push into the history, raise or clear. */
function close(s: BaselineState, p: BaselineParams, actions: RuleAction[]): BaselineState {
  if (p.requireAnyRecord && !s.valid) return s
  const verdict = judgePeriod(s.count, s.history, p)
  const deviant = verdict?.deviant ?? false
  const recent = [...s.recent, deviant].slice(-p.required.of)
  const hits = recent.filter(Boolean).length
  let open = s.open
  if (open === null && verdict !== undefined && deviant && hits >= p.required.atLeast) {
    const facts: Record<string, number> = {
      count: s.count,
      median: round(verdict.median, 2),
      mad: round(verdict.mad, 2),
      threshold: round(verdict.threshold, 2),
      deviantPeriods: hits,
      of: p.required.of,
      validPeriods: s.history.length,
    }
    if (verdict.score !== undefined) facts.score = round(verdict.score, 2)
    actions.push({ type: 'raise', key: s.occ.key, occurredAt: s.occ.end, facts })
    open = { key: s.occ.key }
  } else if (open !== null && hits < p.required.atLeast) {
    actions.push({ type: 'clear', key: open.key, at: s.occ.end })
    open = null
  }
  return { ...s, history: [...s.history, s.count].slice(-p.historyDays), recent, open }
}

/** Closes every period that ended by `at` (bounded; unseen periods are invalid unless requireAnyRecord is off). */
function advance(state: BaselineState, p: BaselineParams, zone: string, at: number): { state: BaselineState; actions: RuleAction[] } {
  const actions: RuleAction[] = []
  let s = state
  const limit = p.historyDays + p.required.of + 1
  for (let i = 0; s.occ.end <= at && i < limit; i++) {
    s = resetCount(close(s, p, actions), occurrenceAfter(s.occ, zone, p.window))
    if (p.requireAnyRecord) break
  }
  if (s.occ.end <= at) s = resetCount(s, occurrenceAt(at, zone, p.window))
  return { state: s, actions }
}

function isState(s: Record<string, unknown>): boolean {
  return (
    s.v === 1 &&
    isOccurrence(s.occ) &&
    typeof s.count === 'number' &&
    (s.lastEventTs === null || typeof s.lastEventTs === 'number') &&
    typeof s.valid === 'boolean' &&
    Array.isArray(s.history) &&
    Array.isArray(s.recent) &&
    (s.open === null || typeof s.open === 'object')
  )
}

function initStep(p: BaselineParams, subject: Subject, now: number): Step<BaselineState> {
  const occ = firstFullOccurrence(now, zoneOf(subject), p.window)
  return {
    state: { v: 1, occ, count: 0, lastEventTs: null, valid: false, history: [], recent: [], open: null, backfill: now },
    actions: [timerAction(BASELINE_TIMER, occ.end)],
  }
}

export const baselineKind: RuleKind<BaselineParams, BaselineState> = {
  kind: 'baseline',
  description:
    'Personal baseline (R15-R21, B3 method): episodes per local window occurrence against the rolling median/MAD of the last 14 valid periods; alert on 2 of 3 deviant periods after a 7-period cold start.',
  params: BaselineParams,

  init: initStep,

  onRecord(state: BaselineState, record: IngestRecord, p: BaselineParams, subject: Subject, now: number): Step<BaselineState> {
    const base = usable(state, isState, () => initStep(p, subject, now))
    const t = happenedAt(record, now)
    if (t === undefined || !fromDevice(record)) return base
    const before = base.state
    const adv = advance(before, p, zoneOf(subject), t)
    let s = adv.state
    const actions = [...base.actions, ...adv.actions]
    if (t >= s.occ.start && t < s.occ.end) {
      s = { ...s, valid: true }
      if (isEventOf(record, p.match.eventTypes)) {
        const last = s.lastEventTs
        if (last === null || (t > last && t - last >= p.mergeWithinMinutes * MINUTE_MS)) s = { ...s, count: s.count + 1, lastEventTs: t }
        else if (t >= last) s = { ...s, lastEventTs: t }
      }
    }
    if (s.occ.end !== before.occ.end) actions.push(timerAction(BASELINE_TIMER, s.occ.end))
    return { state: s, actions }
  },

  onTimer(state: BaselineState, timer: string, p: BaselineParams, subject: Subject, now: number): Step<BaselineState> {
    const base = usable(state, isState, () => initStep(p, subject, now))
    if (timer !== BASELINE_TIMER) return base
    const adv = advance(base.state, p, zoneOf(subject), now)
    return { state: adv.state, actions: [...base.actions, ...adv.actions, timerAction(BASELINE_TIMER, adv.state.occ.end)] }
  },

  history: baselineHistory,
}
