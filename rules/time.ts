/**
 * Local time, correctly: windows like 22:00-06:00 are read in the site's or resident's IANA zone
 * (default Europe/London), across midnight and across both daylight-saving changes. Pure; built on
 * Luxon (docs/decisions/0007-rules-local-time-luxon.md).
 *
 * A local time that does not exist (01:30 on the spring-forward night in London) is moved forward by
 * the length of the gap (01:30 → 02:30 BST); one that happens twice (01:30 on the autumn night) is
 * taken at its second occurrence (GMT), as Luxon resolves it.
 */
import { DateTime } from 'luxon'
import { z } from 'zod'

export const DEFAULT_TIME_ZONE = 'Europe/London'

/** "HH:MM", 24-hour. */
export const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time is "HH:MM", 24-hour, e.g. "22:00"')
export type LocalTime = z.infer<typeof LocalTime>

/** A daily window in local time; `end` before `start` means it crosses midnight (22:00-06:00). */
export const LocalWindow = z.object({ start: LocalTime, end: LocalTime }).refine((w) => w.start !== w.end, 'a window needs different start and end times')
export type LocalWindow = z.infer<typeof LocalWindow>

export function minutesOf(time: LocalTime): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5))
}

function local(ts: number, zone: string): DateTime {
  return DateTime.fromMillis(ts, { zone })
}

/** Minutes since local midnight (0-1439) at `ts`. */
export function localMinuteOfDay(ts: number, zone: string): number {
  const d = local(ts, zone)
  return d.hour * 60 + d.minute
}

/** Local calendar date "YYYY-MM-DD" at `ts`. */
export function localDate(ts: number, zone: string): string {
  return local(ts, zone).toISODate()!
}

/** Local month 1-12 at `ts`. */
export function localMonth(ts: number, zone: string): number {
  return local(ts, zone).month
}

/** Whether `ts` falls inside the daily window (start inclusive, end exclusive). */
export function inWindow(ts: number, zone: string, window: LocalWindow): boolean {
  const m = localMinuteOfDay(ts, zone)
  const s = minutesOf(window.start)
  const e = minutesOf(window.end)
  return s < e ? m >= s && m < e : m >= s || m < e
}

/** The instant the local wall clock reads `time` on local date `date` (in a gap: moved forward by the gap). */
export function atLocal(date: string, time: LocalTime, zone: string): number {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number]
  const wanted = DateTime.fromObject({ year: y, month: mo, day: d, hour: Number(time.slice(0, 2)), minute: Number(time.slice(3, 5)) }, { zone })
  return wanted.toMillis()
}

/** The first instant strictly after `ts` at which the local clock reads `time`. */
export function nextLocal(ts: number, zone: string, time: LocalTime): number {
  let date = local(ts, zone).toISODate()!
  for (let i = 0; i < 3; i++) {
    const candidate = atLocal(date, time, zone)
    if (candidate > ts) return candidate
    date = local(ts, zone).plus({ days: i + 1 }).toISODate()!
  }
  throw new Error('unreachable: a local time occurs within three days')
}

/**
 * The window occurrence containing `ts`, or, if `ts` is outside the window, the next one.
 * `key` is the local date the occurrence starts on (a night 22:00-06:00 is keyed by its evening).
 */
export function windowAt(ts: number, zone: string, window: LocalWindow): { key: string; start: number; end: number; inside: boolean } {
  const inside = inWindow(ts, zone, window)
  let startDate: string
  if (inside) {
    const crosses = minutesOf(window.end) < minutesOf(window.start)
    const afterMidnight = crosses && localMinuteOfDay(ts, zone) < minutesOf(window.end)
    startDate = afterMidnight ? local(ts, zone).minus({ days: 1 }).toISODate()! : local(ts, zone).toISODate()!
  } else {
    startDate = local(nextLocal(ts, zone, window.start), zone).toISODate()!
  }
  const start = atLocal(startDate, window.start, zone)
  const endDate = minutesOf(window.end) < minutesOf(window.start) ? DateTime.fromISO(startDate, { zone }).plus({ days: 1 }).toISODate()! : startDate
  const end = atLocal(endDate, window.end, zone)
  return { key: startDate, start, end, inside }
}

export function isTimeZone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid
}
