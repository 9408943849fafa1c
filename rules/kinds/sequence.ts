/**
 * Sequence: "A not followed by B within T". R07 out of bed and not back within 45 min between
 * 22:00-06:00 (docs/domain.md B1; GrandCare, Moray: timer per individual): first ['bed.exited'],
 * then ['bed.entered'], withinMinutes 45, window 22:00-06:00. Same shape: chair exits (B0 chair 0044),
 * R09 prolonged bathroom occupancy > 15 min at night, if the sensor reports occupancy start and end
 * as events (first [start], then [end]); a PIR that only sends `motion.detected` pulses does not fit
 * (continuous motion is a run of pulses, not a start/end pair).
 *
 * - A (an event in `first`) whose time is inside `window` (if given, in the subject's zone) starts a
 *   sequence and arms a timer at A + T. Only A needs to be in the window: out of bed at 05:50 and
 *   not back at 06:35 still fires. While a sequence is pending or raised, another A is ignored: the
 *   clock runs from the first one.
 * - B (an event in `then`) at or after A ends it: disarm; if already raised, clear (back in bed).
 * - The timer raises key = A's ts, occurredAt = A + T.
 *
 * Late and out-of-order input: a B later than A + T that is processed before the (late) timer first
 * raises what was due, then clears it, so the live path gives what the replay harness gives. A B
 * older than the pending A does not end it; an A no later than the last B seen (arrived out of
 * order) is ignored, as it was followed. A new A while an alert is still open (its B was lost)
 * starts a new sequence; the open alert stays until a B.
 */
import { z } from 'zod'
import type { IngestRecord } from '../../lib/records.ts'
import type { RuleAction, RuleKind, Step, Subject } from '../engine/types.ts'
import { inWindow, LocalWindow } from '../time.ts'
import { MINUTE_MS, minutes, zoneOf } from './common-metric.ts'
import { eventTypes, happenedAt, isEventOf, timerAction, usable } from './evidence.ts'

export const SEQUENCE_TIMER = 'deadline'

export const SequenceParams = z
  .strictObject({
    first: eventTypes('first'),
    then: eventTypes('then'),
    /** R07 example: 45 (individual timer per care plan). At most a day. */
    withinMinutes: minutes('withinMinutes', 1440),
    /** Only sequences whose first event happens in this local window (R07: 22:00-06:00). */
    window: LocalWindow.optional(),
  })
  .refine((p) => !p.then.some((t) => p.first.includes(t)), { path: ['then'], message: 'then must not repeat an event type of first' })
export type SequenceParams = z.infer<typeof SequenceParams>

export interface SequenceState {
  v: 1
  /** The sequence waiting for B: when A happened and when it is due. */
  pending: { firstTs: number; due: number } | null
  /** The raised sequence waiting for B to clear it. */
  open: { key: string; firstTs: number } | null
  /** The last B seen (ms), to recognise an A that arrives after its own B. */
  lastThen: number | null
}

function isState(s: Record<string, unknown>): boolean {
  return s.v === 1 && (s.pending === null || typeof s.pending === 'object') && (s.open === null || typeof s.open === 'object') && (s.lastThen === null || typeof s.lastThen === 'number')
}

const fresh = (): Step<SequenceState> => ({ state: { v: 1, pending: null, open: null, lastThen: null }, actions: [] })

/** Raises the pending sequence if it was due by `at`. */
function catchUp(s: SequenceState, p: SequenceParams, at: number): { state: SequenceState; actions: RuleAction[] } {
  if (s.pending === null || at < s.pending.due) return { state: s, actions: [] }
  const { firstTs, due } = s.pending
  const key = `${firstTs}`
  return {
    state: { ...s, pending: null, open: { key, firstTs } },
    actions: [{ type: 'raise', key, occurredAt: due, facts: { firstAtMs: firstTs, withinMinutes: p.withinMinutes } }],
  }
}

export const sequenceKind: RuleKind<SequenceParams, SequenceState> = {
  kind: 'sequence',
  description: 'Sequence (R07): an event of `first` (inside `window`, if given) not followed by one of `then` within withinMinutes. The return event clears.',
  params: SequenceParams,

  init(): Step<SequenceState> {
    return fresh()
  },

  onRecord(state: SequenceState, record: IngestRecord, p: SequenceParams, subject: Subject, now: number): Step<SequenceState> {
    const base = usable(state, isState, fresh)
    const isFirst = isEventOf(record, p.first)
    const isThen = isEventOf(record, p.then)
    const t = happenedAt(record, now)
    if ((!isFirst && !isThen) || t === undefined) return base
    const caught = catchUp(base.state, p, t)
    let s = caught.state
    const actions = [...base.actions, ...caught.actions]
    if (isThen) {
      if (s.pending !== null && t >= s.pending.firstTs) {
        s = { ...s, pending: null }
        actions.push(timerAction(SEQUENCE_TIMER, null))
      }
      if (s.open !== null && t >= s.open.firstTs) {
        actions.push({ type: 'clear', key: s.open.key, at: t })
        s = { ...s, open: null }
      }
      s = { ...s, lastThen: Math.max(t, s.lastThen ?? t) }
      return { state: s, actions }
    }
    const started = s.pending !== null || (s.open !== null && t <= s.open.firstTs)
    const followed = s.lastThen !== null && t <= s.lastThen
    const inside = p.window === undefined || inWindow(t, zoneOf(subject), p.window)
    if (started || followed || !inside) return { state: s, actions }
    const due = t + p.withinMinutes * MINUTE_MS
    return { state: { ...s, pending: { firstTs: t, due } }, actions: [...actions, timerAction(SEQUENCE_TIMER, due)] }
  },

  onTimer(state: SequenceState, timer: string, p: SequenceParams, _subject: Subject, now: number): Step<SequenceState> {
    const base = usable(state, isState, fresh)
    if (timer !== SEQUENCE_TIMER) return base
    const caught = catchUp(base.state, p, now)
    const s = caught.state
    // fired early (or a stale timer): re-arm for the pending sequence, if any
    const rearm = s.pending !== null ? [timerAction(SEQUENCE_TIMER, s.pending.due)] : []
    return { state: s, actions: [...base.actions, ...caught.actions, ...rearm] }
  },
}
