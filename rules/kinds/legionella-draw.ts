/**
 * Legionella outlet temperature test per draw (HSE L8 / HSG274; docs/domain.md B4 F12, F14, A7):
 * - hot (F12): the outlet must reach `minC` (default 50 °C; 55 °C in care settings) within
 *   `afterSeconds` (default 60) of the flow starting;
 * - cold (F14): it must be at or below `maxC` (default 20 °C) within `afterSeconds` (default 120).
 *
 * A draw starts at a flow event, or at a temperature change (legionella-flow.ts). Readings from
 * the start to start + afterSeconds + graceSeconds count (grace, default 30 s, allows for the probe's
 * sampling and reporting delay); the best of them decides (hot: the highest, cold: the lowest), so a
 * reading that meets the limit passes the draw at once. The check timer `draw-check` fires at the end
 * of that span and fails the draw if no reading met the limit: raise key = the flow start (ms),
 * occurredAt = start + afterSeconds. A draw with no reading at all gives no verdict (a silent probe is
 * H09's business), and a flow-stopped event before afterSeconds cancels the draw (too short to be a
 * test); a stop after it judges the readings so far.
 *
 * One alert per episode: while an alert is open, further failing draws do not raise; a passing draw
 * clears it (auto-restore). F12 "P2 if repeated 3 days": once failing draws have happened on
 * `escalateAfterDays` (default 3) distinct local dates without a pass, a second alert
 * `<key>:repeated` is raised for the engine to route at the higher priority.
 *
 * A draw is judged for the time it was due: a late timer, or a record after the check time, judges it
 * from the readings within its span. Flow starts not later than the last one (duplicates, out of
 * order) are ignored; so are readings outside the draw's span.
 */
import { z } from 'zod'
import type { IngestRecord } from '../../lib/records.ts'
import type { RuleAction, RuleKind, Step, Subject } from '../engine/types.ts'
import { localDate } from '../time.ts'
import { finite, MetricName, metricOf, round, zoneOf } from './common-metric.ts'
import { eventTypes, happenedAt, isEventOf, timerAction, usable } from './evidence.ts'
import { drawStartOf, flowStart, isReading, latestReading, type FlowStart, type Reading } from './legionella-flow.ts'

export const DRAW_TIMER = 'draw-check'

export interface LegionellaDrawParams {
  outlet: 'hot' | 'cold'
  metric: string
  /** hot: the minimum to reach (minC); cold: the maximum to get down to (maxC). */
  limitC: number
  afterSeconds: number
  graceSeconds: number
  flowStart: FlowStart
  flowStopEventTypes: string[]
  escalateAfterDays: number
}

const celsius = (field: string) => finite(field).min(-20, `${field} must be at least -20 °C`).max(100, `${field} must be at most 100 °C`)
const seconds = (field: string, max: number) => finite(field).min(0, `${field} must be 0 or more seconds`).max(max, `${field} must be at most ${max} seconds`)

export const LegionellaDrawParams = z
  .strictObject({
    outlet: z.enum(['hot', 'cold'], { error: 'outlet must be "hot" (F12) or "cold" (F14)' }).default('hot'),
    metric: MetricName.default('water_temperature'),
    minC: celsius('minC').optional(),
    maxC: celsius('maxC').optional(),
    afterSeconds: seconds('afterSeconds', 3600).positive('afterSeconds must be more than 0').optional(),
    graceSeconds: seconds('graceSeconds', 600).default(30),
    flowStart: flowStart(),
    flowStopEventTypes: eventTypes('flowStopEventTypes').default(['water.flow_stopped']),
    escalateAfterDays: z.number({ error: 'escalateAfterDays must be a whole number' }).int('escalateAfterDays must be a whole number').min(2, 'escalateAfterDays must be at least 2').max(30, 'escalateAfterDays must be at most 30').default(3),
  })
  .superRefine((p, ctx) => {
    if (p.outlet === 'hot' && p.maxC !== undefined) ctx.addIssue({ code: 'custom', path: ['maxC'], message: 'maxC is for a cold outlet (F14); a hot outlet takes minC (F12)' })
    if (p.outlet === 'cold' && p.minC !== undefined) ctx.addIssue({ code: 'custom', path: ['minC'], message: 'minC is for a hot outlet (F12); a cold outlet takes maxC (F14)' })
  })
  .transform(
    (p): LegionellaDrawParams => ({
      outlet: p.outlet,
      metric: p.metric,
      limitC: p.outlet === 'hot' ? (p.minC ?? 50) : (p.maxC ?? 20),
      afterSeconds: p.afterSeconds ?? (p.outlet === 'hot' ? 60 : 120),
      graceSeconds: p.graceSeconds,
      flowStart: p.flowStart,
      flowStopEventTypes: p.flowStopEventTypes,
      escalateAfterDays: p.escalateAfterDays,
    }),
  )

export interface LegionellaDrawState {
  v: 1
  /** The draw under test: its start, when it is judged, and the best reading so far. */
  draw: { start: number; checkAt: number; best: number | null; readings: number } | null
  /** The start of the last draw (duplicates and older flow starts are ignored). */
  lastStart: number | null
  /** The newest reading, for detecting a draw from a temperature change. */
  prev: Reading | null
  open: { key: string; escalated: boolean } | null
  /** Failing draws since the last pass: on how many local dates, and the latest. */
  run: { lastDate: string; days: number } | null
}

