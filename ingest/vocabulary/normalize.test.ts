import { describe, expect, it } from 'vitest'
import type { Normalized } from '../formats/types.ts'
import { MAX_UNMAPPED, isIdentifier, normalizeEntries, normalizeFields, type FieldEntry, type NormalizeOptions } from './normalize.ts'

const none = { metrics: {}, events: [], unmapped: {} }
const result = (partial: Partial<Normalized>): Normalized => ({ ...none, ...partial })

describe('normalizeFields: decoded LoRaWAN payloads (device-repository example outputs)', () => {
  const cases: { name: string; fields: Record<string, unknown>; options?: NormalizeOptions; expected: Normalized }[] = [
    {
      name: 'Milesight AM103 (docs/domain.md C1 object)',
      fields: { battery: 92, temperature: 30.8, humidity: 50.5, co2: 1255 },
      expected: result({ metrics: { battery: 92, temperature: 30.8, humidity: 50.5, co2: 1255 } }),
    },
    {
      name: 'Milesight AM307: TVOC and pressure',
      fields: { battery: 92, co2: 1255, humidity: 50.5, pressure: 1004.7, temperature: 30.8, tvoc: 7 },
      expected: result({ metrics: { battery: 92, co2: 1255, humidity: 50.5, pressure: 1004.7, temperature: 30.8, tvoc: 7 } }),
    },
    {
      name: 'Milesight EM300-MLD leak (docs/domain.md C2): a level, so a metric and no event',
      fields: { battery: 92, leakage_status: 'leak' },
      expected: result({ metrics: { battery: 92, leak: 1 } }),
    },
    { name: 'Milesight EM300-MLD normal', fields: { leakage_status: 'normal' }, expected: result({ metrics: { leak: 0 } }) },
    { name: 'Milesight WS301 door open', fields: { door: 'open' }, expected: result({ metrics: { contact: 1 } }) },
    { name: 'Milesight WS301 door close', fields: { door: 'close' }, expected: result({ metrics: { contact: 0 } }) },
    { name: 'Milesight WS301 removed from its mount', fields: { install: 'no' }, expected: result({ metrics: { tamper: 1 } }) },
    { name: 'Milesight WS101 button: an event', fields: { button: 'short' }, expected: result({ events: ['button.pressed'] }) },
    { name: 'Milesight WS101 long press: the same event', fields: { button: 'long' }, expected: result({ events: ['button.pressed'] }) },
    { name: 'Milesight WS101 double press: the same event', fields: { button: 'double' }, expected: result({ events: ['button.pressed'] }) },
    { name: 'Milesight WS101 press the decoder could not name ("unknown"): still a press', fields: { button: 'unknown' }, expected: result({ events: ['button.pressed'] }) },
    { name: 'Milesight WS101 unknown press kind: kept', fields: { button: 'triple' }, expected: result({ unmapped: { button: 'triple' } }) },
    { name: "Milesight WS101 through Milesight's ChirpStack decoder (press)", fields: { battery: 90, press: 'long' }, expected: result({ metrics: { battery: 90 }, events: ['button.pressed'] }) },
    { name: "Milesight WS101 through Milesight's decoder (button_event.status)", fields: { battery: 16, button_event: { status: 'short press' } }, expected: result({ metrics: { battery: 16 }, events: ['button.pressed'] }) },
    { name: 'a press field that is a number (a pressure): kept', fields: { press: 1013 }, expected: result({ unmapped: { press: '1013' } }) },
    { name: 'Milesight WS202 PIR trigger', fields: { pir: 'trigger' }, expected: result({ metrics: { motion: 1 } }) },
    { name: 'Milesight WS202 light as text: kept', fields: { light: 'dark' }, expected: result({ unmapped: { light: 'dark' } }) },
    { name: 'Milesight EM300-DI pulse counter', fields: { battery: 92, pulse: 256 }, expected: result({ metrics: { battery: 92, pulse_count: 256 } }) },
    {
      name: 'Milesight CT101: nested alarm flags flattened with dots',
      fields: { current_max: 30, current_min: 20, current: 25, current_alarm: { current_threshold_alarm: 'yes', current_over_range_alarm: 'yes' } },
      expected: result({
        metrics: { current: 25 },
        unmapped: { current_max: '30', current_min: '20', 'current_alarm.current_threshold_alarm': 'yes', 'current_alarm.current_over_range_alarm': 'yes' },
      }),
    },
    {
      name: 'Milesight EM500-PT100: the model says the probe is on water',
      fields: { battery: 92, temperature: 28.1 },
      options: { model: 'milesight-iot/em500-pt100' },
      expected: result({ metrics: { battery: 92, water_temperature: 28.1 } }),
    },
    {
      name: 'Elsys ERS: light in lux, motion count',
      fields: { temperature: 22.6, humidity: 41, light: 39, motion: 6 },
      expected: result({ metrics: { temperature: 22.6, humidity: 41, illuminance: 39, motion: 6 } }),
    },
    {
      name: 'Netvox R311W: probe 2 leaking is a leak (max of the probes)',
      fields: { Device: 'R311W', Volt: 3, WaterLeak_1: 'NoLeak', WaterLeak_2: 'Leak' },
      expected: result({ metrics: { battery_voltage: 3, leak: 1 }, unmapped: { Device: 'R311W' } }),
    },
    {
      name: 'Netvox R718AB',
      fields: { Device: 'R718AB', Volt: 3.6, Temp: 25.38, Humi: 68 },
      expected: result({ metrics: { battery_voltage: 3.6, temperature: 25.38, humidity: 68 }, unmapped: { Device: 'R718AB' } }),
    },
    {
      name: 'Dragino LDS02',
      fields: { ALARM: 0, BAT_V: 2.952, DOOR_OPEN_STATUS: 0, DOOR_OPEN_TIMES: 9472, LAST_DOOR_OPEN_DURATION: 65536, MOD: 1 },
      expected: result({
        metrics: { battery_voltage: 2.952, contact: 0, open_count: 9472 },
        unmapped: { ALARM: '0', LAST_DOOR_OPEN_DURATION: '65536', MOD: '1' },
      }),
    },
    {
      name: 'Browan TBWL100 without the model: its volts read as a percentage (callers pass the model: next case)',
      fields: { battery: 3.6, status: 1 },
      expected: result({ metrics: { battery: 3.6 }, unmapped: { status: '1' } }),
    },
    {
      name: 'Browan TBWL100 with the model: volts, status 1 = leak',
      fields: { battery: 3.6, humidity: 40, status: 1, temperature: 22, temperatureBoard: 22 },
      options: { model: 'browan/tbwl100' },
      expected: result({ metrics: { battery_voltage: 3.6, humidity: 40, leak: 1, temperature: 22 }, unmapped: { temperatureBoard: '22' } }),
    },
    {
      name: 'Browan TBPB100: status 1 is a button press',
      fields: { status: 1, battery: 3.9 },
      options: { model: 'browan/tbpb100' },
      expected: result({ metrics: { battery_voltage: 3.9 }, events: ['button.pressed'] }),
    },
    {
      name: 'Browan TBDW100: status 0 closed, count of openings',
      fields: { battery: 3.6, count: 14986, status: 0, time: 0 },
      options: { model: 'browan/tbdw100' },
      expected: result({ metrics: { battery_voltage: 3.6, open_count: 14986, contact: 0 }, unmapped: { time: '0' } }),
    },
    {
      name: 'Browan TBMS100: an unknown status bit pattern stays unmapped',
      fields: { status: 3 },
      options: { model: 'browan/tbms100' },
      expected: result({ unmapped: { status: '3' } }),
    },
    {
      name: 'TTS normalized payload (Milesight EM300-TH): dotted names',
      fields: { air: { temperature: 20, relativeHumidity: 30 } },
      expected: result({ metrics: { temperature: 20, humidity: 30 } }),
    },
    {
      name: 'TTS normalized payload (Elsys ERS): motion count and detected are one metric, the second is kept',
      fields: { air: { lightIntensity: 39 }, action: { motion: { detected: true, count: 6 } } },
      expected: result({ metrics: { illuminance: 39, motion: 1 }, unmapped: { 'action.motion.count': '6' } }),
    },
    { name: 'context water', fields: { temperature: 61.4 }, options: { context: 'water' }, expected: result({ metrics: { water_temperature: 61.4 } }) },
    { name: 'Elsys vdd in mV', fields: { vdd: 3612 }, expected: result({ metrics: { battery_voltage: 3.612 } }) },
  ]
  it.each(cases)('$name', ({ fields, options, expected }) => {
    expect(normalizeFields(fields, options)).toEqual(expected)
  })
})

