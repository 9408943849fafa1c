/**
 * Lookout's own device JSON, validated once here. Pure: the receipt time is an argument.
 *
 *   events:    {"type":"pendant.pressed","ts":"2026-11-21T10:00:00Z"}       ts optional (receipt time)
 *   telemetry: {"ts":"2026-11-21T10:00:00Z","temperature":17.5,"humidity":72}  ts optional, ≥ 1 metric
 *
 * A rejection names a stable reason (counted in /metrics) and a detail for the device; neither
 * repeats the payload's values.
 */
import { z } from 'zod'
import { parseJson } from './formats/json.ts'
import type { DeviceChannel } from './topics.ts'

export const REJECT_REASONS = [
  'payload_too_large',
  'payload_not_json',
  'payload_invalid',
  'timestamp_in_future',
  'topic_not_allowed',
] as const
export type RejectReason = (typeof REJECT_REASONS)[number]

/** Device clocks drift; further ahead than this is a fault, not drift. */
export const MAX_CLOCK_AHEAD_MS = 5 * 60_000
export const MAX_METRICS = 32
/** A device whose clock reads before this has lost its time (often 1970 after a reset). */
export const EARLIEST_TS = Date.parse('2000-01-01T00:00:00Z')

const timestamp = z.iso.datetime({ offset: true, error: 'ts must be an ISO 8601 date-time with a time zone, e.g. 2026-11-21T10:00:00Z' })

export const DeviceEventPayload = z.strictObject({
  type: z
    .string()
    .max(64)
    .regex(/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*){1,3}$/, 'type must be dotted lower-case words, e.g. pendant.pressed'),
  ts: timestamp.optional(),
})

/** What a metric name may be (also every canonical name, ingest/vocabulary/metrics.ts). */
export const METRIC_NAME = /^[a-z][a-z0-9_]{0,63}$/
export const DeviceTelemetryPayload = z
  .object({ ts: timestamp.optional() })
  .catchall(z.number({ error: 'telemetry values must be numbers' }).finite())
  .superRefine((value, ctx) => {
    const names = Object.keys(value).filter((k) => k !== 'ts')
    if (names.length === 0) ctx.addIssue({ code: 'custom', message: 'telemetry needs at least one numeric metric' })
    if (names.length > MAX_METRICS) ctx.addIssue({ code: 'custom', message: `at most ${MAX_METRICS} metrics per message` })
    for (const name of names) {
      if (!METRIC_NAME.test(name)) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'metric names are lower-case letters, digits and "_", starting with a letter' })
      }
    }
  })

export type DecodedPayload =
  | { kind: 'event'; ts: number; eventType: string }
  | { kind: 'telemetry'; ts: number; metrics: Record<string, number> }

export type DecodeResult = { ok: true; value: DecodedPayload } | { ok: false; reason: RejectReason; detail: string }

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ')
}

export function decodeDevicePayload(channel: Extract<DeviceChannel, 'events' | 'telemetry'>, payload: Buffer, receivedAt: number, maxBytes: number): DecodeResult {
  if (payload.length > maxBytes) {
    return { ok: false, reason: 'payload_too_large', detail: `payload is ${payload.length} bytes; the limit is ${maxBytes}` }
  }
  const json = parseJson(payload)
  if (!json.ok) return { ok: false, reason: json.reason as RejectReason, detail: json.detail }
  const schema = channel === 'events' ? DeviceEventPayload : DeviceTelemetryPayload
  const parsed = schema.safeParse(json.value)
  if (!parsed.success) return { ok: false, reason: 'payload_invalid', detail: describe(parsed.error) }
  const { ts: isoTs, ...rest } = parsed.data as { ts?: string } & Record<string, unknown>
  const ts = isoTs === undefined ? receivedAt : Date.parse(isoTs)
  if (ts < EARLIEST_TS) {
    return { ok: false, reason: 'payload_invalid', detail: 'ts is before 2000-01-01: the device clock is not set' }
  }
  if (ts > receivedAt + MAX_CLOCK_AHEAD_MS) {
    return { ok: false, reason: 'timestamp_in_future', detail: `ts is more than ${MAX_CLOCK_AHEAD_MS / 60_000} minutes ahead of the server clock` }
  }
  if (channel === 'events') return { ok: true, value: { kind: 'event', ts, eventType: rest.type as string } }
  return { ok: true, value: { kind: 'telemetry', ts, metrics: rest as Record<string, number> } }
}
