/**
 * Canonical metrics: the one set of names and units every source is mapped to before storage and
 * rules (docs/domain.md C6: one name and one unit per measurement, the units people read in
 * housing: °C, %RH, ppm, hPa, kWh). A metric name is also a valid Lookout telemetry key
 * (`^[a-z][a-z0-9_]{0,63}$`, ingest/device-payloads.ts).
 *
 * `kind`:
 *   measure  a reading on a continuous scale, in `unit`
 *   binary   a state, 0 or 1 (`unit` says what 1 means); booleans map to 1/0 and SenML "/" is accepted
 *   count    a number of occurrences (a counter or a per-report count)
 * `min`/`max`: the plausible range. A value outside it is not stored as the metric but kept in
 * `unmapped` (a wrong unit or a decoder fault, e.g. a battery in volts read as a percentage).
 * `combine`: what to do when two fields of one message map to the same metric. 'max' for states
 * where any source being 1 matters (two leak probes); otherwise the first field wins and the
 * others are kept in `unmapped`.
 */
export type MetricKind = 'measure' | 'binary' | 'count'

export interface MetricDefinition {
  unit: string
  kind: MetricKind
  description: string
  min?: number
  max?: number
  combine?: 'max'
}

export const METRICS = {
  temperature: { unit: '°C', kind: 'measure', min: -60, max: 150, description: 'Air / room temperature' },
  water_temperature: { unit: '°C', kind: 'measure', min: -20, max: 150, description: 'Water or pipe temperature (probe on a pipe, cylinder or outlet; Legionella checks)' },
  humidity: { unit: '%RH', kind: 'measure', min: 0, max: 100, description: 'Relative humidity' },
  co2: { unit: 'ppm', kind: 'measure', min: 0, max: 1_000_000, description: 'Carbon dioxide concentration (measured or estimated eCO2)' },
  tvoc: { unit: 'vendor scale', kind: 'measure', min: 0, description: 'Total volatile organic compounds; the scale differs by model (level, ppb or µg/m³): compare within one model only' },
  pm2_5: { unit: 'µg/m³', kind: 'measure', min: 0, max: 10_000, description: 'Particulate matter ≤ 2.5 µm' },
  pm10: { unit: 'µg/m³', kind: 'measure', min: 0, max: 10_000, description: 'Particulate matter ≤ 10 µm' },
  pressure: { unit: 'hPa', kind: 'measure', min: 300, max: 1_100, description: 'Barometric pressure' },
  illuminance: { unit: 'lx', kind: 'measure', min: 0, max: 200_000, description: 'Illuminance (light level)' },
  sound: { unit: 'dB', kind: 'measure', min: 0, max: 200, description: 'Sound level' },
  motion: { unit: 'count', kind: 'count', min: 0, description: 'PIR motion: detections in the report interval (1 = triggered, 0 = idle)' },
  occupancy: { unit: '1 = occupied', kind: 'binary', min: 0, max: 1, description: 'Room or bed occupied' },
  contact: { unit: '1 = open', kind: 'binary', min: 0, max: 1, description: 'Door or window contact: 1 open, 0 closed' },
  open_count: { unit: 'count', kind: 'count', min: 0, description: 'Door openings counted by the device (cumulative)' },
  leak: { unit: '1 = leak', kind: 'binary', min: 0, max: 1, combine: 'max', description: 'Water leak detected (any probe)' },
  tamper: { unit: '1 = tampered', kind: 'binary', min: 0, max: 1, description: 'Device removed from its mount or opened' },
  battery: { unit: '%', kind: 'measure', min: 0, max: 100, description: 'Battery charge remaining' },
  battery_voltage: { unit: 'V', kind: 'measure', min: 0, max: 60, description: 'Battery voltage' },
  external_power: { unit: '1 = mains', kind: 'binary', min: 0, max: 1, description: 'Running on an external (mains) power source' },
  link_margin: { unit: 'dB', kind: 'measure', min: -50, max: 100, description: 'LoRaWAN link margin reported by the device (DevStatusAns)' },
  voltage: { unit: 'V', kind: 'measure', min: 0, max: 100_000, description: 'Supply voltage (mains or circuit)' },
  current: { unit: 'A', kind: 'measure', min: 0, max: 100_000, description: 'Electric current' },
  power: { unit: 'W', kind: 'measure', description: 'Active power' },
  energy: { unit: 'kWh', kind: 'measure', min: 0, description: 'Energy (meter total)' },
  pulse_count: { unit: 'count', kind: 'count', min: 0, description: 'Pulses counted (water or energy meter, cumulative)' },
} as const satisfies Record<string, MetricDefinition>

export type MetricName = keyof typeof METRICS
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[]

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name)
}

export function metricDefinition(name: MetricName): MetricDefinition {
  return METRICS[name]
}
