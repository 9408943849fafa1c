/**
 * Decoded fields → canonical metrics, events and unmapped facts, through the vocabulary tables
 * (fields.ts, metrics.ts, senml-units.ts). Pure; never throws.
 *
 * - Nested objects are flattened with dots (`{air: {temperature: 21}}` → `air.temperature`) up to
 *   MAX_DEPTH levels; deeper objects and arrays are kept whole, as JSON text, in `unmapped`.
 * - A field that maps to no metric or event, or whose value does not fit (unknown text, a
 *   non-finite number, outside the metric's plausible range, a unit that does not convert), is
 *   kept in `unmapped` under its name (dotted path), its value as text. A second field under the
 *   same name gets `#2`, `#3`… Nothing is silently dropped: past MAX_UNMAPPED entries the rest are
 *   counted under `_truncated`, and keys that could pollute prototypes are named under
 *   `_ignored_keys`.
 * - Two fields for one metric: the metric's `combine` rule, else the first wins and the others
 *   are kept in `unmapped`.
 */
import type { EventType } from '../../lib/event-types.ts'
import { FORBIDDEN_KEYS } from '../formats/json.ts'
import type { Normalized } from '../formats/types.ts'
import { CONTEXT_METRICS, fieldMapping, type FieldContext, type FieldMapping } from './fields.ts'
import { METRICS, type MetricDefinition, type MetricName } from './metrics.ts'
import { SENML_UNITS, convertSenmlValue, convertUnit } from './senml-units.ts'

export interface NormalizeOptions {
  /** The codec model (`<vendor>/<model>`) that decoded the fields: selects MODEL_OVERRIDES. */
  model?: string | undefined
  /** What the device is fitted to: in 'water', a temperature is a water temperature. */
  context?: FieldContext | undefined
}

/** One reading: a field name (dotted path), its value and, for SenML, its unit. */
export interface FieldEntry {
  field: string
  value: unknown
  unit?: string | undefined
}

export const MAX_DEPTH = 6
export const MAX_UNMAPPED = 64
export const MAX_UNMAPPED_TEXT = 256

export function normalizeFields(fields: Record<string, unknown>, options: NormalizeOptions = {}): Normalized {
  const ignored: string[] = []
  const entries = flattenFields(fields, ignored)
  const normalized = normalizeEntries(entries, options)
  if (ignored.length > 0) normalized.unmapped._ignored_keys = ignored.join(',').slice(0, MAX_UNMAPPED_TEXT)
  return normalized
}

/** Nested objects → dotted field names. Keys that could pollute prototypes are listed in `ignored`. */
export function flattenFields(fields: Record<string, unknown>, ignored: string[] = [], prefix = '', depth = 1): FieldEntry[] {
  const entries: FieldEntry[] = []
  for (const key of Object.keys(fields)) {
    const field = prefix === '' ? key : `${prefix}.${key}`
    if (FORBIDDEN_KEYS.includes(key)) {
      ignored.push(field)
      continue
    }
    const value = fields[key]
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < MAX_DEPTH) {
      entries.push(...flattenFields(value as Record<string, unknown>, ignored, field, depth + 1))
    } else if (value !== undefined) {
      entries.push({ field, value })
    }
  }
  return entries
}

export function normalizeEntries(entries: readonly FieldEntry[], options: NormalizeOptions = {}): Normalized {
  const out: Normalized = { metrics: {}, events: [], unmapped: {} }
  let truncated = 0
  let kept = 0
  const keep = (field: string, value: unknown, unit?: string): void => {
    if (kept >= MAX_UNMAPPED) {
      truncated++
      return
    }
    let key = field
    for (let n = 2; Object.hasOwn(out.unmapped, key); n++) key = `${field}#${n}`
    out.unmapped[key] = asText(value, unit)
    kept++
  }
  for (const entry of entries) {
    const outcome = mapEntry(entry, options)
    if (outcome.event !== undefined && !out.events.includes(outcome.event)) out.events.push(outcome.event)
    if (outcome.metric === undefined) {
      if (outcome.event === undefined) keep(entry.field, entry.value, entry.unit)
      continue
    }
    const [metric, value] = outcome.metric
    const previous = out.metrics[metric]
    if (previous === undefined) out.metrics[metric] = value
    else if ((METRICS[metric] as MetricDefinition).combine === 'max') out.metrics[metric] = Math.max(previous, value)
    else keep(entry.field, entry.value, entry.unit)
  }
  if (truncated > 0) out.unmapped._truncated = `${truncated} more fields`
  return out
}

