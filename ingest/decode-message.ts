/**
 * From an MQTT message to records: which format a topic carries for this principal (`route`, also
 * the publish ACL), and decoding its payload into canonical records (`decode`).
 *
 *   device        devices/<own id>/events | telemetry | status | senml
 *   chirpstack    application/<app>/device/<devEui>/event/<event>    (ChirpStack v4 integration)
 *   tts           v3/<app>[@<tenant>]/devices/<device>/<event>       (The Things Stack v3)
 *
 * An integration may publish for devices registered to its own tenant only: an uplink for an
 * unknown DevEUI, or one of another tenant, is rejected (acknowledged, not stored, counted, and
 * reported on the integration's errors topic), so one unregistered sensor cannot cut off a
 * network server.
 */
import type { IngestRecord, RecordSource } from '../lib/records.ts'
import type { Device } from '../lib/registry/index.ts'
import { decodeDevicePayload } from './device-payloads.ts'
import type { Principal } from './principals.ts'
import { publishChannelFor } from './topics.ts'

export type Route =
  | { channel: 'events' | 'telemetry' | 'status' | 'senml' }
  | { channel: 'chirpstack'; event: string; devEui: string }
  | { channel: 'tts'; event: string; deviceRef: string }

export type DecodeOutcome = { ok: true; records: IngestRecord[]; unmappedFields: number } | { ok: false; reason: string; detail: string }

export interface MessageDecoder {
  route(principal: Principal, topic: string): Route | undefined
  decode(principal: Principal, route: Route, payload: Buffer, receivedAt: number): Promise<DecodeOutcome>
}

const CHIRPSTACK_TOPIC = /^application\/[^/]+\/device\/([0-9A-Fa-f]{16})\/event\/([a-z]+)$/
const TTS_TOPIC = /^v3\/[^/]+\/devices\/([^/]+)\/([a-z/_]+)$/

export function routeFor(principal: Principal, topic: string): Route | undefined {
  if (principal.kind === 'device') {
    const channel = publishChannelFor(topic, principal.device.deviceId)
    return channel ? { channel } : undefined
  }
  if (principal.integration.kind === 'chirpstack') {
    const m = CHIRPSTACK_TOPIC.exec(topic)
    return m ? { channel: 'chirpstack', devEui: m[1]!.toLowerCase(), event: m[2]! } : undefined
  }
  const m = TTS_TOPIC.exec(topic)
  return m ? { channel: 'tts', deviceRef: m[1]!, event: m[2]! } : undefined
}

export function deviceRefOf(device: Device) {
  return { tenant: device.tenant, deviceId: device.deviceId, site: device.site, deviceType: device.type, timeZone: device.timeZone }
}

export function eventRecord(device: Device, source: RecordSource, eventType: string, ts: number, receivedAt: number): IngestRecord {
  return { kind: 'event', source, ...deviceRefOf(device), ts, receivedAt, eventType }
}

export interface MessageDecoderOptions {
  maxPayloadBytes: number
}

export function createMessageDecoder(options: MessageDecoderOptions): MessageDecoder {
  return {
    route: routeFor,
    async decode(principal, route, payload, receivedAt) {
      if (principal.kind === 'device' && (route.channel === 'events' || route.channel === 'telemetry')) {
        const decoded = decodeDevicePayload(route.channel, payload, receivedAt, options.maxPayloadBytes)
        if (!decoded.ok) return decoded
        const record: IngestRecord = { ...deviceRefOf(principal.device), source: 'lookout', receivedAt, ...decoded.value }
        return { ok: true, records: [record], unmappedFields: 0 }
      }
      return { ok: false, reason: 'topic_invalid', detail: 'this format is not available yet' }
    },
  }
}
