/**
 * The timestamp rules of Lookout's own JSON (ingest/device-payloads.ts), shared by every format:
 * before 2000 the device clock is not set; more than MAX_CLOCK_AHEAD_MS ahead of the receipt time
 * is a clock fault, not drift.
 */
import { EARLIEST_TS, MAX_CLOCK_AHEAD_MS } from '../device-payloads.ts'
import { accept, reject, type FormatResult } from './types.ts'

export { EARLIEST_TS, MAX_CLOCK_AHEAD_MS }

/** `what` names the field in the detail, e.g. "ts" or "uplink_message.received_at". */
export function checkTimestamp(ts: number, receivedAt: number, what: string): FormatResult<number> {
  if (!Number.isFinite(ts)) return reject('payload_invalid', `${what} is not a valid time`)
  if (ts < EARLIEST_TS) return reject('payload_invalid', `${what} is before 2000-01-01: the device clock is not set`)
  if (ts > receivedAt + MAX_CLOCK_AHEAD_MS) {
    return reject('timestamp_in_future', `${what} is more than ${MAX_CLOCK_AHEAD_MS / 60_000} minutes ahead of the server clock`)
  }
  return accept(ts)
}

/** An ISO 8601 date-time with a time zone (as zod's z.iso.datetime({ offset: true }) accepts) → checked epoch ms. */
export function checkIsoTimestamp(iso: string, receivedAt: number, what: string): FormatResult<number> {
  return checkTimestamp(Date.parse(iso), receivedAt, what)
}
