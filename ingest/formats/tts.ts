/**
 * The Things Stack v3 (TTN / TTI / open source) MQTT server uplinks (docs/domain.md C2;
 * TheThingsIndustries/lorawan-stack-docs: doc/content/integrations/data-formats). TTS omits
 * fields holding default values, so f_port and f_cnt default to 0 and frm_payload may be absent.
 *
 *   v3/<applicationId>@<tenantId>/devices/<deviceId>/up     TTN / TTI (TTN's tenant is "ttn")
 *   v3/<applicationId>/devices/<deviceId>/up                open source, no tenant
 *
 * Other events (join, down/*, service/data, location/solved) are event_ignored. The topic's
 * device and application ids must equal those in `end_device_ids`, and the uplink must carry a
 * DevEUI (Lookout identifies LoRaWAN devices by DevEUI), else uplink_invalid.
 * ts: uplink_message.received_at, else received_at, else the receipt time.
 * dedupeId: the `as:up:` correlation id (one per application uplink), else the first one.
 * model: `<brand_id>/<model_id>` of uplink_message.version_ids, the codec model naming of
 * ingest/codecs, so per-model vocabulary overrides apply to TTS-decoded payloads too.
 */
import { z } from 'zod'
import { checkKeys } from './json.ts'
import { base64Schema, decodeBase64, describeIssues, devEuiSchema, fCntSchema, fPortSchema, isoTimeSchema, objectSchema, type LorawanUplink } from './lorawan.ts'
import { checkIsoTimestamp } from './timestamps.ts'
import { accept, reject, type FormatResult } from './types.ts'

export interface TtsTopic {
  applicationId: string
  /** Absent on open-source The Things Stack. */
  tenantId?: string
  deviceId: string
  event: 'up'
}

/** TTS identifiers: lower-case letters and digits, single dashes between, 2-36 characters. */
const ID = '[a-z0-9](?:-?[a-z0-9]){1,35}'
const TOPIC = new RegExp(`^v3/(${ID})(?:@(${ID}))?/devices/(${ID})/(.+)$`)
export const TTS_IGNORED_EVENTS = [
  'join',
  'down/queued',
  'down/sent',
  'down/ack',
  'down/nack',
  'down/failed',
  'down/push',
  'down/replace',
  'service/data',
  'location/solved',
] as const

export function parseTtsTopic(topic: string): FormatResult<TtsTopic> {
  const match = TOPIC.exec(topic)
  if (match === null) return reject('topic_invalid', 'expected v3/<application id>[@<tenant id>]/devices/<device id>/up')
  const [, applicationId, tenantId, deviceId, event] = match as unknown as [string, string, string | undefined, string, string]
  if ((TTS_IGNORED_EVENTS as readonly string[]).includes(event)) return reject('event_ignored', `The Things Stack ${event} messages are not consumed`)
  if (event !== 'up') return reject('topic_invalid', 'unknown The Things Stack message; Lookout consumes .../up')
  const value: TtsTopic = { applicationId, deviceId, event: 'up' }
  if (tenantId !== undefined) value.tenantId = tenantId
  return accept(value)
}

export const TtsUplinkPayload = z.looseObject({
  end_device_ids: z.looseObject({
    device_id: z.string(),
    application_ids: z.looseObject({ application_id: z.string() }),
    dev_eui: devEuiSchema.optional(),
  }),
  correlation_ids: z.array(z.string().max(128)).max(64).optional(),
  received_at: isoTimeSchema.optional(),
  simulated: z.boolean().optional(),
  uplink_message: z.looseObject({
    f_port: fPortSchema,
    f_cnt: fCntSchema,
    frm_payload: base64Schema.optional(),
    decoded_payload: objectSchema.optional(),
    normalized_payload: z.array(objectSchema).optional(),
    received_at: isoTimeSchema.optional(),
    version_ids: z.looseObject({ brand_id: z.string().max(64).optional(), model_id: z.string().max(64).optional() }).optional(),
  }),
})

export interface TtsUplink extends LorawanUplink {
  applicationId: string
  tenantId?: string
  deviceId: string
  /** The application's payload formatter output; map it with normalizeFields. */
  decoded?: Record<string, unknown>
  /** Normalized payload (TTS normalizeUplink), one object per measurement, e.g. { air: { temperature } }. */
  normalized?: Record<string, unknown>[]
  /**
   * `<brand_id>/<model_id>` from uplink_message.version_ids (the device-repository entry the device
   * was registered with), e.g. `browan/tbwl100`: pass it to normalizeFields as `model`.
   */
  model?: string
  /** A simulated uplink (sent from the TTS console), not from the device. */
  simulated?: true
}

export function parseTtsUplink(json: unknown, topic: TtsTopic, receivedAt: number): FormatResult<TtsUplink> {
  const forbidden = checkKeys(json)
  if (forbidden !== undefined) return reject('payload_invalid', forbidden)
  const parsed = TtsUplinkPayload.safeParse(json)
  if (!parsed.success) return reject('uplink_invalid', `The Things Stack uplink: ${describeIssues(parsed.error)}`)
  const data = parsed.data
  const ids = data.end_device_ids
  if (ids.device_id !== topic.deviceId) return reject('uplink_invalid', 'end_device_ids.device_id differs from the device id in the topic')
  if (ids.application_ids.application_id !== topic.applicationId) {
    return reject('uplink_invalid', 'end_device_ids.application_ids.application_id differs from the application id in the topic')
  }
  if (ids.dev_eui === undefined) return reject('uplink_invalid', 'end_device_ids.dev_eui is missing: Lookout identifies LoRaWAN devices by DevEUI')
  const message = data.uplink_message
  const correlationIds = data.correlation_ids ?? []
  const dedupeId = correlationIds.find((id) => id.startsWith('as:up:')) ?? correlationIds[0]
  if (dedupeId === undefined) return reject('uplink_invalid', 'correlation_ids is missing or empty: there is no id to deduplicate the uplink by')
  const time = message.received_at ?? data.received_at
  const ts = time === undefined ? accept(receivedAt) : checkIsoTimestamp(time, receivedAt, message.received_at === undefined ? 'received_at' : 'uplink_message.received_at')
  if (!ts.ok) return ts
  const bytes = decodeBase64(message.frm_payload)
  if (bytes === undefined) return reject('uplink_invalid', 'uplink_message.frm_payload is longer than a LoRaWAN payload can be')
  const uplink: TtsUplink = {
    devEui: ids.dev_eui.toLowerCase(),
    ts: ts.value,
    fPort: message.f_port,
    fCnt: message.f_cnt,
    bytes,
    dedupeId,
    applicationId: topic.applicationId,
    deviceId: topic.deviceId,
  }
  if (topic.tenantId !== undefined) uplink.tenantId = topic.tenantId
  if (message.decoded_payload !== undefined) uplink.decoded = message.decoded_payload
  if (message.normalized_payload !== undefined) uplink.normalized = message.normalized_payload
  const brand = message.version_ids?.brand_id
  const model = message.version_ids?.model_id
  if (brand !== undefined && model !== undefined && brand !== '' && model !== '') uplink.model = `${brand}/${model}`
  if (data.simulated === true) uplink.simulated = true
  return accept(uplink)
}
