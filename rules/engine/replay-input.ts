/**
 * The inputs of the replay harness, parsed with line numbers: events as JSON lines and an optional
 * devices file (docs/rules.md, "Testing rules"). Pure: text in, events and devices out, or a
 * REPLAY_INPUT_INVALID error naming the file, line and field.
 *
 *   {"ts":"2026-01-05T22:10:00Z","deviceId":"bed-1","deviceType":"bed-sensor","type":"bed.exited"}
 *   {"ts":"2026-01-05T22:15:00Z","deviceId":"env-1","metrics":{"humidity":72}}
 *
 * Blank lines and lines starting with "#" are skipped. Event types are read as ingest hands them on:
 * a `button.pressed` of a pendant or pull-cord is its alarm (lib/button-alarms.ts).
 */
import { DateTime } from 'luxon'
import { z } from 'zod'
import { eventOnDevice } from '../../lib/button-alarms.ts'
import { DEVICE_ID, DEVICE_ID_RULE, SITE_ID } from '../../lib/ids.ts'
import { LookoutError } from '../../lib/errors.ts'
import { DEVICE_TYPES, type DeviceType } from '../../lib/device-types.ts'
import { fieldIssues, renderPath } from '../definitions/issues.ts'
import { DEFAULT_TIME_ZONE, isTimeZone } from '../time.ts'

/** An instant: ISO 8601 with a zone ("2026-01-05T22:10:00Z", "…+01:00"), or epoch ms. */
export const Instant = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/i, 'an instant is ISO 8601 with a zone, e.g. "2026-01-05T22:10:00Z"')
    .refine((s) => DateTime.fromISO(s, { setZone: true }).isValid, 'not a real date and time'),
])

export function instantMs(value: number | string): number {
  return typeof value === 'number' ? value : DateTime.fromISO(value, { setZone: true }).toMillis()
}

const DeviceFields = {
  deviceId: z.string().regex(DEVICE_ID, `a device id is ${DEVICE_ID_RULE}`),
  deviceType: z.enum(DEVICE_TYPES).optional(),
  site: z.string().regex(SITE_ID, `a site id is ${DEVICE_ID_RULE}`).optional(),
  timeZone: z.string().refine(isTimeZone, 'a time zone is an IANA name such as "Europe/London"').optional(),
  hub: z.string().regex(DEVICE_ID, `a hub is a device id: ${DEVICE_ID_RULE}`).optional(),
  resident: z.string().min(1).max(64).optional(),
}

const EventLine = z
  .strictObject({
    ts: Instant,
    receivedAt: Instant.optional(),
    ...DeviceFields,
    type: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/, 'an event type is dotted lower case, e.g. "bed.exited"').optional(),
    metrics: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'a metric name is lower-case letters, digits and "_"'), z.number().finite()).optional(),
  })
  .superRefine((line, ctx) => {
    if ((line.type === undefined) === (line.metrics === undefined)) {
      ctx.addIssue({ code: 'custom', path: [line.type === undefined ? 'type' : 'metrics'], message: 'give exactly one of "type" (an event) and "metrics" (telemetry)' })
    }
  })

const DeviceLine = z.strictObject({ ...DeviceFields, deviceType: z.enum(DEVICE_TYPES), registeredAt: Instant.optional() })
const DevicesFile = z.union([z.array(z.unknown()), z.strictObject({ devices: z.array(z.unknown()) })])

/** A device of the replay: a Subject without its tenant (the rules file's), and when it was registered. */
export interface ReplayDevice {
  deviceId: string
  deviceType: DeviceType
  site: string
  timeZone: string
  hub?: string | undefined
  resident?: string | undefined
  /** Epoch ms; undefined: at the start of the replay. */
  registeredAt?: number | undefined
}

export interface ReplayEvent {
  /** 1-based line in the events file. */
  line: number
  deviceId: string
  ts: number
  receivedAt?: number | undefined
  eventType?: string | undefined
  metrics?: Record<string, number> | undefined
}

export interface ReplayInput {
  events: ReplayEvent[]
  devices: ReplayDevice[]
}

export const DEFAULT_SITE = 'unassigned'

function invalid(where: string, message: string): never {
  throw new LookoutError('REPLAY_INPUT_INVALID', `${where}: ${message}`)
}

function firstProblem(error: z.ZodError, input: unknown): string {
  const issues = fieldIssues(error, input, [], (path) => (path.length === 0 ? Object.keys(EventLine.shape) : []))
  return issues.map((i) => `${renderPath(i.path)}: ${i.message}`).join('; ')
}

