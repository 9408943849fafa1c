/**
 * Pieces shared by the metric rule kinds (immediate, threshold, sustained, rate-of-change): reading
 * one metric from a record, the above/below comparison and its schema, the subject's time zone, and
 * counting time inside a local daily window and local months. Pure.
 */
import { z } from 'zod'
import type { IngestRecord } from '../../lib/records.ts'
import type { Subject } from '../engine/types.ts'
import { DEFAULT_TIME_ZONE, atLocal, inWindow, isTimeZone, localDate, localMonth, nextLocal, type LocalWindow } from '../time.ts'

export const MINUTE_MS = 60_000

/** The metric-name rule ingest applies to telemetry (ingest/device-payloads.ts), so a rule can only name a metric that can exist. */
export function metricName(field = 'metric') {
  return z
    .string({ error: `${field} must be a metric name, e.g. "humidity"` })
    .regex(/^[a-z][a-z0-9_]{0,63}$/, `${field} must be lower-case letters, digits and "_", starting with a letter (as telemetry metric names are)`)
}

/** `metricName()` for the field `metric` (also used by rules/kinds/evidence.ts). */
export const MetricName = metricName()

/** An object's own type error; other issues (an unknown key names itself) keep zod's message. */
export function objectError(message: string) {
  return { error: (issue: { code?: string | undefined }) => (issue.code === 'invalid_type' ? message : undefined) }
}

/** A finite number; `field` is named in the message. */
export function finite(field: string) {
  return z.number({ error: `${field} must be a number` }).finite(`${field} must be a finite number`)
}

/** A positive number of minutes, at most `max`; `field` is named in the message. */
export function minutes(field: string, max: number) {
  return finite(field).positive(`${field} must be more than 0 minutes`).max(max, `${field} must be at most ${max} minutes`)
}

/** A limit on one side: the value is "beyond" when strictly above `above` or strictly below `below`. */
export type Limit = { above: number; below?: undefined } | { below: number; above?: undefined }

/** Exactly one of `above` / `below` must be given (a rule watches one side; write two rules for both). */
export function checkOneSide(p: { above?: number | undefined; below?: number | undefined }, ctx: z.RefinementCtx): void {
  if (p.above === undefined && p.below === undefined) {
    ctx.addIssue({ code: 'custom', path: ['above'], message: 'above or below is required: the limit the metric must cross' })
  } else if (p.above !== undefined && p.below !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['below'], message: 'give only one of above and below (write two rules to watch both sides)' })
  }
}

/** The limit on whichever side is set. */
export function limitOf(p: { above?: number | undefined; below?: number | undefined }): number {
  return p.above ?? p.below ?? Number.NaN
}

/** Strict: a value equal to the limit is not beyond it. */
export function isBeyond(value: number, p: { above?: number | undefined; below?: number | undefined }): boolean {
  if (p.above !== undefined) return value > p.above
  if (p.below !== undefined) return value < p.below
  return false
}

/** A usable timestamp: a finite number (records are validated at ingest; state may be old or odd). */
export function isTs(ts: unknown): ts is number {
  return typeof ts === 'number' && Number.isFinite(ts)
}

/** The finite value of metric `name` in a telemetry record with a usable ts, else undefined (events, other metrics, odd input). */
export function metricOf(record: IngestRecord, name: string): number | undefined {
  if (record === null || typeof record !== 'object' || record.kind !== 'telemetry' || !isTs(record.ts)) return undefined
  const metrics = record.metrics as Record<string, unknown> | undefined
  if (metrics === null || typeof metrics !== 'object' || !Object.hasOwn(metrics, name)) return undefined
  const value = metrics[name]
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/** The subject's IANA zone; an unknown zone falls back to the default rather than throwing mid-evaluation. */
export function zoneOf(subject: Subject): string {
  const zone = subject?.timeZone
  return typeof zone === 'string' && zone !== '' && isTimeZone(zone) ? zone : DEFAULT_TIME_ZONE
}

/** Rounds for `facts`: enough precision to explain, short to read. */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

export type Interval = [start: number, end: number]

/** Local months 1-12, each once; F01's heating season is [10, 11, 12, 1, 2, 3, 4]. */
export const Months = z
  .array(z.number({ error: 'months must be month numbers 1-12' }).int('months must be whole month numbers 1-12').min(1, 'months are 1-12').max(12, 'months are 1-12'), {
    error: 'months must be a list of month numbers 1-12',
  })
  .min(1, 'months needs at least one month (leave it out to count every month)')
  .refine((ms) => new Set(ms).size === ms.length, 'months lists a month twice')

/** The instant the next local month begins after `ts` (local midnight on the 1st). */
function nextMonthStart(ts: number, zone: string): number {
  const [y, m] = localDate(ts, zone).split('-').map(Number) as [number, number]
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`
  return atLocal(next, '00:00', zone)
}

/** Splits [a, b) at local boundaries; `inside(t)` says whether the piece starting at t counts, `until(t)` where it ends. */
function clip(pieces: Interval[], zone: string, inside: (t: number) => boolean, boundaryAfter: (t: number, inside: boolean) => number): Interval[] {
  const out: Interval[] = []
  for (const [a, b] of pieces) {
    let t = a
    // each step moves t strictly forward to the next local boundary; the guard only stops a broken zone
    for (let guard = 0; t < b && guard < 1000; guard++) {
      const isIn = inside(t)
      const next = boundaryAfter(t, isIn)
      const end = next > t ? Math.min(b, next) : b
      if (isIn) out.push([t, end])
      t = end
    }
  }
  return out
}

/**
 * The parts of [a, b) that count: inside the local daily `window` (start inclusive, end exclusive,
 * across midnight) and in one of the local `months`. Boundaries come from rules/time.ts, so a
 * 22:00-06:00 night is 7 h on the spring-forward night and 9 h on the fall-back night in London.
 */
export function countedParts(a: number, b: number, zone: string, window?: LocalWindow, months?: readonly number[]): Interval[] {
  if (!(b > a)) return []
  let pieces: Interval[] = [[a, b]]
  if (months !== undefined) {
    pieces = clip(pieces, zone, (t) => months.includes(localMonth(t, zone)), (t) => nextMonthStart(t, zone))
  }
  if (window !== undefined) {
    pieces = clip(pieces, zone, (t) => inWindow(t, zone, window), (t, isIn) => nextLocal(t, zone, isIn ? window.end : window.start))
  }
  return pieces
}
