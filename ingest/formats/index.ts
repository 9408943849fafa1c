/** Parsers for the formats Lookout ingests besides its own events and telemetry (ingest/device-payloads.ts). */
export { FORMAT_REJECT_REASONS, type FormatRejectReason, type FormatResult, type Normalized } from './types.ts'
export { parseJson, checkKeys } from './json.ts'
export { parseSenml, resolveSenml, senmlMetricName, MAX_SENML_RECORDS, type ResolvedSenmlRecord, type TimedNormalized } from './senml.ts'
export type { LorawanUplink } from './lorawan.ts'
export {
  parseChirpstackTopic,
  parseChirpstackUp,
  parseChirpstackStatus,
  parseChirpstackLog,
  parseChirpstackJoin,
  type ChirpstackTopic,
  type ChirpstackEvent,
  type ChirpstackUplink,
  type ChirpstackDeviceEvent,
} from './chirpstack.ts'
export { parseTtsTopic, parseTtsUplink, type TtsTopic, type TtsUplink } from './tts.ts'
export { parseDeviceStatus, DeviceStatusPayload, STATUS_EVENT_TYPES } from './status.ts'
export { deviceJsonSchemas, schemaText, type SchemaDocument } from './json-schemas.ts'