/** Parses a devices file: a JSON array of devices, or { "devices": [...] }. */
export function parseDevicesJson(text: string, file = 'devices file'): ReplayDevice[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    invalid(file, `not valid JSON: ${(err as Error).message}`)
  }
  const parsed = DevicesFile.safeParse(value)
  if (!parsed.success) invalid(file, 'expected a JSON array of devices, or {"devices": [...]}')
  const list = Array.isArray(parsed.data) ? parsed.data : parsed.data.devices
  const seen = new Set<string>()
  return list.map((entry, i) => {
    const device = DeviceLine.safeParse(entry)
    if (!device.success) invalid(`${file} devices[${i}]`, fieldIssues(device.error, entry).map((x) => `${renderPath(x.path)}: ${x.message}`).join('; '))
    const d = device.data
    if (seen.has(d.deviceId)) invalid(`${file} devices[${i}]`, `device "${d.deviceId}" is listed twice`)
    seen.add(d.deviceId)
    return {
      deviceId: d.deviceId,
      deviceType: d.deviceType,
      site: d.site ?? DEFAULT_SITE,
      timeZone: d.timeZone ?? DEFAULT_TIME_ZONE,
      hub: d.hub,
      resident: d.resident,
      registeredAt: d.registeredAt === undefined ? undefined : instantMs(d.registeredAt),
    }
  })
}

type DeviceField = 'deviceType' | 'site' | 'timeZone' | 'hub' | 'resident'
const DEVICE_FIELDS: DeviceField[] = ['deviceType', 'site', 'timeZone', 'hub', 'resident']

/**
 * Parses events JSONL. Devices come from `devices` (a devices file), else from the fields of event
 * lines (the first line naming a device must give its deviceType; site defaults to "unassigned",
 * timeZone to Europe/London); a later line may repeat a field but not change it.
 */
export function parseEventsJsonl(text: string, devices: readonly ReplayDevice[] = [], file = 'events file'): ReplayInput {
  const known = new Map<string, ReplayDevice & { from: Partial<Record<DeviceField, number>> }>()
  for (const d of devices) known.set(d.deviceId, { ...d, from: {} })
  const events: ReplayEvent[] = []
  const lines = text.split(/\r?\n/)
  lines.forEach((raw, i) => {
    const line = i + 1
    const trimmed = raw.trim()
    if (trimmed === '' || trimmed.startsWith('#')) return
    const where = `${file} line ${line}`
    let value: unknown
    try {
      value = JSON.parse(trimmed)
    } catch (err) {
      invalid(where, `not valid JSON: ${(err as Error).message}`)
    }
    const parsed = EventLine.safeParse(value)
    if (!parsed.success) invalid(where, firstProblem(parsed.error, value))
    const e = parsed.data
    let device = known.get(e.deviceId)
    if (!device) {
      if (e.deviceType === undefined) invalid(where, `deviceType: required on the first line of device "${e.deviceId}" (or list the device in a devices file)`)
      device = { deviceId: e.deviceId, deviceType: e.deviceType, site: DEFAULT_SITE, timeZone: DEFAULT_TIME_ZONE, from: {} }
      for (const field of DEVICE_FIELDS) {
        if (e[field] !== undefined) {
          ;(device as unknown as Record<string, unknown>)[field] = e[field]
          device.from[field] = line
        }
      }
      known.set(e.deviceId, device)
    } else {
      for (const field of DEVICE_FIELDS) {
        const given = e[field]
        if (given === undefined) continue
        const from = device.from[field]
        if (device[field] !== given) {
          invalid(where, `${field}: "${given}" differs from "${device[field] ?? ''}" given for device "${e.deviceId}" ${from === undefined ? 'in the devices file or by default' : `on line ${from}`}`)
        }
      }
    }
    const ts = instantMs(e.ts)
    const receivedAt = e.receivedAt === undefined ? undefined : instantMs(e.receivedAt)
    if (receivedAt !== undefined && receivedAt < ts) invalid(where, 'receivedAt: before ts (a record is received after it happens)')
    // as ingest hands it on: a button press on a pendant is a pendant press
    const eventType = e.type === undefined ? undefined : eventOnDevice(device.deviceType, e.type)
    events.push({ line, deviceId: e.deviceId, ts, receivedAt, eventType, metrics: e.metrics })
  })
  return { events, devices: [...known.values()].map(({ from: _from, ...d }) => d) }
}
