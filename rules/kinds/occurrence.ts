/**
 * Occurrences of a local daily window (R10 06:00-09:00, R15 nights 22:00-07:00), as the daily
 * absence and baseline kinds walk them: the first one to watch, the one after, the one at a time.
 * Built on rules/time.ts, so a night across either DST change is 7 h or 9 h of real time, and
 * keys are the local date the occurrence starts on (a night is keyed by its evening).
 */
import { windowAt, type LocalWindow } from '../time.ts'

export interface Occurrence {
  /** Local date the occurrence starts on, "YYYY-MM-DD". */
  key: string
  start: number
  end: number
}

/** The occurrence containing `ts`, or the next one if `ts` is outside the window. */
export function occurrenceAt(ts: number, zone: string, window: LocalWindow): Occurrence {
  const w = windowAt(ts, zone, window)
  return { key: w.key, start: w.start, end: w.end }
}

/** The occurrence after `occ` (its end is exclusive, so the window at its end is the next one). */
export function occurrenceAfter(occ: Occurrence, zone: string, window: LocalWindow): Occurrence {
  const next = occurrenceAt(occ.end, zone, window)
  // guard for windows whose edges fall in a DST gap: always move forward
  return next.end > occ.end ? next : occurrenceAt(occ.end + 60_000, zone, window)
}

/**
 * The first occurrence that starts at or after `now`. One already under way is not watched: part of
 * a window with no record in it is no evidence of an absence (a device registered at 07:30 is not
 * judged on the 06:00-09:00 window it was registered in).
 */
export function firstFullOccurrence(now: number, zone: string, window: LocalWindow): Occurrence {
  const occ = occurrenceAt(now, zone, window)
  return occ.start >= now ? occ : occurrenceAfter(occ, zone, window)
}

export function isOccurrence(value: unknown): value is Occurrence {
  if (value === null || typeof value !== 'object') return false
  const o = value as Record<string, unknown>
  return typeof o.key === 'string' && typeof o.start === 'number' && typeof o.end === 'number' && o.end > o.start
}
