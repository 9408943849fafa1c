/**
 * Records → InfluxDB line protocol (https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/),
 * millisecond precision. Tags are sorted by key, as InfluxDB recommends for write speed.
 *   events,device=<id>,device_type=<type>,event=<event type>,site=<site>,tenant=<t> value=1i <ts>
 *   telemetry,device=<id>,device_type=<type>,site=<site>,tenant=<t> <metric>=<float>,... <ts>
 *   telemetry_unmapped,<same tags> <vendor field>="<text>",... <ts>   (fields with no canonical name)
 *   connections,<same tags>,event=device.connected|device.disconnected value=1i <ts>   (recorded by the broker)
 * A `source` tag is added when the record names its source. Metric fields are always floats and
 * unmapped fields always strings, so a field never changes type (InfluxDB refuses a batch that does).
 * The tag keys are lib/records.ts TAG_KEYS; ingest (ingest/storable.ts) lets no field take one of
 * those names or `time`, and hands on no field key that is empty or holds a line break or a
 * backslash (which line protocol cannot escape reliably).
 */
import type { IngestRecord } from '../lib/records.ts'

/** Tag keys and values escape commas, equals signs and spaces; measurements only commas and spaces. */
export function escapeTag(value: string): string {
  return value.replace(/[,= \\]/g, (c) => `\\${c}`)
}

/** String field values escape double quotes and backslashes. */
export function escapeString(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`
}

function tagsOf(record: IngestRecord, extra?: [string, string]): string {
  const tags: [string, string][] = [
    ['device', record.deviceId],
    ['device_type', record.deviceType],
    ['site', record.site],
    ['tenant', record.tenant],
  ]
  if (record.source) tags.push(['source', record.source])
  if (extra) tags.push(extra)
  tags.sort((a, b) => (a[0] < b[0] ? -1 : 1))
  return tags.map(([k, v]) => `${escapeTag(k)}=${escapeTag(v)}`).join(',')
}

/** The lines of one record: one point, plus one for its unmapped fields if it has any. */
export function toLine(record: IngestRecord): string {
  if (record.kind === 'event') {
    const measurement = record.source === 'broker' ? 'connections' : 'events'
    return `${measurement},${tagsOf(record, ['event', record.eventType])} value=1i ${record.ts}`
  }
  const parts: string[] = []
  const metrics = Object.entries(record.metrics)
  if (metrics.length > 0) {
    parts.push(`telemetry,${tagsOf(record)} ${metrics.map(([name, value]) => `${escapeTag(name)}=${value}`).join(',')} ${record.ts}`)
  }
  const unmapped = Object.entries(record.unmapped ?? {})
  if (unmapped.length > 0) {
    parts.push(`telemetry_unmapped,${tagsOf(record)} ${unmapped.map(([name, value]) => `${escapeTag(name)}=${escapeString(value)}`).join(',')} ${record.ts}`)
  }
  return parts.join('\n')
}

export function toLines(records: readonly IngestRecord[]): string {
  return records.map(toLine).filter((line) => line !== '').join('\n')
}