describe('normalizeFields: values that do not fit are kept, never dropped', () => {
  const cases: { name: string; fields: Record<string, unknown>; expected: Normalized }[] = [
    { name: 'unknown field', fields: { iaq: 81 }, expected: result({ unmapped: { iaq: '81' } }) },
    { name: 'battery above 100 %', fields: { battery: 150 }, expected: result({ unmapped: { battery: '150' } }) },
    { name: 'humidity below 0', fields: { humidity: -3 }, expected: result({ unmapped: { humidity: '-3' } }) },
    { name: 'NaN', fields: { temperature: Number.NaN }, expected: result({ unmapped: { temperature: 'NaN' } }) },
    { name: 'Infinity', fields: { co2: Number.POSITIVE_INFINITY }, expected: result({ unmapped: { co2: 'Infinity' } }) },
    { name: 'a number as text', fields: { temperature: '21.5' }, expected: result({ unmapped: { temperature: '21.5' } }) },
    { name: 'unknown text value', fields: { leakage_status: 'maybe' }, expected: result({ unmapped: { leakage_status: 'maybe' } }) },
    { name: 'boolean for a measure', fields: { temperature: true }, expected: result({ unmapped: { temperature: 'true' } }) },
    { name: 'boolean for a binary metric', fields: { tamper: true }, expected: result({ metrics: { tamper: 1 } }) },
    { name: 'null', fields: { temperature: null }, expected: result({ unmapped: { temperature: 'null' } }) },
    { name: 'undefined is no value at all', fields: { temperature: undefined }, expected: result({}) },
    { name: 'an array as JSON text', fields: { readings: [1, 2] }, expected: result({ unmapped: { readings: '[1,2]' } }) },
    {
      name: 'a second field for the same metric',
      fields: { temperature: 21, Temp: 22 },
      expected: result({ metrics: { temperature: 21 }, unmapped: { Temp: '22' } }),
    },
    {
      name: 'forbidden keys are named, not followed',
      fields: JSON.parse('{"temperature":21,"__proto__":{"x":1},"a":{"constructor":1}}') as Record<string, unknown>,
      expected: result({ metrics: { temperature: 21 }, unmapped: { _ignored_keys: '__proto__,a.constructor' } }),
    },
    {
      name: 'deeper than 6 levels: kept whole as JSON',
      fields: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } },
      expected: result({ unmapped: { 'a.b.c.d.e.f': '{"g":1}' } }),
    },
  ]
  it.each(cases)('$name', ({ fields, expected }) => {
    expect(normalizeFields(fields)).toEqual(expected)
  })

  it('truncates long text', () => {
    const text = normalizeFields({ note: 'x'.repeat(1000) }).unmapped.note ?? ''
    expect(text).toHaveLength(256)
    expect(text.endsWith('…')).toBe(true)
  })

  it(`keeps at most ${MAX_UNMAPPED} unmapped fields and counts the rest`, () => {
    const fields = Object.fromEntries(Array.from({ length: MAX_UNMAPPED + 5 }, (_, i) => [`f${i}`, i]))
    const { unmapped } = normalizeFields(fields)
    expect(Object.keys(unmapped)).toHaveLength(MAX_UNMAPPED + 1)
    expect(unmapped._truncated).toBe('5 more fields')
  })
})

