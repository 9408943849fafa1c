/**
 * Local time, correctly: windows like 22:00-06:00 are read in the site's or resident's IANA zone
 * (default Europe/London), across midnight and across both daylight-saving changes. Pure (apart from
 * a bounded cache of zone offsets); built on Luxon's zones (docs/decisions/0007-rules-local-time-luxon.md).
 *
 * One rule turns a local date and time into an instant (`atLocal`), and everything else is built on it:
 * - a local time that happens once is that instant;
 * - one that happens twice (01:30 on the autumn night in London) is taken at its second occurrence
 *   (01:30 GMT), whatever season the process started in;
 * - one that does not exist (01:30 on the spring-forward night) is the instant the clock jumps past
 *   it: 01:00 UTC, when the clock goes from 00:59 GMT to 02:00 BST. (Until November 2026 a skipped time was
 *   moved forward by the length of the gap, to 02:30 BST; that made a window starting in the gap open
 *   half an hour after the clock showed a time inside it, and 01:30-02:15 end before it started.)
 *
 * The occurrence of a daily window keyed by local date D is [atLocal(D, start), atLocal(D or D+1, end)),
 * and `inWindow` is exactly "inside that occurrence", so `inWindow` and `windowAt` always agree. That is
 * the wall clock except in the repeated hour, for a window with an edge in it: 01:30-05:00 opens at the
 * second 01:30 (the first 01:30-01:59, BST, is outside), and 00:30-01:30 closes at the second 01:30 (so
 * the first 01:30-01:59 is inside). A window lying wholly in a gap (01:00-02:00 on the spring-forward
 * night) has no occurrence that night. Across a gap a night 22:00-06:00 is 7 h; across a repeat, 9 h.
 *
 * Speed: the rule engine asks for every record. Offsets are cached per zone and UTC hour (bounded), and
 * `inWindow` reads the wall clock directly unless the offset changes within three days of `ts`.
 * Assumption, as in Luxon: a zone's offset changes at most once within any two days (so for all 418
 * zones in Node 20's tz data, 1970-2039, sampled every 6 h); an hour's cached offset is still checked
 * at both ends of the hour before it is used.
 */
import { DateTime, Info, type Zone } from 'luxon'
import { z } from 'zod'
import { BoundedCache } from './bounded-cache.ts'
import { civil, isoDay, parseDate } from './calendar-days.ts'

export const DEFAULT_TIME_ZONE = 'Europe/London'

/** "HH:MM", 24-hour. */
export const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time is "HH:MM", 24-hour, e.g. "22:00"')
export type LocalTime = z.infer<typeof LocalTime>

/** A daily window in local time; `end` before `start` means it crosses midnight (22:00-06:00). */
export const LocalWindow = z.object({ start: LocalTime, end: LocalTime }).refine((w) => w.start !== w.end, 'a window needs different start and end times')
export type LocalWindow = z.infer<typeof LocalWindow>

const MINUTE_MS = 60_000
const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000

const digit = (time: string, i: number) => {
  const d = time.charCodeAt(i) - 48
  return d >= 0 && d <= 9 ? d : Number.NaN
}

export function minutesOf(time: LocalTime): number {
  // per record: char codes rather than slices and Number()
  if (time.length === 5 && time.charCodeAt(2) === 58) {
    const m = digit(time, 0) * 600 + digit(time, 1) * 60 + digit(time, 3) * 10 + digit(time, 4)
    if (m >= 0 && m < 1440) return m
  }
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5))
}

function local(ts: number, zone: string): DateTime {
  return DateTime.fromMillis(ts, { zone })
}

// ---- zones and cached offsets ---------------------------------------------------------------

/** Zones get a small id so cache keys are numbers: `(bucket) * MAX_ZONES + id`. */
const MAX_ZONES = 1024
interface ZoneEntry {
  readonly id: number
  readonly zone: Zone
}

const zoneEntries = new Map<string, ZoneEntry | null>()
let nextZoneId = 0
/** Offset (minutes) valid for the whole UTC hour, or NaN if it changes within it. */
const hourOffsets = new BoundedCache()
/** Offset at UTC midnight of a day. */
const midnightOffsets = new BoundedCache()
/** Offset valid for the UTC day and the three either side, or NaN: `inWindow` may read the wall clock. */
const quietOffsets = new BoundedCache()
/** atLocal's instant for (local day, minute of day). */
const resolved = new BoundedCache()

/** Sizes of the internal caches (each at most 10,000), for tests and diagnostics. */
export function timeCacheSizes(): Record<string, number> {
  return { zones: zoneEntries.size, hours: hourOffsets.size, midnights: midnightOffsets.size, quiet: quietOffsets.size, resolved: resolved.size }
}

function zoneEntry(name: string): ZoneEntry | null {
  let entry = zoneEntries.get(name)
  if (entry === undefined) {
    if (zoneEntries.size >= MAX_ZONES || nextZoneId >= MAX_ZONES) {
      zoneEntries.clear()
      for (const cache of [hourOffsets, midnightOffsets, quietOffsets, resolved]) cache.clear()
      nextZoneId = 0
      lastHourId = lastQuietId = -1
    }
    // the same zone Luxon's DateTime.fromMillis(ts, { zone }) would use
    const zone = Info.normalizeZone(name)
    entry = zone.isValid ? { id: nextZoneId++, zone } : null
    zoneEntries.set(name, entry)
  }
  return entry
}

