/**
 * From an MQTT message to records: which format a topic carries for this principal (`route`, which
 * is also the publish ACL), and decoding its payload into canonical records (`decode`).
 *
 *   device        devices/<own id>/events | telemetry | status | senml
 *   chirpstack    application/<app>/device/<devEui>/event/<up|status|log|join>   (ChirpStack v4)
 *   tts           v3/<app>[@<tenant>]/devices/<device>/up                       (The Things Stack v3)
 *
 * LoRaWAN uplinks use the network server's decoded object when present, else the raw bytes go
 * through the device's codec (built in, or the tenant's own in the sandbox). Fields are mapped to
 * the canonical vocabulary; unknown fields are kept as text (`unmapped`) and counted. A button press
 * on a pendant or pull-cord becomes its alarm (lib/button-alarms.ts), from every format.
 *
 * An integration may publish for devices registered to its own tenant only: an uplink for an
 * unknown DevEUI, or one of another tenant, is rejected (acknowledged, not stored, counted, and
 * reported on the integration's errors topic), so one unregistered sensor cannot cut off a network
 * server. Both get the same answer, so an integration cannot learn which DevEUIs other tenants own;
 * only Lookout's log tells them apart (`cause`). Events the network server sends that Lookout does
 * not consume are acknowledged and skipped. Every decoded record then passes storable.ts.
 */
import { eventOnDevice } from '../lib/button-alarms.ts'
import type { IngestRecord, RecordSource } from '../lib/records.ts'
import type { Device } from '../registry/index.ts'
import { builtinCodec, type UplinkOutput } from './codecs/index.ts'
import { decodeDevicePayload, REJECT_REASONS } from './device-payloads.ts'
import {
  FORMAT_REJECT_REASONS,
  parseChirpstackJoin,
  parseChirpstackLog,
  parseChirpstackStatus,
  parseChirpstackTopic,
  parseChirpstackUp,
  parseDeviceStatus,
  parseJson,
  parseSenml,
  parseTtsTopic,
  parseTtsUplink,
  type ChirpstackTopic,
  type LorawanUplink,
  type Normalized,
  type TtsTopic,
} from './formats/index.ts'
import type { Principal } from './principals.ts'
import { STORE_REJECT_REASONS, storableRecords } from './storable.ts'
import { publishChannelFor } from './topics.ts'
import { normalizeFields } from './vocabulary/index.ts'

export type Route =
  | { channel: 'events' | 'telemetry' | 'status' | 'senml' }
  | { channel: 'chirpstack'; topic: ChirpstackTopic | 'ignored' }
  | { channel: 'tts'; topic: TtsTopic | 'ignored' }

/** Reasons besides the format parsers' own (ingest/formats/types.ts) and device-payloads.ts. */
export const UPLINK_REJECT_REASONS = ['device_not_registered', 'codec_missing', 'codec_failed'] as const

/**
 * A refusal: `reason` and `detail` go to the principal's errors topic; `cause`, when present, is for
 * Lookout's own log only (e.g. that an unknown DevEUI is in fact another tenant's device).
 */
export type DecodeRefusal = { ok: false; reason: string; detail: string; cause?: string }
export type DecodeOutcome = { ok: true; records: IngestRecord[]; unmappedFields: number } | DecodeRefusal

export interface MessageDecoder {
  route(principal: Principal, topic: string): Route | undefined
  decode(principal: Principal, route: Route, payload: Buffer, receivedAt: number): Promise<DecodeOutcome>
}

/** A tenant's own codec, run in the sandbox (ingest/codec-sandbox). */
export type TenantCodecRunner = (tenant: string, model: string, input: { bytes: number[]; fPort: number }) => Promise<UplinkOutput | undefined>

export interface MessageDecoderOptions {
  maxPayloadBytes: number
  deviceByDevEui: (devEui: string) => Promise<Device | undefined>
  tenantCodec?: TenantCodecRunner | undefined
}

