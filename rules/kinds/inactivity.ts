/**
 * Inactivity inside a daily window: R14 "no motion anywhere for > 4 h between 08:00-21:00"
 * (docs/domain.md B1). Only time inside the local window counts, and it carries across days: last
 * motion at 19:00 leaves 2 h counted by 21:00, so with no motion the next morning the alert fires
 * at 10:00.
 * Real elapsed time is counted (a window across a DST change is an hour shorter or longer).
 *
 * Armed at registration (a sensor that never reports still fires); key = when the silence began
 * (the last matching record, or registration); the next fresh matching record clears it. Late timers,
 * out-of-order and backlog records behave as in silence.ts. Raises carry `silentSinceMs` for hub
 * inhibition. "While not away" (R14) needs an away flag the contract does not carry: the engine or an
 * override must disable the rule while the resident is away.
 */
import { z } from 'zod'
import type { IngestRecord } from '../../lib/records.ts'
import type { RuleAction, RuleKind, Step, Subject } from '../engine/types.ts'
import { LocalWindow, windowAt } from '../time.ts'
import { MINUTE_MS, minutes, zoneOf } from './common-metric.ts'
import { happenedAt, Match, matches, timerAction, usable } from './evidence.ts'
import { isSilenceState, silenceCatchUp, silenceInit, silenceNextDue, silenceSeen, type SilenceLevel, type SilenceState } from './silence.ts'

export const INACTIVITY_TIMER = 'inactive'

export const InactivityParams = z.strictObject({
  /** R14: 4 h. At most a week of in-window time. */
  inactiveMinutes: minutes('inactiveMinutes', 10_080).default(240),
  /** R14: 08:00-21:00 in the resident's zone. */
  window: LocalWindow.default({ start: '08:00', end: '21:00' }),
  match: Match.optional(),
})
export type InactivityParams = z.infer<typeof InactivityParams>

export interface InactivityState extends SilenceState {
  v: 1
}

/** Occurrences walked at most when looking for the due time (a week of 4-hour windows is 42). */
const MAX_OCCURRENCES = 1000

/**
 * The instant at which `needMs` of time inside the window has passed since `since`. Bounded: for
 * a tiny window and a long need, the end of the MAX_OCCURRENCES-th occurrence.
 */
export function dueInWindow(since: number, needMs: number, zone: string, window: LocalWindow): number {
  let t = since
  let counted = 0
  for (let i = 0; i < MAX_OCCURRENCES; i++) {
    const w = windowAt(t, zone, window)
    const from = Math.max(t, w.start)
    const length = w.end - from
    if (counted + length >= needMs) return from + (needMs - counted)
    counted += Math.max(0, length)
    t = w.end > t ? w.end : t + MINUTE_MS
  }
  return t
}

function levels(p: InactivityParams, zone: string): SilenceLevel[] {
  return [
    {
      suffix: '',
      dueAfter: (lastSeen) => dueInWindow(lastSeen, p.inactiveMinutes * MINUTE_MS, zone, p.window),
      facts: (s) => ({ silentSinceMs: s.lastSeen, neverSeen: s.neverSeen, inactiveMinutes: p.inactiveMinutes }),
    },
  ]
}

function step(state: SilenceState, p: InactivityParams, zone: string, actions: RuleAction[]): Step<InactivityState> {
  const next: InactivityState = { v: 1, lastSeen: state.lastSeen, neverSeen: state.neverSeen, open: state.open }
  return { state: next, actions: [...actions, timerAction(INACTIVITY_TIMER, silenceNextDue(next, levels(p, zone)))] }
}

function current(state: InactivityState, p: InactivityParams, subject: Subject, now: number): Step<InactivityState> {
  return usable<InactivityState>(state, (s) => s.v === 1 && isSilenceState(s), () => step(silenceInit(now), p, zoneOf(subject), []))
}

export const inactivityKind: RuleKind<InactivityParams, InactivityState> = {
  kind: 'inactivity',
  description: 'Inactivity (R14): no matching record for inactiveMinutes (default 240), counting only time inside a local daily window (default 08:00-21:00). Armed at registration; the next record restores.',
  params: InactivityParams,

  init(p: InactivityParams, subject: Subject, now: number): Step<InactivityState> {
    return step(silenceInit(now), p, zoneOf(subject), [])
  },

  onRecord(state: InactivityState, record: IngestRecord, p: InactivityParams, subject: Subject, now: number): Step<InactivityState> {
    const base = current(state, p, subject, now)
    if (!matches(record, p.match)) return base
    const t = happenedAt(record, now)
    const zone = zoneOf(subject)
    const seen = t === undefined ? undefined : silenceSeen(base.state, levels(p, zone), t, now)
    if (seen === undefined) return base
    return step(seen.state, p, zone, [...base.actions, ...seen.actions])
  },

  onTimer(state: InactivityState, timer: string, p: InactivityParams, subject: Subject, now: number): Step<InactivityState> {
    const base = current(state, p, subject, now)
    if (timer !== INACTIVITY_TIMER) return base
    const zone = zoneOf(subject)
    const caught = silenceCatchUp(base.state, levels(p, zone), now)
    return step(caught.state, p, zone, [...base.actions, ...caught.actions])
  },
}
