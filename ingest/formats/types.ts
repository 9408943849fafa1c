/**
 * What every format parser returns. Parsers are pure (the receipt time is an argument) and never
 * throw: bad input is `{ ok: false, reason, detail }`. `reason` is stable (for counters and the
 * device's errors topic); `detail` says exactly what is wrong and never repeats payload values.
 */

/** Readings from one message at one time, in canonical names and units (ingest/vocabulary). */
export interface Normalized {
  /** When the readings were taken, epoch ms (absent: the caller uses the receipt time). */
  ts?: number | undefined
  /** Canonical metric name → value in the canonical unit (docs/vocabulary.md). */
  metrics: Record<string, number>
  /** Canonical event types (lib/event-types.ts), each at most once. */
  events: string[]
  /** Vendor field (dotted path for nested fields) → value as text: kept and flagged, not mapped. */
  unmapped: Record<string, string>
}

/**
 * payload_not_json     the bytes are not JSON
 * payload_invalid      JSON, but not the expected shape (Lookout's own formats), a key that could
 *                      pollute prototypes, or a timestamp before 2000 (the device clock is not set)
 * timestamp_in_future  a timestamp more than MAX_CLOCK_AHEAD_MS ahead of the receipt time
 * topic_invalid        the topic does not follow the format's grammar
 * event_ignored        a well-formed topic for an event Lookout does not consume (ChirpStack ack,
 *                      txack, location, integration; TTS join, down/*): not an error, just skip it
 * senml_invalid        the SenML pack breaks RFC 8428 (structure, field types, names, version,
 *                      mixed versions, a must-understand field, too many records)
 * uplink_invalid       a ChirpStack or The Things Stack message that is not a valid uplink/event,
 *                      or whose device does not match its topic
 * status_code_unknown  a SCAIP status code (`stc`) that is not in the table (docs/vocabulary.md)
 */
export const FORMAT_REJECT_REASONS = [
  'payload_not_json',
  'payload_invalid',
  'timestamp_in_future',
  'topic_invalid',
  'event_ignored',
  'senml_invalid',
  'uplink_invalid',
  'status_code_unknown',
] as const
export type FormatRejectReason = (typeof FORMAT_REJECT_REASONS)[number]

export type FormatResult<T> = { ok: true; value: T } | { ok: false; reason: FormatRejectReason; detail: string }

export function accept<T>(value: T): FormatResult<T> {
  return { ok: true, value }
}

export function reject<T = never>(reason: FormatRejectReason, detail: string): FormatResult<T> {
  return { ok: false, reason, detail }
}