export function routeFor(principal: Principal, topic: string): Route | undefined {
  if (principal.kind === 'device') {
    const channel = publishChannelFor(topic, principal.device.deviceId)
    return channel ? { channel } : undefined
  }
  const parsed = principal.integration.kind === 'chirpstack' ? parseChirpstackTopic(topic) : parseTtsTopic(topic)
  if (!parsed.ok) return parsed.reason === 'event_ignored' ? ({ channel: principal.integration.kind, topic: 'ignored' } as Route) : undefined
  return principal.integration.kind === 'chirpstack'
    ? { channel: 'chirpstack', topic: parsed.value as ChirpstackTopic }
    : { channel: 'tts', topic: parsed.value as TtsTopic }
}

function deviceRefOf(device: Device) {
  return { tenant: device.tenant, deviceId: device.deviceId, site: device.site, deviceType: device.type, timeZone: device.timeZone }
}

/** A telemetry record for the readings (if any) and an event record per event. */
export function recordsFrom(device: Device, source: RecordSource, normalized: Normalized, fallbackTs: number, receivedAt: number): IngestRecord[] {
  const ts = normalized.ts ?? fallbackTs
  const ref = deviceRefOf(device)
  const records: IngestRecord[] = []
  const hasUnmapped = Object.keys(normalized.unmapped).length > 0
  if (Object.keys(normalized.metrics).length > 0 || hasUnmapped) {
    records.push({ kind: 'telemetry', source, ...ref, ts, receivedAt, metrics: normalized.metrics, ...(hasUnmapped ? { unmapped: normalized.unmapped } : {}) })
  }
  for (const eventType of normalized.events) records.push({ kind: 'event', source, ...ref, ts, receivedAt, eventType })
  return records
}

/**
 * Every format's records pass here: events as the device's type means them (a button press on a
 * pendant is a pendant press: lib/button-alarms.ts), then refused if InfluxDB would refuse or
 * misread them (storable.ts); and how many vendor fields were unmapped.
 */
function outcome(decoded: IngestRecord[]): DecodeOutcome {
  const storable = storableRecords(decoded.map((r) => (r.kind === 'event' ? { ...r, eventType: eventOnDevice(r.deviceType, r.eventType) } : r)))
  if (!storable.ok) return storable
  const { records } = storable
  const unmappedFields = records.reduce((n, r) => n + (r.kind === 'telemetry' ? Object.keys(r.unmapped ?? {}).length : 0), 0)
  return { ok: true, records, unmappedFields }
}

/** The one answer to an integration for a DevEUI that is not its tenant's, whether unknown or another tenant's. */
const NOT_REGISTERED = { ok: false, reason: 'device_not_registered', detail: 'no device with this DevEUI is registered to this integration\'s tenant' } as const

const skipped: DecodeOutcome = { ok: true, records: [], unmappedFields: 0 }

