/**
 * ChirpStack v4 MQTT integration (docs/domain.md C1; chirpstack/chirpstack:
 * api/proto/integration/integration.proto, protobuf JSON mapping: camelCase, zero values omitted).
 *
 *   application/<applicationId>/device/<devEui>/event/<up|status|log|join>
 *
 * up      → LorawanUplink (+ `object`, the profile codec's output, when the profile has a codec)
 * status  → battery (%) unless on external power or unknown, link margin (dB), external_power 0/1
 * log     → the code's event (vocabulary CHIRPSTACK_LOG_CODES), code/level/description as facts
 * join    → lorawan.joined
 * ack, txack, location, integration → event_ignored.
 * The DevEUI and application id of the topic must equal those of `deviceInfo`, else uplink_invalid:
 * a message must not be booked to another device.
 */
import { z } from 'zod'
import { checkKeys } from './json.ts'
import { base64Schema, decodeBase64, describeIssues, devEuiSchema, fCntSchema, fPortSchema, isoTimeSchema, objectSchema, type LorawanUplink } from './lorawan.ts'
import { checkIsoTimestamp } from './timestamps.ts'
import { accept, reject, type FormatResult, type Normalized } from './types.ts'
import { chirpstackLogEvent } from '../vocabulary/chirpstack-log-codes.ts'
import { normalizeFields } from '../vocabulary/normalize.ts'

export const CHIRPSTACK_EVENTS = ['up', 'status', 'log', 'join'] as const
export type ChirpstackEvent = (typeof CHIRPSTACK_EVENTS)[number]
/** Published by ChirpStack, not consumed by Lookout. */
export const CHIRPSTACK_IGNORED_EVENTS = ['ack', 'txack', 'location', 'integration'] as const

export interface ChirpstackTopic {
  applicationId: string
  /** Lower-case. */
  devEui: string
  event: ChirpstackEvent
}

const TOPIC = /^application\/([0-9A-Fa-f-]{36})\/device\/([0-9A-Fa-f]{16})\/event\/([a-z]+)$/

export function parseChirpstackTopic(topic: string): FormatResult<ChirpstackTopic> {
  const match = TOPIC.exec(topic)
  if (match === null) return reject('topic_invalid', 'expected application/<application UUID>/device/<16-hex-digit DevEUI>/event/<event>')
  const [, applicationId, devEui, event] = match as unknown as [string, string, string, string]
  if ((CHIRPSTACK_IGNORED_EVENTS as readonly string[]).includes(event)) return reject('event_ignored', `ChirpStack ${event} events are not consumed`)
  if (!(CHIRPSTACK_EVENTS as readonly string[]).includes(event)) return reject('topic_invalid', `unknown ChirpStack event; expected one of ${CHIRPSTACK_EVENTS.join(', ')}`)
  return accept({ applicationId: applicationId.toLowerCase(), devEui: devEui.toLowerCase(), event: event as ChirpstackEvent })
}

const DeviceInfo = z.looseObject({
  tenantId: z.string().optional(),
  applicationId: z.string(),
  devEui: devEuiSchema,
  deviceProfileName: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
})

export const ChirpstackUpPayload = z.looseObject({
  deduplicationId: z.string().min(1).max(64),
  time: isoTimeSchema.optional(),
  deviceInfo: DeviceInfo,
  fPort: fPortSchema,
  fCnt: fCntSchema,
  data: base64Schema.optional(),
  object: objectSchema.optional(),
})

export const ChirpstackStatusPayload = z.looseObject({
  deduplicationId: z.string().max(64).optional(),
  time: isoTimeSchema.optional(),
  deviceInfo: DeviceInfo,
  margin: z.number().int().default(0),
  externalPowerSource: z.boolean().default(false),
  batteryLevelUnavailable: z.boolean().default(false),
  batteryLevel: z.number().optional(),
})

export const ChirpstackLogPayload = z.looseObject({
  time: isoTimeSchema.optional(),
  deviceInfo: DeviceInfo,
  level: z.string().max(16).default('INFO'),
  code: z.string().max(64).default('UNKNOWN'),
  description: z.string().optional(),
  context: z.record(z.string(), z.string()).optional(),
})

export const ChirpstackJoinPayload = z.looseObject({
  deduplicationId: z.string().max(64).optional(),
  time: isoTimeSchema.optional(),
  deviceInfo: DeviceInfo,
  devAddr: z.string().max(8).optional(),
})

export interface ChirpstackUplink extends LorawanUplink {
  applicationId: string
  tenantId?: string
  deviceProfileName?: string
  /**
   * deviceInfo.tags, e.g. { uprn, room } (docs/domain.md C6: they can carry the site; Lookout
   * takes the site from the registry).
   */
  tags?: Record<string, string>
  /** The device-profile codec's output; map it with normalizeFields. */
  object?: Record<string, unknown>
}

/** A status, log or join event as readings and events at one time. */
export interface ChirpstackDeviceEvent {
  devEui: string
  dedupeId?: string
  normalized: Normalized & { ts: number }
}

const MAX_LOG_DESCRIPTION = 256

type Parsed<S extends z.ZodType> = FormatResult<{ data: z.output<S>; ts: number }>

