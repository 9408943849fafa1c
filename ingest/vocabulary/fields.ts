/**
 * Vendor field names → canonical metrics and events, as data. Names are case-sensitive, exactly as
 * devices and decoders send them: the `output` of The Things Network device-repository codecs
 * (ingest/codecs/fixtures/), ChirpStack `object`, The Things Stack `decoded_payload` and its
 * normalized payload (dotted paths such as `air.temperature`: nested objects are flattened with
 * dots before lookup).
 *
 * Levels and momentary occurrences are mapped differently. A level (leak, door contact, occupancy,
 * PIR state) is repeated in every periodic report, so it becomes a metric only: the mapping is
 * stateless, and an event per report would re-raise the same alarm every 15-30 minutes. Rules see
 * the transition from the metric series. A momentary occurrence (a button press) is never repeated,
 * so it becomes an event. Hence `leakage_status: "leak"` gives `leak = 1` and no event.
 *
 * A mapping:
 *   metric  the canonical metric (metrics.ts); numbers are multiplied by `scale` (default 1)
 *   values  text, boolean or integer values (as `String(value)`) → the metric's value
 *   events  text, boolean or integer values → a canonical event (lib/event-types.ts)
 *   unitMetrics  for SenML records, whose unit says more than the name: `battery` in `V` is a
 *           battery voltage, in `%EL` a battery percentage
 * A value that fits neither (an unknown text, a non-finite number, out of range) is kept in
 * `unmapped`.
 */
import type { EventType } from '../../lib/event-types.ts'
import type { MetricName } from './metrics.ts'

export interface FieldMapping {
  metric?: MetricName
  scale?: number
  values?: Readonly<Record<string, number>>
  events?: Readonly<Record<string, EventType>>
  /** SenML only: the metric when the record's unit converts to another canonical unit (battery in V). */
  unitMetrics?: Readonly<Record<string, MetricName>>
  /** Who sends the field (documentation only). */
  seenIn: string
}

const LEAK_TEXT = { leak: 1, normal: 0 } as const
const NETVOX_LEAK = { Leak: 1, NoLeak: 0 } as const
const BOOLEAN = { true: 1, false: 0 } as const
const PRESS_KINDS = { short: 'button.pressed', long: 'button.pressed', double: 'button.pressed', unknown: 'button.pressed' } as const

