/**
 * Absence: something that should happen has not. Armed at registration (`init`), not at the first
 * message, so a device that has never reported still fires (docs/domain.md E3: deadman checks
 * blind to never-seen devices). Two modes, chosen by the params given:
 *
 * - interval (`expectedIntervalMinutes`): H01 heartbeat missing / H09 LoRaWAN sensor silent
 *   (docs/domain.md A5, B2). MISSING once silence reaches missingFactor × interval (default 3, the
 *   Acticheck 45/15 ratio), CRITICAL at criticalFactor × (e.g. 6) as a second alert with its own key
 *   (`<since>:critical`): the contract has no in-place escalation, and a separate key lets CRITICAL
 *   route differently. The next fresh matching record clears both (auto-restore) and re-arms.
 *   Last-seen is the record's receipt time by default (H01/H09 watch uplinks, and a device clock that
 *   runs slow must not look silent); `lastSeenFrom: 'ts'` uses when it happened instead. Timer:
 *   `silence`. Late timers, out-of-order and buffered-backlog records: see silence.ts (a late timer
 *   raises only the highest level reached, once, dated when it was due).
 * - daily (`window`): R10 "no bathroom motion 06:00-09:00" (docs/domain.md B1). At the end of each
 *   occurrence of the local window, raise unless a matching record happened inside it (key = the
 *   occurrence's local date). One alert per episode: while it is open, later empty windows do not
 *   raise again (no daily repeat for a resident who is away); the next matching record, in or out of
 *   a window, clears it, including one that arrives late from inside the judged window (the routine
 *   did happen). Records are placed by `ts` (capped at `now`). The window under way at registration
 *   is not judged (part of a window is no evidence); the timer `window-end` is armed at the end of
 *   the first full one. A timer that fires days late judges the watched window and the one after it,
 *   then jumps to the current one: with one alert per episode, at most one raise per catch-up.
 *   A matching record older than the watched window can no longer satisfy it (it may still clear).
 *
 * Every raise carries `silentSinceMs` (the last matching record, or registration time with
 * `neverSeen: true`) so the engine can inhibit it while the device's hub is silent too.
 * R14 (inactivity counted only inside a daily window) is the separate `inactivityKind`.
 */
import { z } from 'zod'
import type { IngestRecord } from '../../lib/records.ts'
import type { RuleAction, RuleKind, Step, Subject } from '../engine/types.ts'
import { LocalWindow } from '../time.ts'
import { finite, MINUTE_MS, zoneOf } from './common-metric.ts'
import { happenedAt, Match, matches, receivedAt, timerAction, usable } from './evidence.ts'
import { firstFullOccurrence, isOccurrence, occurrenceAfter, occurrenceAt, type Occurrence } from './occurrence.ts'
import { isSilenceState, silenceCatchUp, silenceInit, silenceNextDue, silenceSeen, type SilenceLevel, type SilenceState } from './silence.ts'

export const ABSENCE_SILENCE_TIMER = 'silence'
export const ABSENCE_WINDOW_TIMER = 'window-end'

export interface IntervalAbsenceParams {
  mode: 'interval'
  expectedIntervalMinutes: number
  missingFactor: number
  criticalFactor?: number | undefined
  lastSeenFrom: 'receivedAt' | 'ts'
  match?: Match | undefined
}
export interface DailyAbsenceParams {
  mode: 'daily'
  window: LocalWindow
  match?: Match | undefined
}
export type AbsenceParams = IntervalAbsenceParams | DailyAbsenceParams

const INTERVAL_ONLY = ['expectedIntervalMinutes', 'missingFactor', 'criticalFactor', 'lastSeenFrom'] as const