function parseEvent<S extends z.ZodType>(schema: S, json: unknown, topic: ChirpstackTopic, receivedAt: number): Parsed<S> {
  const forbidden = checkKeys(json)
  if (forbidden !== undefined) return reject('payload_invalid', forbidden)
  const parsed = schema.safeParse(json)
  if (!parsed.success) return reject('uplink_invalid', `ChirpStack ${topic.event} event: ${describeIssues(parsed.error)}`)
  const data = parsed.data as { deviceInfo: z.output<typeof DeviceInfo>; time?: string }
  if (data.deviceInfo.devEui.toLowerCase() !== topic.devEui) return reject('uplink_invalid', 'deviceInfo.devEui differs from the DevEUI in the topic')
  if (data.deviceInfo.applicationId.toLowerCase() !== topic.applicationId) {
    return reject('uplink_invalid', 'deviceInfo.applicationId differs from the application id in the topic')
  }
  const ts = data.time === undefined ? accept(receivedAt) : checkIsoTimestamp(data.time, receivedAt, 'time')
  if (!ts.ok) return ts
  return accept({ data: parsed.data, ts: ts.value })
}

export function parseChirpstackUp(json: unknown, topic: ChirpstackTopic, receivedAt: number): FormatResult<ChirpstackUplink> {
  if (topic.event !== 'up') return reject('uplink_invalid', `the topic is a ${topic.event} event, not an uplink`)
  const parsed = parseEvent(ChirpstackUpPayload, json, topic, receivedAt)
  if (!parsed.ok) return parsed
  const { data, ts } = parsed.value
  const bytes = decodeBase64(data.data)
  if (bytes === undefined) return reject('uplink_invalid', 'data is longer than a LoRaWAN payload can be')
  const info = data.deviceInfo
  const uplink: ChirpstackUplink = {
    devEui: topic.devEui,
    ts,
    fPort: data.fPort,
    fCnt: data.fCnt,
    bytes,
    dedupeId: data.deduplicationId,
    applicationId: topic.applicationId,
  }
  if (info.tenantId !== undefined) uplink.tenantId = info.tenantId
  if (info.deviceProfileName !== undefined) uplink.deviceProfileName = info.deviceProfileName
  if (info.tags !== undefined) uplink.tags = info.tags
  if (data.object !== undefined) uplink.object = data.object
  return accept(uplink)
}

export function parseChirpstackStatus(json: unknown, topic: ChirpstackTopic, receivedAt: number): FormatResult<ChirpstackDeviceEvent> {
  if (topic.event !== 'status') return reject('uplink_invalid', `the topic is a ${topic.event} event, not a status event`)
  const parsed = parseEvent(ChirpstackStatusPayload, json, topic, receivedAt)
  if (!parsed.ok) return parsed
  const { data, ts } = parsed.value
  // on external power ChirpStack reports battery 0, and "unavailable" means the device could not
  // measure it: neither is an empty battery, so neither becomes a battery reading
  const fields: Record<string, unknown> = { margin: data.margin, externalPowerSource: data.externalPowerSource }
  if (data.batteryLevelUnavailable) fields.batteryLevelUnavailable = true
  else if (!data.externalPowerSource && data.batteryLevel !== undefined) fields.batteryLevel = data.batteryLevel
  const normalized = normalizeFields(fields)
  return accept(withDedupe({ devEui: topic.devEui, normalized: { ...normalized, ts } }, data.deduplicationId))
}

export function parseChirpstackLog(json: unknown, topic: ChirpstackTopic, receivedAt: number): FormatResult<ChirpstackDeviceEvent> {
  if (topic.event !== 'log') return reject('uplink_invalid', `the topic is a ${topic.event} event, not a log event`)
  const parsed = parseEvent(ChirpstackLogPayload, json, topic, receivedAt)
  if (!parsed.ok) return parsed
  const { data, ts } = parsed.value
  const event = chirpstackLogEvent(data.code)
  const unmapped: Record<string, string> = { 'log.code': data.code, 'log.level': data.level }
  if (data.description !== undefined) unmapped['log.description'] = data.description.slice(0, MAX_LOG_DESCRIPTION)
  const normalized = { ts, metrics: {}, events: event === null ? [] : [event], unmapped }
  return accept(withDedupe({ devEui: topic.devEui, normalized }, data.context?.deduplication_id))
}

export function parseChirpstackJoin(json: unknown, topic: ChirpstackTopic, receivedAt: number): FormatResult<ChirpstackDeviceEvent> {
  if (topic.event !== 'join') return reject('uplink_invalid', `the topic is a ${topic.event} event, not a join event`)
  const parsed = parseEvent(ChirpstackJoinPayload, json, topic, receivedAt)
  if (!parsed.ok) return parsed
  const { data, ts } = parsed.value
  const unmapped: Record<string, string> = data.devAddr === undefined ? {} : { devAddr: data.devAddr }
  return accept(withDedupe({ devEui: topic.devEui, normalized: { ts, metrics: {}, events: ['lorawan.joined'], unmapped } }, data.deduplicationId))
}

function withDedupe(event: ChirpstackDeviceEvent, dedupeId: string | undefined): ChirpstackDeviceEvent {
  if (dedupeId !== undefined) event.dedupeId = dedupeId
  return event
}
