/**
 * JSON Schemas (draft 2020-12) of Lookout's own device JSON, generated from the zod schemas that
 * validate it (ingest/device-payloads.ts, status.ts) with zod 4's z.toJSONSchema, so the published
 * documents cannot drift from the code: docs/schemas/*.schema.json are written by
 * scripts/write-schemas.ts and compared in json-schemas.test.ts.
 *
 * zod's refinements have no JSON Schema form; the telemetry rules they check (metric names, 1 to
 * MAX_METRICS metrics besides ts) are added here as propertyNames/minProperties/maxProperties/not,
 * and the test
 * runs the same names through the zod schema to keep the two in step. So are the names ingest
 * refuses as `metric_name_reserved` (ingest/storable.ts) after the zod schema passed them.
 */
import { z } from 'zod'
import { RESERVED_FIELD_NAMES } from '../../lib/records.ts'
import { DeviceEventPayload, DeviceTelemetryPayload, MAX_METRICS } from '../device-payloads.ts'
import { DeviceStatusPayload } from './status.ts'

/** A metric name (or "ts") in telemetry; mirrors the superRefine in ingest/device-payloads.ts. */
export const TELEMETRY_KEY_PATTERN = '^(ts|[a-z][a-z0-9_]{0,63})$'

export interface SchemaDocument {
  file: string
  schema: Record<string, unknown>
}

function document(file: string, title: string, description: string, schema: z.ZodType, extra: Record<string, unknown> = {}): SchemaDocument {
  const { $schema, ...generated } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>
  return { file, schema: { $schema, title, description, ...generated, ...extra } }
}

export function deviceJsonSchemas(): SchemaDocument[] {
  return [
    document(
      'device-event.schema.json',
      'Lookout device event',
      'Published by a device on devices/<deviceId>/events. type: a canonical event type (docs/vocabulary.md) or another dotted lower-case type; ts: when it happened (default: receipt time), at most 5 minutes ahead of the server clock and not before 2000.',
      DeviceEventPayload,
    ),
    document(
      'device-telemetry.schema.json',
      'Lookout device telemetry',
      `Published by a device on devices/<deviceId>/telemetry: 1 to ${MAX_METRICS} numeric readings named by metric (canonical names and units: docs/vocabulary.md), optional ts as for events. Not a metric name: ${RESERVED_FIELD_NAMES.join(', ')} (refused as metric_name_reserved).`,
      DeviceTelemetryPayload,
      {
        propertyNames: { pattern: TELEMETRY_KEY_PATTERN, not: { enum: [...RESERVED_FIELD_NAMES] } },
        minProperties: 1,
        maxProperties: MAX_METRICS + 1,
        not: { required: ['ts'], maxProperties: 1 },
      },
    ),
    document(
      'device-status.schema.json',
      'Lookout device status',
      'Published by a device on devices/<deviceId>/status: at least one of status (heartbeat, battery or a device-health event type), stc (SCAIP status code, with dty for alarms), mty (SCAIP message type; PI is a heartbeat) or battery (%); "battery" status needs battery. Codes: docs/vocabulary.md.',
      DeviceStatusPayload,
    ),
  ]
}

/** The file's text as committed: 2-space JSON with a final newline. */
export function schemaText(document: SchemaDocument): string {
  return `${JSON.stringify(document.schema, null, 2)}\n`
}
