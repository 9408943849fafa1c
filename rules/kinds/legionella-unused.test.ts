import { describe, expect, it } from 'vitest'
import { outletUnusedKind } from './legionella-unused.ts'
import { at, DAY, event, HOUR, type Input, type Logged, MIN, simulate, telemetry } from './simulate.testing.ts'

const T = at('2026-07-01T10:00')
const F15 = {}
const draw = (ts: number, type = 'water.flow_started') => ({ record: event(type, ts) })
const temp = (ts: number, c: number) => ({ record: telemetry({ water_temperature: c }, ts) })

describe('outletUnusedKind params', () => {
  it('fills the F15 defaults', () => {
    expect(outletUnusedKind.params.parse(F15)).toEqual({ days: 7, metric: 'water_temperature', flowStart: { eventTypes: ['water.flow_started', 'water.flow_stopped'] } })
  })
  it.each([
    { params: { days: 0 }, path: 'days', message: /days must be more than 0/ },
    { params: { days: '7' }, path: 'days', message: /days must be a number/ },
    { params: { flowStart: { eventTypes: [] } }, path: 'flowStart.eventTypes', message: /needs at least one event type/ },
  ])('rejects $path', ({ params, path, message }) => {
    const r = outletUnusedKind.params.safeParse(params)
    expect(r.error?.issues.find((i) => i.path.join('.') === path)?.message).toMatch(message)
  })
})

describe('outletUnusedKind (F15: no draw for 7 days)', () => {
  const cases: { name: string; params: unknown; start?: number; inputs: Input[]; log: Logged[] }[] = [
    { name: 'fires 7 days after registration for an outlet never drawn (void flat)', params: F15, inputs: [{ until: T + 10 * DAY }], log: [['raise', `${T}`, T + 7 * DAY]] },
    { name: 'does not fire when drawn every 6 days', params: F15, inputs: [draw(T + 6 * DAY), draw(T + 12 * DAY), draw(T + 18 * DAY), { until: T + 24 * DAY }], log: [] },
    {
      name: 'fires 7 days after the last draw; the next draw (the flush) clears',
      params: F15,
      inputs: [draw(T + DAY), { until: T + 9 * DAY }, draw(T + 9 * DAY, 'water.flow_stopped'), { until: T + 10 * DAY }],
      log: [
        ['raise', `${T + DAY}`, T + 8 * DAY],
        ['clear', `${T + DAY}`, T + 9 * DAY],
      ],
    },
    { name: 'temperature readings are not draws unless temperatureChange is set', params: F15, inputs: [temp(T + DAY, 20), temp(T + DAY + 30_000, 45), { until: T + 8 * DAY }], log: [['raise', `${T}`, T + 7 * DAY]] },
    {
      name: 'with temperatureChange, a 5 °C change within 60 s is a draw, dated at the earlier reading',
      params: { flowStart: { temperatureChange: { deltaC: 5 } } },
      inputs: [temp(T + DAY, 20), temp(T + DAY + 30_000, 45), { until: T + 9 * DAY }],
      log: [['raise', `${T + DAY}`, T + 8 * DAY]],
    },
    {
      name: 'with temperatureChange, a slow drift (5 °C over an hour) is no draw',
      params: { flowStart: { temperatureChange: { deltaC: 5 } } },
      inputs: [temp(T + DAY, 20), temp(T + DAY + 30 * MIN, 22.5), temp(T + DAY + HOUR, 25), { until: T + 8 * DAY }],
      log: [['raise', `${T}`, T + 7 * DAY]],
    },
    { name: 'a timer 3 days late raises once, dated when due', params: F15, inputs: [{ outageUntil: T + 10 * DAY }, { until: T + 20 * DAY }], log: [['raise', `${T}`, T + 7 * DAY]] },
    {
      name: 'across the fall-back change, 7 days are 7 × 24 real hours',
      params: F15,
      start: at('2026-10-20T09:00'),
      inputs: [draw(at('2026-10-20T10:00')), { until: at('2026-10-28T12:00') }],
      log: [['raise', `${at('2026-10-20T10:00')}`, at('2026-10-27T09:00')]],
    },
  ]
  it.each(cases)('$name', ({ params, start, inputs, log }) => {
    expect(simulate(outletUnusedKind, params, start ?? T, inputs).log).toEqual(log)
  })
})