/** In hourOffsets: the hour has been asked for once; its offset is checked (two lookups) on the second. */
const SEEN_ONCE = Number.POSITIVE_INFINITY

let lastHourId = -1
let lastHour = 0
let lastHourOffset = 0

/** The zone's offset (minutes) at `ts`, as Luxon computes it. */
function offsetAt(e: ZoneEntry, ts: number): number {
  const hour = Math.floor(ts / HOUR_MS)
  if (e.id === lastHourId && hour === lastHour) return lastHourOffset === lastHourOffset ? lastHourOffset : e.zone.offset(ts)
  const key = hour * MAX_ZONES + e.id
  let o = hourOffsets.get(key)
  if (o === undefined) {
    // first time this hour: one lookup, as Luxon would do, so scattered instants cost no more than Luxon
    hourOffsets.set(key, SEEN_ONCE)
    return e.zone.offset(ts)
  }
  if (o === SEEN_ONCE) {
    // cache the offset only if it holds at both ends of the hour; otherwise (NaN) ask for each instant
    const first = e.zone.offset(hour * HOUR_MS)
    o = hourOffsets.set(key, first === e.zone.offset(hour * HOUR_MS + HOUR_MS - 1) ? first : Number.NaN)
  }
  lastHourId = e.id
  lastHour = hour
  lastHourOffset = o
  return o === o ? o : e.zone.offset(ts)
}

/** The offset at UTC midnight starting `day`. */
function midnightOffset(e: ZoneEntry, day: number): number {
  const key = day * MAX_ZONES + e.id
  const o = midnightOffsets.get(key)
  return o !== undefined ? o : midnightOffsets.set(key, e.zone.offset(day * DAY_MS))
}

let lastQuietId = -1
let lastQuietDay = 0
let lastQuietOffset = 0

/** The offset at `ts` if it holds for the three UTC days either side too, else NaN. */
function quietOffset(e: ZoneEntry, ts: number): number {
  const day = Math.floor(ts / DAY_MS)
  if (e.id === lastQuietId && day === lastQuietDay) return lastQuietOffset
  const key = day * MAX_ZONES + e.id
  let o = quietOffsets.get(key)
  if (o === undefined) {
    // the same offset at the eight midnights from three days before to four after: with at most one
    // change a day, the offset holds throughout
    o = midnightOffset(e, day - 3)
    for (let d = day - 2; d <= day + 4 && o === o; d++) if (midnightOffset(e, d) !== o) o = Number.NaN
    quietOffsets.set(key, o)
  }
  lastQuietId = e.id
  lastQuietDay = day
  lastQuietOffset = o
  return o
}

/** The local wall clock at `ts` as milliseconds since the local epoch, exactly as Luxon derives it. */
function wallMs(ts: number, offset: number): number {
  return Math.trunc(ts + offset * 60 * 1000)
}

function minuteOfDay(wall: number): number {
  return Math.floor((wall - Math.floor(wall / DAY_MS) * DAY_MS) / MINUTE_MS)
}

/** The fast path applies to whole-millisecond instants in a valid zone; anything else goes to Luxon. */
function fastZone(ts: number, zone: string): ZoneEntry | null {
  return Number.isSafeInteger(ts) ? zoneEntry(zone) : null
}

// ---- local readings ---------------------------------------------------------------------------

/** Minutes since local midnight (0-1439) at `ts`. */
export function localMinuteOfDay(ts: number, zone: string): number {
  const e = fastZone(ts, zone)
  if (e === null) {
    const d = local(ts, zone)
    return d.hour * 60 + d.minute
  }
  return minuteOfDay(wallMs(ts, offsetAt(e, ts)))
}

let lastDateDay = Number.NaN
let lastDate = ''

/** Local calendar date "YYYY-MM-DD" at `ts`. */
export function localDate(ts: number, zone: string): string {
  const e = fastZone(ts, zone)
  if (e !== null) {
    const day = Math.floor(wallMs(ts, offsetAt(e, ts)) / DAY_MS)
    if (day === lastDateDay) return lastDate
    const date = isoDay(day)
    if (date !== undefined) {
      lastDateDay = day
      lastDate = date
      return date
    }
  }
  return local(ts, zone).toISODate()!
}

/** Local month 1-12 at `ts`. */
export function localMonth(ts: number, zone: string): number {
  const e = fastZone(ts, zone)
  if (e === null) return local(ts, zone).month
  return civil(Math.floor(wallMs(ts, offsetAt(e, ts)) / DAY_MS))[1]
}

// ---- local date and time → instant ------------------------------------------------------------

/**
 * The instant for `minutes` past midnight on local day `day` (days since 1970-01-01): the one
 * occurrence, the second of two, or the instant the clock jumps past it. Assumes at most one offset
 * change within a day either side.
 */
