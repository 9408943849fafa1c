/**
 * Calorifier temperatures (HSE L8 / HSG274; docs/domain.md B4 F13, A7): flow < 60 °C or return
 * < 50 °C for more than 30 min (the duration is [D], Lookout's default). A breach begins at the
 * first reading that shows either one low and ends at the first reading that shows both in range;
 * the `breach` timer raises once it has lasted `forMinutes` (key = when it began, occurredAt =
 * begin + forMinutes), and the reading that ends it clears. Judged on the last known readings: a
 * probe that goes silent mid-breach still raises (its silence is H09's business).
 *
 * Readings older than the newest one seen are ignored (out of order). A late timer, or a reading
 * after the due time processed before it, raises what was due then (then the reading may clear it).
 */
import { z } from 'zod'
import type { IngestRecord } from '../../lib/records.ts'
import type { RuleAction, RuleKind, Step } from '../engine/types.ts'
import { finite, MetricName, MINUTE_MS, metricOf, minutes, round } from './common-metric.ts'
import { happenedAt, timerAction, usable } from './evidence.ts'

export const CALORIFIER_TIMER = 'breach'

export const CalorifierParams = z.strictObject({
  flowMetric: MetricName.default('flow_temperature'),
  returnMetric: MetricName.default('return_temperature'),
  /** F13: stored/flow water at least 60 °C. */
  flowMinC: finite('flowMinC').min(0, 'flowMinC must be at least 0 °C').max(100, 'flowMinC must be at most 100 °C').default(60),
  /** F13: return at least 50 °C. */
  returnMinC: finite('returnMinC').min(0, 'returnMinC must be at least 0 °C').max(100, 'returnMinC must be at most 100 °C').default(50),
  forMinutes: minutes('forMinutes', 1440).default(30),
})
export type CalorifierParams = z.infer<typeof CalorifierParams>

export interface CalorifierState {
  v: 1
  flowC: number | null
  returnC: number | null
  /** The newest reading's time, to ignore older ones. */
  lastTs: number | null
  /** When the current breach began, and the alert raised for it. */
  breachSince: number | null
  open: { key: string } | null
}

const fresh = (): Step<CalorifierState> => ({ state: { v: 1, flowC: null, returnC: null, lastTs: null, breachSince: null, open: null }, actions: [] })

function isState(s: Record<string, unknown>): boolean {
  const num = (v: unknown) => v === null || typeof v === 'number'
  return s.v === 1 && num(s.flowC) && num(s.returnC) && num(s.lastTs) && num(s.breachSince) && (s.open === null || typeof s.open === 'object')
}

function inBreach(s: CalorifierState, p: CalorifierParams): boolean {
  return (s.flowC !== null && s.flowC < p.flowMinC) || (s.returnC !== null && s.returnC < p.returnMinC)
}

/** Raises the breach if it had lasted forMinutes by `at`. */
function catchUp(s: CalorifierState, p: CalorifierParams, at: number, actions: RuleAction[]): CalorifierState {
  if (s.breachSince === null || s.open !== null) return s
  const due = s.breachSince + p.forMinutes * MINUTE_MS
  if (at < due) return s
  const key = `${s.breachSince}`
  const facts: Record<string, number> = { flowMinC: p.flowMinC, returnMinC: p.returnMinC, forMinutes: p.forMinutes }
  if (s.flowC !== null) facts.flowC = round(s.flowC, 1)
  if (s.returnC !== null) facts.returnC = round(s.returnC, 1)
  actions.push({ type: 'raise', key, occurredAt: due, facts })
  return { ...s, open: { key } }
}

export const calorifierKind: RuleKind<CalorifierParams, CalorifierState> = {
  kind: 'legionella-calorifier',
  description: 'Calorifier (F13, HSE L8): flow < 60 °C or return < 50 °C for more than 30 min. The reading back in range clears.',
  params: CalorifierParams,

  init(): Step<CalorifierState> {
    return fresh()
  },

  onRecord(state: CalorifierState, record: IngestRecord, p: CalorifierParams, _subject, now: number): Step<CalorifierState> {
    const base = usable(state, isState, fresh)
    const t = happenedAt(record, now)
    const flowC = metricOf(record, p.flowMetric)
    const returnC = metricOf(record, p.returnMetric)
    if (t === undefined || (flowC === undefined && returnC === undefined)) return base
    if (base.state.lastTs !== null && t < base.state.lastTs) return base
    const actions = [...base.actions]
    let s = catchUp(base.state, p, t, actions)
    s = { ...s, flowC: flowC ?? s.flowC, returnC: returnC ?? s.returnC, lastTs: t }
    const breach = inBreach(s, p)
    if (breach && s.breachSince === null) {
      s = { ...s, breachSince: t }
      actions.push(timerAction(CALORIFIER_TIMER, t + p.forMinutes * MINUTE_MS))
    } else if (!breach && s.breachSince !== null) {
      if (s.open !== null) actions.push({ type: 'clear', key: s.open.key, at: t })
      else actions.push(timerAction(CALORIFIER_TIMER, null))
      s = { ...s, breachSince: null, open: null }
    }
    return { state: s, actions }
  },

  onTimer(state: CalorifierState, timer: string, p: CalorifierParams, _subject, now: number): Step<CalorifierState> {
    const base = usable(state, isState, fresh)
    if (timer !== CALORIFIER_TIMER || base.state.breachSince === null) return base
    const actions = [...base.actions]
    const s = catchUp(base.state, p, now, actions)
    if (s.open === null) actions.push(timerAction(CALORIFIER_TIMER, s.breachSince! + p.forMinutes * MINUTE_MS))
    return { state: s, actions }
  },
}
