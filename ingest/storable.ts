/**
 * The last step before records are handed on durably, which every format goes through
 * (decode-message.ts): what InfluxDB would refuse, or store where it misleads every query, is
 * refused here with a reason, so that an acknowledged record is a stored one. Pure; never throws.
 * docs/errors.md ("What InfluxDB would refuse") lists each case, as influxd 1.6 answers it.
 *
 * - A metric named like a tag key or `time` (RESERVED_FIELD_NAMES) is refused,
 *   `metric_name_reserved`: InfluxDB refuses a field `time`, and a field `tenant` makes
 *   `WHERE "tenant" = …` compare the field, so every tenant's reads come back empty.
 * - Anything else InfluxDB would refuse cannot come from a format that validated its input, and
 *   is refused as `payload_invalid` should it ever: a metric name that is not METRIC_NAME, a value
 *   that is not a finite number (line protocol has no NaN or Infinity), a tag value that is empty
 *   or holds a backslash or a control character, a time that is not a whole number of ms between
 *   2000 and 5 minutes ahead of receipt (InfluxDB's range is 1677-2262).
 * - Vendor field names (`unmapped`) are the network server's or the codec's, not the device's
 *   choice (Browan's door sensor reports `time`), so they are not refused: one InfluxDB cannot hold
 *   as is is kept under a safe name (unmappedFieldKey), its value unchanged.
 */
import { RESERVED_FIELD_NAMES, type IngestRecord, type TelemetryRecord } from '../lib/records.ts'
import { EARLIEST_TS, MAX_CLOCK_AHEAD_MS, METRIC_NAME } from './device-payloads.ts'

/** Reasons of this step besides the formats' own (payload_invalid, timestamp_in_future). */
export const STORE_REJECT_REASONS = ['metric_name_reserved'] as const

export type Storable = { ok: true; records: IngestRecord[] } | { ok: false; reason: 'metric_name_reserved' | 'payload_invalid' | 'timestamp_in_future'; detail: string }

/** Longer vendor field names are cut (InfluxDB refuses a series and field key over 64 KiB). */
export const MAX_UNMAPPED_KEY_LENGTH = 128
/** Line breaks end a line-protocol line; a backslash before `=` or at the end breaks the key's escaping. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach a line-protocol key
const UNSAFE_KEY_CHARACTERS = /[\u0000-\u001f\u007f\\]/g
// eslint-disable-next-line no-control-regex -- nor a tag value
const TAG_VALUE = /^[^\u0000-\u001f\u007f\\]+$/

/**
 * The field key a vendor field is stored under: backslashes and control characters become `_`,
 * a name longer than MAX_UNMAPPED_KEY_LENGTH characters is cut (ending in `…`), an empty name is
 * `_empty`, and a reserved name gets a trailing `_` (`time` → `time_`).
 */
export function unmappedFieldKey(name: string): string {
  let key = name.replace(UNSAFE_KEY_CHARACTERS, '_')
  const chars = [...key]
  if (chars.length > MAX_UNMAPPED_KEY_LENGTH) key = `${chars.slice(0, MAX_UNMAPPED_KEY_LENGTH - 1).join('')}…`
  if (key === '') return '_empty'
  return RESERVED_FIELD_NAMES.includes(key) ? `${key}_` : key
}

/** The records as they may be stored, or why the message must be refused. */
export function storableRecords(records: IngestRecord[]): Storable {
  for (const record of records) {
    const problem = problemOf(record)
    if (problem !== undefined) return problem
  }
  return { ok: true, records: records.map(withSafeUnmappedKeys) }
}

function refuse(reason: 'metric_name_reserved' | 'payload_invalid' | 'timestamp_in_future', detail: string): Storable {
  return { ok: false, reason, detail }
}

function problemOf(record: IngestRecord): Storable | undefined {
  const tags: [string, string][] = [
    ['tenant', record.tenant],
    ['device', record.deviceId],
    ['site', record.site],
    ['device type', record.deviceType],
  ]
  if (record.kind === 'event') tags.push(['event type', record.eventType])
  for (const [what, value] of tags) {
    if (typeof value !== 'string' || !TAG_VALUE.test(value)) return refuse('payload_invalid', `the ${what} cannot be stored (empty, a backslash or a control character)`)
  }
  if (!Number.isSafeInteger(record.ts) || record.ts < EARLIEST_TS) return refuse('payload_invalid', 'the time is before 2000-01-01 or not a time: the device clock is not set')
  if (record.ts > record.receivedAt + MAX_CLOCK_AHEAD_MS) {
    return refuse('timestamp_in_future', `the time is more than ${MAX_CLOCK_AHEAD_MS / 60_000} minutes ahead of the server clock`)
  }
  if (record.kind === 'event') return undefined
  for (const [name, value] of Object.entries(record.metrics)) {
    if (RESERVED_FIELD_NAMES.includes(name)) {
      return refuse('metric_name_reserved', `metric ${name} is reserved: ${RESERVED_FIELD_NAMES.join(', ')} name the tags and the time of stored points`)
    }
    if (!METRIC_NAME.test(name)) return refuse('payload_invalid', 'metric names are lower-case letters, digits and "_", starting with a letter')
    if (typeof value !== 'number' || !Number.isFinite(value)) return refuse('payload_invalid', `metric ${name} is not a finite number`)
  }
  for (const value of Object.values(record.unmapped ?? {})) {
    if (typeof value !== 'string') return refuse('payload_invalid', 'an unmapped field is not text')
  }
  return undefined
}

function withSafeUnmappedKeys(record: IngestRecord): IngestRecord {
  if (record.kind === 'event' || record.unmapped === undefined) return record
  const entries = Object.entries(record.unmapped)
  if (entries.every(([name]) => unmappedFieldKey(name) === name)) return record
  const unmapped: Record<string, string> = {}
  for (const [name, value] of entries) {
    const base = unmappedFieldKey(name)
    let key = base
    for (let n = 2; Object.hasOwn(unmapped, key); n++) key = `${base}#${n}`
    unmapped[key] = value
  }
  return { ...record, unmapped } satisfies TelemetryRecord
}
