import { describe, expect, it } from 'vitest'
import { isKnownEventType } from '../../lib/event-types.ts'
import { CHIRPSTACK_LOG_CODES } from './chirpstack-log-codes.ts'
import { CONTEXT_METRICS, FIELD_ALIASES, MODEL_OVERRIDES } from './fields.ts'
import { METRICS, isMetricName, type MetricDefinition } from './metrics.ts'
import { SCAIP_DEVICE_TYPES, SCAIP_MESSAGE_TYPES, SCAIP_STATUS_CODES, scaipStatusEvent } from './scaip.ts'
import { SENML_UNITS } from './senml-units.ts'

const mappings = [
  ...Object.entries(FIELD_ALIASES).map(([field, m]) => ({ where: field, m })),
  ...Object.entries(MODEL_OVERRIDES).flatMap(([model, fields]) =>
    Object.entries(fields).flatMap(([field, m]) => (m === null ? [] : [{ where: `${model} ${field}`, m }])),
  ),
]

describe('vocabulary tables are consistent', () => {
  it.each(Object.keys(METRICS))('metric %s is a valid Lookout telemetry name', (name) => {
    expect(name).toMatch(/^[a-z][a-z0-9_]{0,63}$/)
  })

  it.each(mappings)('$where maps to known metrics and events', ({ m }) => {
    if (m.metric !== undefined) expect(isMetricName(m.metric)).toBe(true)
    for (const event of Object.values(m.events ?? {})) expect(isKnownEventType(event)).toBe(true)
    for (const metric of Object.values(m.unitMetrics ?? {})) expect(isMetricName(metric)).toBe(true)
    expect(m.metric !== undefined || m.events !== undefined).toBe(true)
  })

  it.each(mappings)('$where: mapped values are within the metric range', ({ m }) => {
    if (m.metric === undefined) return
    const def = METRICS[m.metric] as MetricDefinition
    for (const value of Object.values(m.values ?? {})) {
      expect(value).toBeGreaterThanOrEqual(def.min ?? -Infinity)
      expect(value).toBeLessThanOrEqual(def.max ?? Infinity)
    }
  })

  it.each(Object.entries(SENML_UNITS))('SenML unit %s converts to a canonical unit and implies a metric of that unit', (_, def) => {
    const canonicalUnits = new Set([...Object.values(METRICS).map((m) => m.unit as string), 'ratio', 'count'])
    expect(canonicalUnits.has(def.canonical)).toBe(true)
    if (def.metric !== undefined) expect((METRICS[def.metric] as MetricDefinition).unit).toBe(def.canonical)
  })

  it('context metrics are metrics', () => {
    for (const metrics of Object.values(CONTEXT_METRICS)) {
      for (const [from, to] of Object.entries(metrics)) expect([isMetricName(from), isMetricName(to ?? '')]).toEqual([true, true])
    }
  })

  it.each(Object.entries(SCAIP_STATUS_CODES))('SCAIP stc %s is 4 digits with a known event', (stc, def) => {
    expect(stc).toMatch(/^[0-9]{4}$/)
    if (def.event !== null) expect(isKnownEventType(def.event)).toBe(true)
  })

  it.each(Object.entries(SCAIP_DEVICE_TYPES))('SCAIP dty %s is 4 digits with a known alarm event', (dty, def) => {
    expect(dty).toMatch(/^[0-9]{4}$/)
    if (def.alarmEvent !== null) expect(isKnownEventType(def.alarmEvent)).toBe(true)
  })

  it('message types and log codes name known events', () => {
    for (const def of [...Object.values(SCAIP_MESSAGE_TYPES), ...Object.values(CHIRPSTACK_LOG_CODES)]) {
      if (def.event !== null) expect(isKnownEventType(def.event)).toBe(true)
    }
  })
})

describe('SCAIP status codes of docs/domain.md A3 that rules use', () => {
  const cases: [string, string | undefined, string | null][] = [
    ['0102', undefined, 'status.heartbeat'],
    ['0103', undefined, 'status.heartbeat'],
    ['0014', undefined, 'battery.failed'],
    ['0015', undefined, 'battery.ok'],
    ['0016', undefined, 'battery.low'],
    ...['0023', '0024', '0025', '0026', '0027'].map((stc): [string, undefined, string] => [stc, undefined, 'link.lost']),
    ...['0112', '0113', '0114', '0115', '0116'].map((stc): [string, undefined, string] => [stc, undefined, 'link.restored']),
    ['0085', undefined, 'mains.lost'],
    ['0086', undefined, 'mains.restored'],
    ['0123', undefined, 'radio.supervision_lost'],
    ['0124', undefined, 'radio.supervision_restored'],
    ['0125', undefined, 'tamper.detected'],
    ['0065', undefined, 'device.fault'],
    ['0066', undefined, 'device.fault'],
    ['0067', undefined, 'device.fault'],
    ['0081', undefined, 'pill.missed'],
    ['0083', undefined, 'pill.taken'],
    ['0100', undefined, 'temperature.high'],
    ['0101', undefined, 'temperature.low'],
    ['0126', undefined, 'temperature.rate_of_rise'],
    ['0070', undefined, null],
    ['0010', undefined, 'pendant.pressed'],
    ['0009', undefined, 'fall.detected'],
    ['0010', '0003', 'pendant.pressed'],
    ['0010', '0004', 'pullcord.pulled'],
    ['0010', '0007', 'panic.pressed'],
    ['0009', '0005', 'fall.detected'],
    ['0009', '0030', 'fall.detected'],
    ['0009', '0023', 'smoke.detected'],
    ['0009', '0025', 'heat.detected'],
    ['0009', '0026', 'co.detected'],
    ['0009', '0021', 'gas.detected'],
    ['0009', '0033', 'flood.detected'],
    ['0009', '0017', 'epilepsy.detected'],
    ['0009', '0016', 'alarm.unclassified'],
    ['0009', '9999', 'alarm.unclassified'],
    ['0085', '0041', 'mains.lost'],
  ]
  it.each(cases)('stc %s dty %s → %s', (stc, dty, event) => {
    expect(scaipStatusEvent(stc, dty)).toBe(event)
  })

  it('an unknown stc is undefined (the parser refuses it)', () => {
    expect(scaipStatusEvent('0001')).toBeUndefined()
  })
})