export function createMessageDecoder(options: MessageDecoderOptions): MessageDecoder {
  async function registeredDevice(principal: Principal, devEui: string): Promise<{ ok: true; device: Device } | DecodeRefusal> {
    const device = await options.deviceByDevEui(devEui)
    if (!device) return { ...NOT_REGISTERED, cause: 'device_not_registered' }
    // the same answer as for an unknown device: another tenant's registrations are not disclosed
    if (principal.kind !== 'integration' || device.tenant !== principal.integration.tenant) return { ...NOT_REGISTERED, cause: 'device_not_in_tenant' }
    return { ok: true, device }
  }

  async function decodeBytes(device: Device, uplink: LorawanUplink): Promise<{ ok: true; fields: Record<string, unknown> } | { ok: false; reason: string; detail: string }> {
    if (!device.codec) return { ok: false, reason: 'codec_missing', detail: 'the uplink has no decoded object and the device has no codec' }
    const input = { bytes: uplink.bytes, fPort: uplink.fPort }
    let output: UplinkOutput | undefined
    try {
      output = builtinCodec(device.codec)?.decodeUplink(input) ?? (await options.tenantCodec?.(device.tenant, device.codec, input))
    } catch {
      return { ok: false, reason: 'codec_failed', detail: `codec ${device.codec} failed on this uplink` }
    }
    if (!output) return { ok: false, reason: 'codec_missing', detail: `codec ${device.codec} is not available` }
    if (output.errors?.length || !output.data) return { ok: false, reason: 'codec_failed', detail: `codec ${device.codec} could not decode this uplink` }
    return { ok: true, fields: output.data }
  }

  async function lorawanRecords(
    principal: Principal,
    source: 'chirpstack' | 'tts',
    uplink: LorawanUplink & { object?: Record<string, unknown> | undefined; decoded?: Record<string, unknown> | undefined; model?: string | undefined },
    receivedAt: number,
  ): Promise<DecodeOutcome> {
    const found = await registeredDevice(principal, uplink.devEui)
    if (!found.ok) return found
    const device = found.device
    let fields = uplink.object ?? uplink.decoded
    if (!fields) {
      const decoded = await decodeBytes(device, uplink)
      if (!decoded.ok) return decoded
      fields = decoded.fields
    }
    const normalized = normalizeFields(fields, { model: device.codec ?? uplink.model })
    return outcome(recordsFrom(device, source, normalized, uplink.ts, receivedAt))
  }

  return {
    route: routeFor,
    async decode(principal, route, payload, receivedAt) {
      if (payload.length > options.maxPayloadBytes) {
        return { ok: false, reason: 'payload_too_large', detail: `payload is ${payload.length} bytes; the limit is ${options.maxPayloadBytes}` }
      }
      if (principal.kind === 'device') {
        const device = principal.device
        if (route.channel === 'events' || route.channel === 'telemetry') {
          const decoded = decodeDevicePayload(route.channel, payload, receivedAt, options.maxPayloadBytes)
          if (!decoded.ok) return decoded
          return outcome([{ ...deviceRefOf(device), source: 'lookout', receivedAt, ...decoded.value }])
        }
        const json = parseJson(payload)
        if (!json.ok) return json
        if (route.channel === 'status') {
          const status = parseDeviceStatus(json.value, receivedAt)
          return status.ok ? outcome(recordsFrom(device, 'lookout', status.value, receivedAt, receivedAt)) : status
        }
        if (route.channel === 'senml') {
          const pack = parseSenml(json.value, receivedAt, device.codec ? { model: device.codec } : {})
          return pack.ok ? outcome(pack.value.flatMap((n) => recordsFrom(device, 'senml', n, receivedAt, receivedAt))) : pack
        }
        return { ok: false, reason: 'topic_invalid', detail: 'not a device topic' }
      }
      if (route.channel === 'chirpstack' || route.channel === 'tts') {
        if (route.topic === 'ignored') return skipped
        const json = parseJson(payload)
        if (!json.ok) return json
        if (route.channel === 'tts') {
          const uplink = parseTtsUplink(json.value, route.topic, receivedAt)
          return uplink.ok ? lorawanRecords(principal, 'tts', uplink.value, receivedAt) : uplink
        }
        const topic = route.topic
        if (topic.event === 'up') {
          const uplink = parseChirpstackUp(json.value, topic, receivedAt)
          return uplink.ok ? lorawanRecords(principal, 'chirpstack', uplink.value, receivedAt) : uplink
        }
        const parse = topic.event === 'status' ? parseChirpstackStatus : topic.event === 'log' ? parseChirpstackLog : parseChirpstackJoin
        const event = parse(json.value, topic, receivedAt)
        if (!event.ok) return event
        const found = await registeredDevice(principal, event.value.devEui)
        if (!found.ok) return found
        return outcome(recordsFrom(found.device, 'chirpstack', event.value.normalized, event.value.normalized.ts, receivedAt))
      }
      return { ok: false, reason: 'topic_invalid', detail: 'not an integration topic' }
    },
  }
}

/** Every reason a message can be rejected for (docs/errors.md lists them; test/docs.test.ts checks). */
export const ALL_REJECT_REASONS: readonly string[] = [
  ...new Set<string>([...REJECT_REASONS, ...FORMAT_REJECT_REASONS.filter((r) => r !== 'event_ignored'), ...UPLINK_REJECT_REASONS, ...STORE_REJECT_REASONS]),
]