export const AbsenceParams = z
  .strictObject({
    mode: z.enum(['interval', 'daily'], { error: 'mode must be "interval" or "daily" (or left out: it follows from the fields given)' }).optional(),
    expectedIntervalMinutes: finite('expectedIntervalMinutes')
      .positive('expectedIntervalMinutes must be more than 0 minutes')
      .max(525_600, 'expectedIntervalMinutes must be at most a year (525600 minutes)')
      .optional(),
    missingFactor: finite('missingFactor').min(1, 'missingFactor must be at least 1 (MISSING after missingFactor × the interval)').max(100, 'missingFactor must be at most 100').optional(),
    criticalFactor: finite('criticalFactor').max(1000, 'criticalFactor must be at most 1000').optional(),
    lastSeenFrom: z.enum(['receivedAt', 'ts'], { error: 'lastSeenFrom must be "receivedAt" (when Lookout got it) or "ts" (when it happened)' }).optional(),
    window: LocalWindow.optional(),
    match: Match.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.mode === undefined && p.expectedIntervalMinutes !== undefined && p.window !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['window'], message: 'give either expectedIntervalMinutes (interval mode) or window (daily mode), not both' })
      return
    }
    const interval = p.mode === 'interval' || (p.mode === undefined && p.window === undefined)
    if (interval) {
      if (p.expectedIntervalMinutes === undefined) ctx.addIssue({ code: 'custom', path: ['expectedIntervalMinutes'], message: 'expectedIntervalMinutes is required (interval mode, H01/H09), or give window for daily mode (R10)' })
      if (p.window !== undefined) ctx.addIssue({ code: 'custom', path: ['window'], message: 'window is for daily mode; give either expectedIntervalMinutes or window, not both' })
      const missing = p.missingFactor ?? 3
      if (p.criticalFactor !== undefined && !(p.criticalFactor > missing)) ctx.addIssue({ code: 'custom', path: ['criticalFactor'], message: `criticalFactor must be greater than missingFactor (${missing})` })
    } else {
      if (p.window === undefined) ctx.addIssue({ code: 'custom', path: ['window'], message: 'window is required in daily mode, e.g. { "start": "06:00", "end": "09:00" }' })
      for (const field of INTERVAL_ONLY) {
        if (p[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `${field} is for interval mode; daily mode takes window and match` })
      }
    }
  })
  .transform((p): AbsenceParams => {
    if (p.mode === 'daily' || (p.mode === undefined && p.window !== undefined)) return { mode: 'daily', window: p.window!, match: p.match }
    return {
      mode: 'interval',
      expectedIntervalMinutes: p.expectedIntervalMinutes!,
      missingFactor: p.missingFactor ?? 3,
      criticalFactor: p.criticalFactor,
      lastSeenFrom: p.lastSeenFrom ?? 'receivedAt',
      match: p.match,
    }
  })

export interface IntervalAbsenceState extends SilenceState {
  v: 1
  mode: 'interval'
}
export interface DailyAbsenceState {
  v: 1
  mode: 'daily'
  /** The occurrence being watched and whether a matching record has been seen in it. */
  occ: Occurrence
  satisfied: boolean
  /** Last matching record (ms), or registration time while `neverSeen`. */
  lastSeen: number
  neverSeen: boolean
  /** The open alert: its key and the start of its occurrence (any matching record from then on ends it). */
  open: { key: string; start: number } | null
}
export type AbsenceState = IntervalAbsenceState | DailyAbsenceState

// --- interval mode ---------------------------------------------------------------------------------

function intervalLevels(p: IntervalAbsenceParams): SilenceLevel[] {
  const every = p.expectedIntervalMinutes * MINUTE_MS
  const level = (factor: number, suffix: string, code: string): SilenceLevel => ({
    suffix,
    dueAfter: (lastSeen) => lastSeen + factor * every,
    facts: (s) => ({ level: code, silentSinceMs: s.lastSeen, neverSeen: s.neverSeen, expectedIntervalMinutes: p.expectedIntervalMinutes, factor }),
  })
  const levels = [level(p.missingFactor, '', 'missing')]
  if (p.criticalFactor !== undefined) levels.push(level(p.criticalFactor, ':critical', 'critical'))
  return levels
}

function intervalStep(state: SilenceState, p: IntervalAbsenceParams, actions: RuleAction[]): Step<AbsenceState> {
  const next: IntervalAbsenceState = { v: 1, mode: 'interval', lastSeen: state.lastSeen, neverSeen: state.neverSeen, open: state.open }
  return { state: next, actions: [...actions, timerAction(ABSENCE_SILENCE_TIMER, silenceNextDue(next, intervalLevels(p)))] }
}

// --- daily mode ------------------------------------------------------------------------------------

function dailyRaise(s: DailyAbsenceState, occ: Occurrence): RuleAction {
  return { type: 'raise', key: occ.key, occurredAt: occ.end, facts: { windowStartMs: occ.start, windowEndMs: occ.end, silentSinceMs: s.lastSeen, neverSeen: s.neverSeen } }
}

/**
 * Judges the occurrences that ended by `at`. A late timer or a record after a gap judges the watched
 * occurrence, then at most the one after it (nothing was processed in it, so it was empty), then
 * jumps to the occurrence at `at`: at most one raise per occurrence and, with one alert per
 * episode, at most one raise per catch-up however many days were missed.
 */
