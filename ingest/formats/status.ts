/**
 * Lookout's own device status JSON, topic devices/<deviceId>/status (schema:
 * docs/schemas/device-status.schema.json). Pure: the receipt time is an argument. Never throws.
 *
 *   {"status":"heartbeat"}                     → status.heartbeat
 *   {"status":"battery","battery":18}          → battery = 18 (%)
 *   {"status":"mains.lost"}                    → mains.lost (any device-health event type)
 *   {"stc":"0085"}                             → mains.lost (SCAIP status code, vocabulary/scaip.ts)
 *   {"stc":"0010","dty":"0004"}                → pullcord.pulled (an alarm takes its event from dty)
 *   {"mty":"PI"}                               → status.heartbeat (SCAIP heartbeat)
 * Each may carry "ts" (ISO 8601 with a time zone; the ingest/device-payloads.ts rules) and
 * "battery". The SCAIP codes are also kept verbatim in `unmapped` (`stc`, `dty`:
 * docs/domain.md C6).
 * An `stc` that is not in the table is refused (status_code_unknown): Lookout cannot tell a new
 * alarm from noise, and the device must hear that its message was not understood.
 */
import { z } from 'zod'
import type { EventType } from '../../lib/event-types.ts'
import { SCAIP_MESSAGE_TYPES, scaipStatusEvent } from '../vocabulary/scaip.ts'
import { checkKeys } from './json.ts'
import { describeIssues } from './lorawan.ts'
import type { TimedNormalized } from './senml.ts'
import { checkIsoTimestamp } from './timestamps.ts'
import { accept, reject, type FormatResult } from './types.ts'

/** Device-health event types a device may state directly in `status`. */
export const STATUS_EVENT_TYPES = [
  'status.heartbeat',
  'battery.low',
  'battery.ok',
  'battery.failed',
  'mains.lost',
  'mains.restored',
  'link.lost',
  'link.restored',
  'radio.supervision_lost',
  'radio.supervision_restored',
  'tamper.detected',
  'device.fault',
] as const satisfies readonly EventType[]

/** Short words for the two commonest messages. */
export const STATUS_WORDS = { heartbeat: 'status.heartbeat', battery: null } as const satisfies Record<string, EventType | null>

const timestamp = z.iso.datetime({ offset: true, error: 'ts must be an ISO 8601 date-time with a time zone, e.g. 2026-11-21T10:00:00Z' })
const scaipCode = (what: string) => z.string().regex(/^[0-9]{4}$/, `${what} must be 4 digits, e.g. "0085"`)

export const DeviceStatusPayload = z
  .strictObject({
    status: z.enum([...(Object.keys(STATUS_WORDS) as (keyof typeof STATUS_WORDS)[]), ...STATUS_EVENT_TYPES]).optional(),
    battery: z.number().min(0).max(100).optional(),
    stc: scaipCode('stc').optional(),
    dty: scaipCode('dty').optional(),
    mty: z.enum(Object.keys(SCAIP_MESSAGE_TYPES) as [string, ...string[]]).optional(),
    ts: timestamp.optional(),
  })
  .refine((v) => v.status !== undefined || v.stc !== undefined || v.mty !== undefined || v.battery !== undefined, {
    message: 'a status message needs at least one of status, stc, mty or battery',
  })
  .refine((v) => v.status !== 'battery' || v.battery !== undefined, { message: 'status "battery" needs battery (0-100)', path: ['battery'] })

export function parseDeviceStatus(json: unknown, receivedAt: number): FormatResult<TimedNormalized> {
  const forbidden = checkKeys(json)
  if (forbidden !== undefined) return reject('payload_invalid', forbidden)
  const parsed = DeviceStatusPayload.safeParse(json)
  if (!parsed.success) return reject('payload_invalid', describeIssues(parsed.error))
  const message = parsed.data
  const events: string[] = []
  const add = (event: EventType | null | undefined): void => {
    if (event !== null && event !== undefined && !events.includes(event)) events.push(event)
  }
  if (message.stc !== undefined) {
    const event = scaipStatusEvent(message.stc, message.dty)
    if (event === undefined) return reject('status_code_unknown', 'stc is not a SCAIP status code Lookout knows (docs/vocabulary.md lists them)')
    add(event)
  }
  const ts = message.ts === undefined ? accept(receivedAt) : checkIsoTimestamp(message.ts, receivedAt, 'ts')
  if (!ts.ok) return ts
  if (message.status !== undefined) add(Object.hasOwn(STATUS_WORDS, message.status) ? STATUS_WORDS[message.status as keyof typeof STATUS_WORDS] : (message.status as EventType))
  if (message.mty !== undefined) add(SCAIP_MESSAGE_TYPES[message.mty]?.event)
  const metrics: Record<string, number> = message.battery === undefined ? {} : { battery: message.battery }
  const unmapped: Record<string, string> = {}
  if (message.stc !== undefined) unmapped.stc = message.stc
  if (message.dty !== undefined) unmapped.dty = message.dty
  return accept({ ts: ts.value, metrics, events, unmapped })
}