export const FIELD_ALIASES: Readonly<Record<string, FieldMapping>> = {
  // temperature and humidity
  temperature: { metric: 'temperature', seenIn: 'Milesight, Elsys, Browan, ChirpStack/TTS codecs' },
  temp: { metric: 'temperature', seenIn: 'generic decoders, SenML examples' },
  Temp: { metric: 'temperature', seenIn: 'Netvox R718AB, R718CE' },
  'air.temperature': { metric: 'temperature', seenIn: 'TTS normalized payload' },
  'water.temperature': { metric: 'water_temperature', seenIn: 'TTS normalized payload (water)' },
  water_temperature: { metric: 'water_temperature', seenIn: 'Lookout telemetry' },
  humidity: { metric: 'humidity', seenIn: 'Milesight, Elsys, Browan' },
  Humi: { metric: 'humidity', seenIn: 'Netvox R718AB' },
  relativeHumidity: { metric: 'humidity', seenIn: 'generic decoders (TTS normalized naming)' },
  'air.relativeHumidity': { metric: 'humidity', seenIn: 'TTS normalized payload' },
  // air quality
  co2: { metric: 'co2', seenIn: 'Milesight AM103/AM307/EM500-CO2, Elsys ERS CO2' },
  CO2: { metric: 'co2', seenIn: 'generic decoders' },
  eco2: { metric: 'co2', seenIn: 'Browan TBHV110 (estimated CO2)' },
  'air.co2': { metric: 'co2', seenIn: 'TTS normalized payload' },
  tvoc: { metric: 'tvoc', seenIn: 'Milesight AM307/AM308' },
  voc: { metric: 'tvoc', seenIn: 'Browan TBHV110' },
  pm2_5: { metric: 'pm2_5', seenIn: 'Milesight AM308' },
  pm25: { metric: 'pm2_5', seenIn: 'generic decoders' },
  pm10: { metric: 'pm10', seenIn: 'Milesight AM308' },
  pressure: { metric: 'pressure', seenIn: 'Milesight AM307, EM500-CO2' },
  'air.pressure': { metric: 'pressure', seenIn: 'TTS normalized payload' },
  // light and sound
  light: { metric: 'illuminance', seenIn: 'Elsys ERS (lux; Milesight WS202 sends "dark"/"light" text, kept unmapped)' },
  lightIntensity: { metric: 'illuminance', seenIn: 'generic decoders (TTS normalized naming)' },
  'air.lightIntensity': { metric: 'illuminance', seenIn: 'TTS normalized payload' },
  illumination: { metric: 'illuminance', seenIn: 'Milesight AM307 (lux models)' },
  illuminance: { metric: 'illuminance', seenIn: 'Lookout telemetry' },
  sound: { metric: 'sound', seenIn: 'generic decoders' },
  noise: { metric: 'sound', seenIn: 'Elsys ERS Sound' },
  soundAvg: { metric: 'sound', seenIn: 'Elsys ERS Sound' },
  // activity
  motion: { metric: 'motion', values: BOOLEAN, seenIn: 'Elsys ERS (count per report)' },
  pir: { metric: 'motion', values: { trigger: 1, idle: 0 }, seenIn: 'Milesight WS202' },
  'action.motion.count': { metric: 'motion', seenIn: 'TTS normalized payload' },
  'action.motion.detected': { metric: 'motion', values: BOOLEAN, seenIn: 'TTS normalized payload' },
  occupancy: { metric: 'occupancy', values: { occupied: 1, vacant: 0, ...BOOLEAN }, seenIn: 'generic decoders' },
  occupied: { metric: 'occupancy', values: BOOLEAN, seenIn: 'generic decoders' },
  door: { metric: 'contact', values: { open: 1, close: 0, closed: 0 }, seenIn: 'Milesight WS301' },
  contact: { metric: 'contact', values: { open: 1, closed: 0, ...BOOLEAN }, seenIn: 'Lookout telemetry, generic decoders' },
  open: { metric: 'contact', values: BOOLEAN, seenIn: 'SenML (RFC 8428 §5.1.5 example: "open", vb)' },
  DOOR_OPEN_STATUS: { metric: 'contact', seenIn: 'Dragino LDS02 (1 open)' },
  'action.contactState': { metric: 'contact', values: { OPEN: 1, CLOSED: 0 }, seenIn: 'TTS normalized payload' },
  DOOR_OPEN_TIMES: { metric: 'open_count', seenIn: 'Dragino LDS02' },
  // water
  leakage_status: { metric: 'leak', values: LEAK_TEXT, seenIn: 'Milesight EM300-MLD' },
  leak: { metric: 'leak', values: { ...LEAK_TEXT, ...BOOLEAN }, seenIn: 'SenML, Lookout telemetry' },
  water_leak: { metric: 'leak', values: { ...LEAK_TEXT, ...BOOLEAN }, seenIn: 'generic decoders' },
  'water.leak': { metric: 'leak', values: BOOLEAN, seenIn: 'TTS normalized payload' },
  WaterLeak: { metric: 'leak', values: NETVOX_LEAK, seenIn: 'Netvox R718WA' },
  WaterLeak_1: { metric: 'leak', values: NETVOX_LEAK, seenIn: 'Netvox R311W, R718WA2 (probe 1)' },
  WaterLeak_2: { metric: 'leak', values: NETVOX_LEAK, seenIn: 'Netvox R311W, R718WA2 (probe 2)' },
  // device health
  install: { metric: 'tamper', values: { yes: 0, no: 1 }, seenIn: 'Milesight WS301 ("no": removed from its mount)' },
  tamper: { metric: 'tamper', values: BOOLEAN, seenIn: 'generic decoders' },
  battery: { metric: 'battery', unitMetrics: { V: 'battery_voltage' }, seenIn: 'Milesight (%); Browan sends volts: see MODEL_OVERRIDES' },
  batteryLevel: { metric: 'battery', seenIn: 'ChirpStack status event' },
  battery_level: { metric: 'battery', seenIn: 'generic decoders' },
  margin: { metric: 'link_margin', seenIn: 'ChirpStack status event (dB)' },
  externalPowerSource: { metric: 'external_power', values: BOOLEAN, seenIn: 'ChirpStack status event' },
  Volt: { metric: 'battery_voltage', seenIn: 'Netvox' },
  BAT_V: { metric: 'battery_voltage', seenIn: 'Dragino LDS02' },
  BatV: { metric: 'battery_voltage', seenIn: 'Dragino' },
  battVolt: { metric: 'battery_voltage', seenIn: 'Browan normalized output' },
  battery_voltage: { metric: 'battery_voltage', seenIn: 'Lookout telemetry' },
  vdd: { metric: 'battery_voltage', scale: 0.001, seenIn: 'Elsys (mV)' },
  // electricity and meters
  voltage: { metric: 'voltage', seenIn: 'generic decoders' },
  current: { metric: 'current', seenIn: 'Milesight CT101 (A)' },
  power: { metric: 'power', seenIn: 'generic decoders' },
  energy: { metric: 'energy', seenIn: 'generic decoders (kWh)' },
  pulse: { metric: 'pulse_count', seenIn: 'Milesight EM300-DI' },
  pulseAbs: { metric: 'pulse_count', seenIn: 'Elsys EMS Door (absolute count)' },
  pulse_count: { metric: 'pulse_count', seenIn: 'Lookout telemetry' },
  // momentary occurrences → events. A press of any kind is `button.pressed` (on a pendant or pull-cord it
  // becomes the alarm: lib/button-alarms.ts); so is a press the decoder could not name ("unknown": the
  // WS101 sends its press channel only when pressed)
  button: { events: PRESS_KINDS, seenIn: 'Milesight WS101 (device repository decoder, Lookout milesight-iot/ws101)' },
  press: { events: PRESS_KINDS, seenIn: "Milesight WS101 (Milesight's ChirpStack decoder, SensorDecoders WS_Series/WS101)" },
  'button_event.status': {
    events: { 'short press': 'button.pressed', 'long press': 'button.pressed', 'double press': 'button.pressed' },
    seenIn: "Milesight WS101 (Milesight's decoder, SensorDecoders ws-series/ws101: button_event: { status })",
  },
}