function dailyAdvance(state: DailyAbsenceState, p: DailyAbsenceParams, zone: string, at: number): { state: DailyAbsenceState; actions: RuleAction[] } {
  if (state.occ.end > at) return { state, actions: [] }
  const actions: RuleAction[] = []
  let s = state
  const judge = (occ: Occurrence, satisfied: boolean) => {
    if (satisfied || s.open !== null) return
    actions.push(dailyRaise(s, occ))
    s = { ...s, open: { key: occ.key, start: occ.start } }
  }
  judge(s.occ, s.satisfied)
  const after = occurrenceAfter(s.occ, zone, p.window)
  if (after.end <= at) judge(after, false)
  const occ = after.end > at ? after : occurrenceAt(at, zone, p.window)
  return { state: { ...s, occ, satisfied: false }, actions }
}

function isDailyState(s: Record<string, unknown>): boolean {
  return s.v === 1 && s.mode === 'daily' && isOccurrence(s.occ) && typeof s.satisfied === 'boolean' && typeof s.lastSeen === 'number' && typeof s.neverSeen === 'boolean' && (s.open === null || typeof s.open === 'object')
}

// --- the kind ----------------------------------------------------------------------------------------

function initStep(p: AbsenceParams, subject: Subject, now: number): Step<AbsenceState> {
  if (p.mode === 'interval') return intervalStep(silenceInit(now), p, [])
  const occ = firstFullOccurrence(now, zoneOf(subject), p.window)
  const state: DailyAbsenceState = { v: 1, mode: 'daily', occ, satisfied: false, lastSeen: now, neverSeen: true, open: null }
  return { state, actions: [timerAction(ABSENCE_WINDOW_TIMER, occ.end)] }
}

function current(state: AbsenceState, p: AbsenceParams, subject: Subject, now: number): Step<AbsenceState> {
  return usable<AbsenceState>(state, (s) => (p.mode === 'interval' ? s.v === 1 && s.mode === 'interval' && isSilenceState(s) : isDailyState(s)), () => initStep(p, subject, now))
}

export const absenceKind: RuleKind<AbsenceParams, AbsenceState> = {
  kind: 'absence',
  description:
    'Absence: no matching record for a multiple of the expected interval (H01/H09: MISSING at 3×, optional CRITICAL), or none inside a daily local window (R10). Armed at registration; the next record restores.',
  params: AbsenceParams,

  init: initStep,

  onRecord(state: AbsenceState, record: IngestRecord, p: AbsenceParams, subject: Subject, now: number): Step<AbsenceState> {
    const base = current(state, p, subject, now)
    if (!matches(record, p.match)) return base
    if (p.mode === 'interval') {
      const s = base.state as IntervalAbsenceState
      const t = p.lastSeenFrom === 'ts' ? happenedAt(record, now) : receivedAt(record, now)
      const seen = t === undefined ? undefined : silenceSeen(s, intervalLevels(p), t, now)
      if (seen === undefined) return base
      return intervalStep(seen.state, p, [...base.actions, ...seen.actions])
    }
    const t = happenedAt(record, now)
    if (t === undefined) return base
    const zone = zoneOf(subject)
    const before = base.state as DailyAbsenceState
    const advanced = dailyAdvance(before, p, zone, t)
    let s = advanced.state
    const actions = [...base.actions, ...advanced.actions]
    if (s.open !== null && t >= s.open.start) {
      actions.push({ type: 'clear', key: s.open.key, at: t })
      s = { ...s, open: null }
    }
    if (t >= s.occ.start && t < s.occ.end) s = { ...s, satisfied: true }
    if (t > s.lastSeen || s.neverSeen) s = { ...s, lastSeen: Math.max(t, s.lastSeen), neverSeen: false }
    if (s.occ.key !== before.occ.key || s.occ.end !== before.occ.end) actions.push(timerAction(ABSENCE_WINDOW_TIMER, s.occ.end))
    return { state: s, actions }
  },

  onTimer(state: AbsenceState, timer: string, p: AbsenceParams, subject: Subject, now: number): Step<AbsenceState> {
    const base = current(state, p, subject, now)
    if (p.mode === 'interval') {
      if (timer !== ABSENCE_SILENCE_TIMER) return base
      const caught = silenceCatchUp(base.state as IntervalAbsenceState, intervalLevels(p), now)
      return intervalStep(caught.state, p, [...base.actions, ...caught.actions])
    }
    if (timer !== ABSENCE_WINDOW_TIMER) return base
    const advanced = dailyAdvance(base.state as DailyAbsenceState, p, zoneOf(subject), now)
    return { state: advanced.state, actions: [...base.actions, ...advanced.actions, timerAction(ABSENCE_WINDOW_TIMER, advanced.state.occ.end)] }
  },
}
