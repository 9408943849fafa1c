/**
 * Little-used outlet (HSE L8 / HSG274; docs/domain.md B4 F15, A7): no draw for `days` (default 7)
 * → a weekly flush task. Armed at registration, so an outlet that is never drawn (a void flat) fires;
 * key = the last draw (or registration), occurredAt = that + days; the next draw clears it
 * (flushed). A draw is a flow event (`water.flow_started` or `water.flow_stopped` by default) or,
 * with `flowStart.temperatureChange`, a change of the outlet's temperature of either sign
 * (legionella-flow.ts). Late timers, out-of-order and backlog records behave as in silence.ts.
 */
import { z } from 'zod'
import type { IngestRecord } from '../../lib/records.ts'
import type { RuleAction, RuleKind, Step, Subject } from '../engine/types.ts'
import { finite, MetricName } from './common-metric.ts'
import { happenedAt, timerAction, usable } from './evidence.ts'
import { drawStartOf, flowStart, isReading, latestReading, type Reading } from './legionella-flow.ts'
import { isSilenceState, silenceCatchUp, silenceInit, silenceNextDue, silenceSeen, type SilenceLevel, type SilenceState } from './silence.ts'

export const UNUSED_TIMER = 'unused'
const DAY_MS = 86_400_000

export const OutletUnusedParams = z.strictObject({
  /** F15: 7 days. */
  days: finite('days').positive('days must be more than 0').max(365, 'days must be at most 365').default(7),
  metric: MetricName.default('water_temperature'),
  flowStart: flowStart(['water.flow_started', 'water.flow_stopped']),
})
export type OutletUnusedParams = z.infer<typeof OutletUnusedParams>

export interface OutletUnusedState extends SilenceState {
  v: 1
  /** The newest reading, for detecting a draw from a temperature change. */
  prev: Reading | null
}

function levels(p: OutletUnusedParams): SilenceLevel[] {
  return [{ suffix: '', dueAfter: (lastSeen) => lastSeen + p.days * DAY_MS, facts: (s) => ({ silentSinceMs: s.lastSeen, neverSeen: s.neverSeen, days: p.days }) }]
}

function step(silence: SilenceState, prev: Reading | null, p: OutletUnusedParams, actions: RuleAction[]): Step<OutletUnusedState> {
  const state: OutletUnusedState = { v: 1, lastSeen: silence.lastSeen, neverSeen: silence.neverSeen, open: silence.open, prev }
  return { state, actions: [...actions, timerAction(UNUSED_TIMER, silenceNextDue(state, levels(p)))] }
}

function current(state: OutletUnusedState, p: OutletUnusedParams, now: number): Step<OutletUnusedState> {
  return usable<OutletUnusedState>(state, (s) => s.v === 1 && isSilenceState(s) && isReading(s.prev), () => step(silenceInit(now), null, p, []))
}

export const outletUnusedKind: RuleKind<OutletUnusedParams, OutletUnusedState> = {
  kind: 'outlet-unused',
  description: 'Little-used outlet (F15, HSE L8): no draw for 7 days → flush task. Armed at registration; the next draw clears.',
  params: OutletUnusedParams,

  init(p: OutletUnusedParams, _subject: Subject, now: number): Step<OutletUnusedState> {
    return step(silenceInit(now), null, p, [])
  },

  onRecord(state: OutletUnusedState, record: IngestRecord, p: OutletUnusedParams, _subject: Subject, now: number): Step<OutletUnusedState> {
    const base = current(state, p, now)
    const t = happenedAt(record, now)
    if (t === undefined) return base
    const s = base.state
    const prev = latestReading(s.prev, record, t, p.metric)
    const start = drawStartOf(record, t, p.flowStart, p.metric, s.prev, 'either')
    const seen = start === undefined ? undefined : silenceSeen(s, levels(p), start, now)
    if (seen === undefined) return prev === s.prev ? base : { state: { ...s, prev }, actions: base.actions }
    return step(seen.state, prev, p, [...base.actions, ...seen.actions])
  },

  onTimer(state: OutletUnusedState, timer: string, p: OutletUnusedParams, _subject: Subject, now: number): Step<OutletUnusedState> {
    const base = current(state, p, now)
    if (timer !== UNUSED_TIMER) return base
    const caught = silenceCatchUp(base.state, levels(p), now)
    return step(caught.state, base.state.prev, p, [...base.actions, ...caught.actions])
  },
}
