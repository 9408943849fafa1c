import { describe, expect, it } from 'vitest'
import { calorifierKind } from './legionella-calorifier.ts'
import { at, HOUR, type Input, type Logged, MIN, simulate, SUBJECT, telemetry } from './simulate.testing.ts'

const T = at('2026-07-01T10:00')
const F13 = {}
const read = (ts: number, flow?: number, ret?: number) => ({
  record: telemetry({ ...(flow === undefined ? {} : { flow_temperature: flow }), ...(ret === undefined ? {} : { return_temperature: ret }) }, ts),
})

describe('calorifierKind params', () => {
  it('fills the F13 defaults', () => {
    expect(calorifierKind.params.parse(F13)).toEqual({ flowMetric: 'flow_temperature', returnMetric: 'return_temperature', flowMinC: 60, returnMinC: 50, forMinutes: 30 })
  })
  it.each([
    { params: { forMinutes: 0 }, path: 'forMinutes', message: /forMinutes must be more than 0/ },
    { params: { flowMinC: 120 }, path: 'flowMinC', message: /flowMinC must be at most 100/ },
  ])('rejects $path', ({ params, path, message }) => {
    const r = calorifierKind.params.safeParse(params)
    expect(r.error?.issues.find((i) => i.path.join('.') === path)?.message).toMatch(message)
  })
})

describe('calorifierKind (F13: flow < 60 °C or return < 50 °C for > 30 min)', () => {
  const cases: { name: string; inputs: Input[]; log: Logged[] }[] = [
    { name: 'does not fire in range', inputs: [read(T, 62, 55), read(T + HOUR, 61, 52), { until: T + 3 * HOUR }], log: [] },
    { name: 'fires when flow stays below 60 °C for 30 min; back in range clears', inputs: [read(T, 58, 55), read(T + 20 * MIN, 57), { until: T + HOUR }, read(T + HOUR, 61)], log: [['raise', `${T}`, T + 30 * MIN], ['clear', `${T}`, T + HOUR]] },
    { name: 'fires on a low return alone', inputs: [read(T, 65, 48), { until: T + HOUR }], log: [['raise', `${T}`, T + 30 * MIN]] },
    { name: 'does not fire for a 20-minute dip', inputs: [read(T, 58, 55), read(T + 20 * MIN, 61), { until: T + 3 * HOUR }], log: [] },
    { name: 'flow recovering while return is still low keeps the breach', inputs: [read(T, 58, 48), read(T + 10 * MIN, 62), { until: T + HOUR }], log: [['raise', `${T}`, T + 30 * MIN]] },
    { name: 'an out-of-order older reading is ignored', inputs: [read(T, 58), { record: telemetry({ flow_temperature: 65 }, T - 5 * MIN), now: T + MIN }, { until: T + HOUR }], log: [['raise', `${T}`, T + 30 * MIN]] },
    { name: 'a timer 5 h late raises once, dated when due', inputs: [read(T, 58), { outageUntil: T + 5 * HOUR }, { until: T + 8 * HOUR }], log: [['raise', `${T}`, T + 30 * MIN]] },
    {
      name: 'across the spring-forward night, 30 min are real minutes',
      inputs: [read(Date.UTC(2026, 2, 29, 0, 45), 55), { until: Date.UTC(2026, 2, 29, 3) }],
      log: [['raise', `${Date.UTC(2026, 2, 29, 0, 45)}`, Date.UTC(2026, 2, 29, 1, 15)]],
    },
  ]
  it.each(cases)('$name', ({ inputs, log }) => {
    const first = inputs[0]
    const start = first !== undefined && 'record' in first ? first.record.ts - MIN : T
    expect(simulate(calorifierKind, F13, start, inputs).log).toEqual(log)
  })

  it('a reading back in range after the due time, before the late timer, raises what was due then clears', () => {
    const p = calorifierKind.params.parse(F13)
    const s1 = calorifierKind.onRecord(calorifierKind.init(p, SUBJECT, T).state, telemetry({ flow_temperature: 58 }, T), p, SUBJECT, T)
    const s2 = calorifierKind.onRecord(s1.state, telemetry({ flow_temperature: 62 }, T + HOUR), p, SUBJECT, T + HOUR)
    expect(s2.actions).toEqual([
      { type: 'raise', key: `${T}`, occurredAt: T + 30 * MIN, facts: { flowMinC: 60, returnMinC: 50, forMinutes: 30, flowC: 58 } },
      { type: 'clear', key: `${T}`, at: T + HOUR },
    ])
  })
})
