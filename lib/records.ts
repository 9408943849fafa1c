/**
 * The pipeline's shared vocabulary: what ingest accepts and hands on, durably, to the store and
 * rule workers. Records carry ids and measurements only, never names or free text.
 */
import { z } from 'zod'

export const DeviceRef = z.object({
  tenant: z.string(),
  deviceId: z.string(),
  site: z.string(),
  deviceType: z.string(),
  timeZone: z.string(),
})
export type DeviceRef = z.infer<typeof DeviceRef>

/** Where a record came from: Lookout's own JSON, SenML, a LoRaWAN network server, or the broker itself. */
export const RECORD_SOURCES = ['lookout', 'senml', 'chirpstack', 'tts', 'broker'] as const
export type RecordSource = (typeof RECORD_SOURCES)[number]

/**
 * The tag keys of stored points (workers/line-protocol.ts). A field of one of these names would
 * shadow the tag in InfluxQL (`WHERE "tenant" = …` then compares the field, for every tenant).
 */
export const TAG_KEYS = ['device', 'device_type', 'event', 'site', 'source', 'tenant'] as const
/** Names no metric or unmapped field may have: the tag keys, and `time`, which InfluxDB refuses as a field key. */
export const RESERVED_FIELD_NAMES: readonly string[] = [...TAG_KEYS, 'time']

export const EventRecord = DeviceRef.extend({
  kind: z.literal('event'),
  source: z.enum(RECORD_SOURCES).optional(),
  /** When it happened (device clock, else receipt), epoch ms. */
  ts: z.number().int(),
  receivedAt: z.number().int(),
  eventType: z.string(),
})
export type EventRecord = z.infer<typeof EventRecord>

export const TelemetryRecord = DeviceRef.extend({
  kind: z.literal('telemetry'),
  ts: z.number().int(),
  receivedAt: z.number().int(),
  source: z.enum(RECORD_SOURCES).optional(),
  metrics: z.record(z.string(), z.number()),
  /** Vendor fields with no canonical name: kept (as text) and flagged, never silently dropped. */
  unmapped: z.record(z.string(), z.string()).optional(),
})
export type TelemetryRecord = z.infer<typeof TelemetryRecord>

export const IngestRecord = z.discriminatedUnion('kind', [EventRecord, TelemetryRecord])
export type IngestRecord = z.infer<typeof IngestRecord>

/** FNV-1a of the device id: the rule partition a device's records always go to, keeping them in order. */
export function partitionOf(deviceId: string, partitions: number): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < deviceId.length; i++) {
    hash ^= deviceId.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % partitions
}