const BROWAN_BATTERY_VOLTS: FieldMapping = { metric: 'battery_voltage', seenIn: 'Browan (battery in V)' }

/**
 * Per codec model (`<vendor>/<model>`, ingest/codecs): where a model gives a common name another
 * meaning. `null` keeps the field unmapped for that model. Browan's `status` is bit 0 of the status
 * byte, whose meaning depends on the model (device-repository examples: "Door closed" status 0,
 * "Occupied" 1, "Water leakage detected" 1, "Button I pressed" 1); any other value stays unmapped.
 */
export const MODEL_OVERRIDES: Readonly<Record<string, Readonly<Record<string, FieldMapping | null>>>> = {
  'browan/tbdw100': {
    battery: BROWAN_BATTERY_VOLTS,
    status: { metric: 'contact', values: { 0: 0, 1: 1 }, seenIn: 'Browan TBDW100 (1 open)' },
    count: { metric: 'open_count', seenIn: 'Browan TBDW100 (door events, cumulative)' },
  },
  'browan/tbhh100': { battery: BROWAN_BATTERY_VOLTS },
  'browan/tbhv110': { battery: BROWAN_BATTERY_VOLTS },
  'browan/tbms100': {
    battery: BROWAN_BATTERY_VOLTS,
    status: { metric: 'occupancy', values: { 0: 0, 1: 1 }, seenIn: 'Browan TBMS100 (1 occupied)' },
  },
  'browan/tbpb100': {
    battery: BROWAN_BATTERY_VOLTS,
    status: { events: { 1: 'button.pressed' }, seenIn: 'Browan TBPB100 (1 pressed)' },
  },
  'browan/tbwl100': {
    battery: BROWAN_BATTERY_VOLTS,
    status: { metric: 'leak', values: { 0: 0, 1: 1 }, seenIn: 'Browan TBWL100 (1 leak)' },
  },
  'milesight-iot/em500-pt100': {
    temperature: { metric: 'water_temperature', seenIn: 'Milesight EM500-PT100 (probe on a pipe or cylinder)' },
  },
}

/** Where a field's metric depends on what the device is fitted to. */
export type FieldContext = 'water'

/** In context 'water' (a probe on a pipe, cylinder or outlet) a temperature is a water temperature. */
export const CONTEXT_METRICS: Readonly<Record<FieldContext, Partial<Record<MetricName, MetricName>>>> = {
  water: { temperature: 'water_temperature' },
}

export function fieldMapping(field: string, model?: string): FieldMapping | undefined {
  const overrides = model !== undefined && Object.hasOwn(MODEL_OVERRIDES, model) ? MODEL_OVERRIDES[model] : undefined
  if (overrides !== undefined && Object.hasOwn(overrides, field)) return overrides[field] ?? undefined
  return Object.hasOwn(FIELD_ALIASES, field) ? FIELD_ALIASES[field] : undefined
}