function resolve(e: ZoneEntry, day: number, minutes: number): number {
  const key = (day * 1440 + minutes) * MAX_ZONES + e.id
  const known = resolved.get(key)
  if (known !== undefined) return known
  const wall = day * DAY_MS + minutes * MINUTE_MS
  const before = offsetAt(e, wall - DAY_MS)
  const after = offsetAt(e, wall + DAY_MS)
  const a = Math.round(wall - before * MINUTE_MS)
  const b = Math.round(wall - after * MINUTE_MS)
  const aHolds = offsetAt(e, a) === before
  const bHolds = offsetAt(e, b) === after
  let ts: number
  if (aHolds && bHolds) ts = Math.max(a, b)
  else if (aHolds) ts = a
  else if (bHolds) ts = b
  else {
    // a gap: the offset changes between the two candidates; find the first instant of the new one
    let lo = Math.min(a, b)
    let hi = Math.max(a, b)
    const old = offsetAt(e, lo)
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2)
      if (offsetAt(e, mid) === old) lo = mid
      else hi = mid
    }
    ts = hi
  }
  return resolved.set(key, ts)
}

/**
 * The instant the local wall clock reads `time` on local date `date`: for a time that happens twice,
 * the second; for one that does not happen (in a gap), the instant the clock jumps past it.
 */
export function atLocal(date: string, time: LocalTime, zone: string): number {
  const day = parseDate(date)
  const e = zoneEntry(zone)
  if (day === undefined || e === null) return Number.NaN
  return resolve(e, day, minutesOf(time))
}

function localDay(e: ZoneEntry, ts: number): number {
  return Math.floor(wallMs(ts, offsetAt(e, ts)) / DAY_MS)
}

function knownZone(zone: string): ZoneEntry {
  const e = zoneEntry(zone)
  if (e === null) throw new Error(`unknown time zone "${zone}"`)
  return e
}

/** The first instant strictly after `ts` that is `atLocal(some date, time)`. */
export function nextLocal(ts: number, zone: string, time: LocalTime): number {
  const e = knownZone(zone)
  const minutes = minutesOf(time)
  const today = localDay(e, ts)
  for (let day = today - 1; day <= today + 3; day++) {
    const candidate = resolve(e, day, minutes)
    if (candidate > ts) return candidate
  }
  throw new Error('unreachable: a local time occurs within three days')
}

// ---- windows --------------------------------------------------------------------------------------

interface Occurrence {
  day: number
  start: number
  end: number
  inside: boolean
}

/** The first non-empty occurrence that has not ended by `ts` (occurrences are ordered and disjoint). */
function occurrenceAt(e: ZoneEntry, ts: number, s: number, en: number): Occurrence {
  const today = localDay(e, ts)
  for (let day = today - 2; day <= today + 7; day++) {
    const start = resolve(e, day, s)
    const end = resolve(e, en < s ? day + 1 : day, en)
    if (end > ts && end > start) return { day, start, end, inside: start <= ts }
  }
  throw new Error('unreachable: a daily window occurs within a week')
}

/** Whether `ts` falls inside an occurrence of the daily window (start inclusive, end exclusive). */
export function inWindow(ts: number, zone: string, window: LocalWindow): boolean {
  const s = minutesOf(window.start)
  const en = minutesOf(window.end)
  const e = fastZone(ts, zone)
  if (e === null) {
    // not a whole-millisecond instant in a known zone: the wall clock, as Luxon reads it
    const d = local(ts, zone)
    const m = d.hour * 60 + d.minute
    return s < en ? m >= s && m < en : m >= s || m < en
  }
  const o = quietOffset(e, ts)
  if (o !== o) return occurrenceAt(e, ts, s, en).inside
  // no offset change within three days: every occurrence near ts is just the wall clock
  const m = minuteOfDay(wallMs(ts, o))
  return s < en ? m >= s && m < en : m >= s || m < en
}

/**
 * The window occurrence containing `ts`, or, if `ts` is outside the window, the next one.
 * `key` is the local date the occurrence belongs to (a night 22:00-06:00 is keyed by its evening);
 * `start` is atLocal(key, window.start). Always end > start, and inside === (start <= ts < end).
 */
export function windowAt(ts: number, zone: string, window: LocalWindow): { key: string; start: number; end: number; inside: boolean } {
  const occ = occurrenceAt(knownZone(zone), ts, minutesOf(window.start), minutesOf(window.end))
  const key = isoDay(occ.day) ?? DateTime.fromMillis(occ.day * DAY_MS, { zone: 'utc' }).toISODate()!
  return { key, start: occ.start, end: occ.end, inside: occ.inside }
}

const zoneValidity = new Map<string, boolean>()

/** Whether `zone` is an IANA zone this runtime knows; cached (rules ask it for every record). */
export function isTimeZone(zone: string): boolean {
  let valid = zoneValidity.get(zone)
  if (valid === undefined) {
    valid = DateTime.now().setZone(zone).isValid
    if (zoneValidity.size < 1000) zoneValidity.set(zone, valid)
  }
  return valid
}
