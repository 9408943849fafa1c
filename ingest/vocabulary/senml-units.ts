/**
 * SenML units (RFC 8428 §12.1, IANA "SenML Units"; secondary units of RFC 8798 marked so) →
 * Lookout's canonical units: canonical = value × scale + offset.
 *
 * `metric` is the metric a unit implies when the record's name does not say which quantity it
 * is (a name that is only a device identifier, e.g. `urn:dev:ow:10e2073a01080063` in RFC 8428
 * §5.1.1). Units that measure more than one canonical metric (`dB`, `count`, `ug/m3`) imply none.
 * Note RFC 8428 §12.1 note 2: `%` is NOT a percentage but a ratio 0..1, the same as `/`.
 * A unit not listed here (lat, lon, m, s …) keeps the record unmapped.
 */
import type { MetricName } from './metrics.ts'

export interface SenmlUnit {
  description: string
  /** The canonical unit the value converts to (a `METRICS[*].unit`, or `ratio`). */
  canonical: string
  scale?: number
  offset?: number
  metric?: MetricName
  /** Defined in RFC 8798 (secondary units), not in the RFC 8428 registry. */
  secondary?: true
}

export const SENML_UNITS: Readonly<Record<string, SenmlUnit>> = {
  Cel: { description: 'degrees Celsius', canonical: '°C', metric: 'temperature' },
  K: { description: 'kelvin', canonical: '°C', offset: -273.15, metric: 'temperature' },
  '%RH': { description: 'relative humidity, percent', canonical: '%RH', metric: 'humidity' },
  '%EL': { description: 'remaining battery energy level, percent', canonical: '%', metric: 'battery' },
  ppm: { description: 'parts per million', canonical: 'ppm', metric: 'co2', secondary: true },
  Pa: { description: 'pascal', canonical: 'hPa', scale: 0.01, metric: 'pressure' },
  hPa: { description: 'hectopascal', canonical: 'hPa', metric: 'pressure', secondary: true },
  lx: { description: 'lux', canonical: 'lx', metric: 'illuminance' },
  V: { description: 'volt', canonical: 'V', metric: 'voltage' },
  mV: { description: 'millivolt', canonical: 'V', scale: 0.001, metric: 'voltage', secondary: true },
  A: { description: 'ampere', canonical: 'A', metric: 'current' },
  mA: { description: 'milliampere', canonical: 'A', scale: 0.001, metric: 'current', secondary: true },
  W: { description: 'watt', canonical: 'W', metric: 'power' },
  kW: { description: 'kilowatt', canonical: 'W', scale: 1000, metric: 'power', secondary: true },
  J: { description: 'joule', canonical: 'kWh', scale: 1 / 3_600_000, metric: 'energy' },
  Wh: { description: 'watt-hour', canonical: 'kWh', scale: 0.001, metric: 'energy', secondary: true },
  kWh: { description: 'kilowatt-hour', canonical: 'kWh', metric: 'energy', secondary: true },
  dB: { description: 'decibel (sound level, link margin …)', canonical: 'dB' },
  Bspl: { description: 'bel, sound pressure level', canonical: 'dB', scale: 10, metric: 'sound' },
  'ug/m3': { description: 'microgram per cubic metre', canonical: 'µg/m³', secondary: true },
  count: { description: 'counter value', canonical: 'count' },
  '/': { description: 'ratio, e.g. a switch: 0 off, 1 on', canonical: 'ratio' },
  '%': { description: 'ratio (NOT a percentage, RFC 8428 §12.1 note 2)', canonical: 'ratio' },
}

/**
 * `value × scale + offset`, with binary floating-point noise removed (101325 Pa → 1013.25 hPa, not
 * 1013.2500000000001): 12 significant digits are far beyond any sensor's resolution.
 */
export function convertUnit(value: number, scale = 1, offset = 0): number {
  if (scale === 1 && offset === 0) return value
  return Number((value * scale + offset).toPrecision(12))
}

/** The value in canonical units, or undefined for a unit not in the table. */
export function convertSenmlValue(unit: string, value: number): { canonical: string; value: number } | undefined {
  if (!Object.hasOwn(SENML_UNITS, unit)) return undefined
  const def = SENML_UNITS[unit] as SenmlUnit
  return { canonical: def.canonical, value: convertUnit(value, def.scale, def.offset) }
}