const meets = (p: LegionellaDrawParams, value: number) => (p.outlet === 'hot' ? value >= p.limitC : value <= p.limitC)
const better = (p: LegionellaDrawParams, a: number, b: number) => (p.outlet === 'hot' ? Math.max(a, b) : Math.min(a, b))

/** Judges the draw under test at `at`: pass clears, fail raises (once per episode) and may escalate. */
function verdict(state: LegionellaDrawState, p: LegionellaDrawParams, zone: string, at: number, actions: RuleAction[]): LegionellaDrawState {
  const draw = state.draw
  let s: LegionellaDrawState = { ...state, draw: null }
  actions.push(timerAction(DRAW_TIMER, null))
  if (draw === null || draw.best === null) return s
  if (meets(p, draw.best)) {
    if (s.open !== null) {
      actions.push({ type: 'clear', key: s.open.key, at })
      if (s.open.escalated) actions.push({ type: 'clear', key: `${s.open.key}:repeated`, at })
    }
    return { ...s, open: null, run: null }
  }
  const date = localDate(draw.start, zone)
  const run = s.run === null ? { lastDate: date, days: 1 } : s.run.lastDate === date ? s.run : { lastDate: date, days: s.run.days + 1 }
  s = { ...s, run }
  const occurredAt = draw.start + p.afterSeconds * 1000
  if (s.open === null) {
    const key = `${draw.start}`
    actions.push({
      type: 'raise',
      key,
      occurredAt,
      facts: { outlet: p.outlet, limitC: p.limitC, reachedC: round(draw.best, 1), afterSeconds: p.afterSeconds, readings: draw.readings, failDays: run.days },
    })
    s = { ...s, open: { key, escalated: false } }
  }
  if (s.open !== null && !s.open.escalated && run.days >= p.escalateAfterDays) {
    actions.push({ type: 'raise', key: `${s.open.key}:repeated`, occurredAt, facts: { outlet: p.outlet, failDays: run.days, escalateAfterDays: p.escalateAfterDays } })
    s = { ...s, open: { ...s.open, escalated: true } }
  }
  return s
}

function isState(s: Record<string, unknown>): boolean {
  return (
    s.v === 1 &&
    (s.draw === null || typeof s.draw === 'object') &&
    (s.lastStart === null || typeof s.lastStart === 'number') &&
    isReading(s.prev) &&
    (s.open === null || typeof s.open === 'object') &&
    (s.run === null || typeof s.run === 'object')
  )
}

const fresh = (): Step<LegionellaDrawState> => ({ state: { v: 1, draw: null, lastStart: null, prev: null, open: null, run: null }, actions: [] })

export const legionellaDrawKind: RuleKind<LegionellaDrawParams, LegionellaDrawState> = {
  kind: 'legionella-draw',
  description: 'Legionella outlet test per draw (F12 hot ≥ 50 °C within 60 s; F14 cold ≤ 20 °C within 120 s; HSE L8/HSG274). A passing draw clears; failures on 3 days raise a repeat alert.',
  params: LegionellaDrawParams,

  init(): Step<LegionellaDrawState> {
    return fresh()
  },

  onRecord(state: LegionellaDrawState, record: IngestRecord, p: LegionellaDrawParams, subject: Subject, now: number): Step<LegionellaDrawState> {
    const base = usable(state, isState, fresh)
    const t = happenedAt(record, now)
    if (t === undefined) return base
    const zone = zoneOf(subject)
    const actions = [...base.actions]
    let s = base.state
    // a draw whose span has passed is judged first, from its own readings (the timer was late)
    if (s.draw !== null && t > s.draw.checkAt) s = verdict(s, p, zone, s.draw.checkAt, actions)
    if (s.draw !== null && isEventOf(record, p.flowStopEventTypes) && t >= s.draw.start) {
      if (t >= s.draw.start + p.afterSeconds * 1000) s = verdict(s, p, zone, t, actions)
      else {
        s = { ...s, draw: null }
        actions.push(timerAction(DRAW_TIMER, null))
      }
    }
    const start = drawStartOf(record, t, p.flowStart, p.metric, s.prev, p.outlet === 'hot' ? 'rise' : 'either')
    if (start !== undefined && s.draw === null && (s.lastStart === null || start > s.lastStart)) {
      const checkAt = start + (p.afterSeconds + p.graceSeconds) * 1000
      s = { ...s, draw: { start, checkAt, best: null, readings: 0 }, lastStart: start }
      actions.push(timerAction(DRAW_TIMER, checkAt))
    }
    const value = metricOf(record, p.metric)
    if (value !== undefined && s.draw !== null && t >= s.draw.start && t <= s.draw.checkAt) {
      const best = s.draw.best === null ? value : better(p, s.draw.best, value)
      s = { ...s, draw: { ...s.draw, best, readings: s.draw.readings + 1 } }
      if (meets(p, value)) s = verdict(s, p, zone, t, actions)
    }
    s = { ...s, prev: latestReading(s.prev, record, t, p.metric) }
    return { state: s, actions }
  },

  onTimer(state: LegionellaDrawState, timer: string, p: LegionellaDrawParams, subject: Subject, now: number): Step<LegionellaDrawState> {
    const base = usable(state, isState, fresh)
    const draw = base.state.draw
    if (timer !== DRAW_TIMER || draw === null) return base
    if (now < draw.checkAt) return { state: base.state, actions: [...base.actions, timerAction(DRAW_TIMER, draw.checkAt)] }
    const actions = [...base.actions]
    const s = verdict(base.state, p, zoneOf(subject), draw.checkAt, actions)
    return { state: s, actions: actions.filter((a) => a.type !== 'disarm') }
  },
}