export interface EntryOutcome {
  metric?: [MetricName, number]
  event?: EventType
}

/** How one reading maps: to a metric value, an event, both, or (neither) unmapped. */
export function mapEntry(entry: FieldEntry, options: NormalizeOptions = {}): EntryOutcome {
  const mapping = fieldMapping(entry.field, options.model)
  const { value, unit } = entry
  if (unit !== undefined && typeof value === 'number') return mapWithUnit(entry.field, value, unit, mapping, options)
  if (mapping === undefined) return {}
  const key = typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number' ? String(value) : undefined
  const outcome: EntryOutcome = {}
  const event = key !== undefined && mapping.events !== undefined && Object.hasOwn(mapping.events, key) ? mapping.events[key] : undefined
  if (event !== undefined) outcome.event = event
  if (mapping.metric === undefined) return outcome
  const metric = inContext(mapping.metric, options.context)
  let reading: number | undefined
  if (key !== undefined && mapping.values !== undefined && Object.hasOwn(mapping.values, key)) reading = mapping.values[key]
  else if (typeof value === 'number') reading = convertUnit(value, mapping.scale)
  else if (typeof value === 'boolean' && (METRICS[metric] as MetricDefinition).kind === 'binary') reading = value ? 1 : 0
  if (reading !== undefined && plausible(metric, reading)) outcome.metric = [metric, reading]
  return outcome
}

function mapWithUnit(field: string, value: number, unit: string, mapping: FieldMapping | undefined, options: NormalizeOptions): EntryOutcome {
  const converted = convertSenmlValue(unit, value)
  if (converted === undefined) return {}
  const byUnit = mapping?.unitMetrics !== undefined && Object.hasOwn(mapping.unitMetrics, converted.canonical) ? mapping.unitMetrics[converted.canonical] : undefined
  const named = byUnit ?? mapping?.metric
  const implied = named === undefined && isIdentifier(field) ? SENML_UNITS[unit]?.metric : undefined
  const base = named ?? implied
  if (base === undefined) return {}
  const metric = inContext(base, options.context)
  if (!unitFits(metric, converted.canonical) || !plausible(metric, converted.value)) return {}
  return { metric: [metric, converted.value] }
}

function inContext(metric: MetricName, context: FieldContext | undefined): MetricName {
  return context === undefined ? metric : (CONTEXT_METRICS[context][metric] ?? metric)
}

function unitFits(metric: MetricName, canonical: string): boolean {
  const def = METRICS[metric] as MetricDefinition
  if (def.kind === 'binary') return canonical === 'ratio'
  if (def.kind === 'count') return canonical === 'count'
  return def.unit === canonical
}

function plausible(metric: MetricName, value: number): boolean {
  const def = METRICS[metric] as MetricDefinition
  return Number.isFinite(value) && (def.min === undefined || value >= def.min) && (def.max === undefined || value <= def.max)
}

/**
 * A name that identifies a device rather than a quantity: empty, or hexadecimal digits with at
 * least one decimal digit (a 1-wire address, a MAC, an IPv6 group). Only then does a SenML unit
 * choose the metric: `Cel` under `flow_temp` is not a room temperature.
 */
export function isIdentifier(name: string): boolean {
  return name === '' || /^(?=[^0-9]*[0-9])[0-9A-Fa-f]+$/.test(name)
}

function asText(value: unknown, unit?: string): string {
  let text: string
  if (typeof value === 'string') text = value
  else if (value !== null && typeof value === 'object') {
    try {
      text = JSON.stringify(value) ?? String(value)
    } catch {
      text = '[unserialisable]'
    }
  } else text = String(value)
  if (unit !== undefined) text = `${text} ${unit}`
  return text.length > MAX_UNMAPPED_TEXT ? `${text.slice(0, MAX_UNMAPPED_TEXT - 1)}…` : text
}