describe('normalizeEntries: SenML readings with units', () => {
  const cases: { name: string; entries: FieldEntry[]; expected: Normalized }[] = [
    { name: 'Cel', entries: [{ field: 'temperature', value: 21.5, unit: 'Cel' }], expected: result({ metrics: { temperature: 21.5 } }) },
    { name: 'K → °C', entries: [{ field: 'temperature', value: 300, unit: 'K' }], expected: result({ metrics: { temperature: 26.85 } }) },
    { name: 'Pa → hPa', entries: [{ field: 'pressure', value: 101325, unit: 'Pa' }], expected: result({ metrics: { pressure: 1013.25 } }) },
    { name: 'Wh → kWh', entries: [{ field: 'energy', value: 1500, unit: 'Wh' }], expected: result({ metrics: { energy: 1.5 } }) },
    { name: 'J → kWh', entries: [{ field: 'energy', value: 7_200_000, unit: 'J' }], expected: result({ metrics: { energy: 2 } }) },
    { name: '%EL battery', entries: [{ field: 'battery', value: 92, unit: '%EL' }], expected: result({ metrics: { battery: 92 } }) },
    { name: 'battery in V is a battery voltage', entries: [{ field: 'battery', value: 3.6, unit: 'V' }], expected: result({ metrics: { battery_voltage: 3.6 } }) },
    { name: 'mV', entries: [{ field: 'Volt', value: 3600, unit: 'mV' }], expected: result({ metrics: { battery_voltage: 3.6 } }) },
    { name: 'leak as a ratio', entries: [{ field: 'leak', value: 1, unit: '/' }], expected: result({ metrics: { leak: 1 } }) },
    { name: 'ppm', entries: [{ field: 'co2', value: 1255, unit: 'ppm' }], expected: result({ metrics: { co2: 1255 } }) },
    { name: 'an identifier name takes the metric of its unit', entries: [{ field: '10e2073a01080063', value: 23.1, unit: 'Cel' }], expected: result({ metrics: { temperature: 23.1 } }) },
    { name: 'an empty name too', entries: [{ field: '', value: 40, unit: '%RH' }], expected: result({ metrics: { humidity: 40 } }) },
    { name: 'a named quantity does not: flow_temp is not a room temperature', entries: [{ field: 'flow_temp', value: 61.4, unit: 'Cel' }], expected: result({ unmapped: { flow_temp: '61.4 Cel' } }) },
    { name: 'a unit that does not fit the name', entries: [{ field: 'temperature', value: 50, unit: '%RH' }], expected: result({ unmapped: { temperature: '50 %RH' } }) },
    { name: 'a unit not in the table', entries: [{ field: '10e2073a01080063', value: 24.3, unit: 'lon' }], expected: result({ unmapped: { '10e2073a01080063': '24.3 lon' } }) },
    { name: '% is a ratio, not a percentage (RFC 8428 §12.1)', entries: [{ field: 'battery', value: 0.9, unit: '%' }], expected: result({ unmapped: { battery: '0.9 %' } }) },
    { name: 'a boolean with a unit maps by name', entries: [{ field: 'leak', value: false, unit: '/' }], expected: result({ metrics: { leak: 0 } }) },
    {
      name: 'the same name twice gets #2',
      entries: [
        { field: 'x', value: 1, unit: 'lat' },
        { field: 'x', value: 2, unit: 'lon' },
      ],
      expected: result({ unmapped: { x: '1 lat', 'x#2': '2 lon' } }),
    },
  ]
  it.each(cases)('$name', ({ entries, expected }) => {
    expect(normalizeEntries(entries)).toEqual(expected)
  })
})

describe('isIdentifier', () => {
  it.each([
    ['', true],
    ['10e2073a01080063', true],
    ['3', true],
    ['co2', false],
    ['bed', false],
    ['temperature', false],
    ['pm10', false],
  ])('%s → %s', (name, expected) => {
    expect(isIdentifier(name)).toBe(expected)
  })
})
