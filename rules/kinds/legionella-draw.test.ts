import { describe, expect, it } from 'vitest'
import { legionellaDrawKind } from './legionella-draw.ts'
import { at, DAY, event, HOUR, type Input, type Logged, simulate, SUBJECT, telemetry } from './simulate.testing.ts'

const S = 1000
const T = at('2026-07-01T10:00')
const flow = (ts: number) => ({ record: event('water.flow_started', ts) })
const stop = (ts: number) => ({ record: event('water.flow_stopped', ts) })
const temp = (ts: number, c: number) => ({ record: telemetry({ water_temperature: c }, ts) })
const HOT = {}
const COLD = { outlet: 'cold' }

describe('legionellaDrawKind params', () => {
  it.each([
    { name: 'hot defaults (F12: 50 °C within 60 s)', params: HOT, limitC: 50, afterSeconds: 60 },
    { name: 'care setting (F12: 55 °C)', params: { minC: 55 }, limitC: 55, afterSeconds: 60 },
    { name: 'cold defaults (F14: 20 °C within 120 s)', params: COLD, limitC: 20, afterSeconds: 120 },
  ])('$name', ({ params, limitC, afterSeconds }) => {
    const p = legionellaDrawKind.params.parse(params)
    expect(p).toMatchObject({ limitC, afterSeconds, graceSeconds: 30, metric: 'water_temperature', flowStart: { eventTypes: ['water.flow_started'] }, flowStopEventTypes: ['water.flow_stopped'], escalateAfterDays: 3 })
  })
  it.each([
    { params: { maxC: 20 }, path: 'maxC', message: /maxC is for a cold outlet/ },
    { params: { outlet: 'cold', minC: 50 }, path: 'minC', message: /minC is for a hot outlet/ },
    { params: { outlet: 'warm' }, path: 'outlet', message: /outlet must be "hot"/ },
    { params: { afterSeconds: 0 }, path: 'afterSeconds', message: /afterSeconds must be more than 0/ },
    { params: { metric: 'Water Temp' }, path: 'metric', message: /metric must be lower-case/ },
    { params: { flowStart: { temperatureChange: { deltaC: -1 } } }, path: 'flowStart.temperatureChange.deltaC', message: /deltaC must be more than 0/ },
    { params: { flowStart: { eventTypes: 'water.flow_started' } }, path: 'flowStart.eventTypes', message: /flowStart.eventTypes must be a list/ },
  ])('rejects $path', ({ params, path, message }) => {
    const r = legionellaDrawKind.params.safeParse(params)
    expect(r.error?.issues.find((i) => i.path.join('.') === path)?.message).toMatch(message)
  })
})

describe('legionellaDrawKind (F12 hot, F14 cold)', () => {
  const fail = (start: number, after = 60): Logged => ['raise', `${start}`, start + after * S]
  const cases: { name: string; params: unknown; inputs: Input[]; log: Logged[] }[] = [
    { name: 'hot: reaches 52 °C at 55 s: passes', params: HOT, inputs: [flow(T), temp(T + 30 * S, 45), temp(T + 55 * S, 52), { until: T + DAY }], log: [] },
    { name: 'hot: 47 °C at 60 s: fails at the check, dated flow start + 60 s', params: HOT, inputs: [flow(T), temp(T + 30 * S, 40), temp(T + 60 * S, 47), { until: T + DAY }], log: [fail(T)] },
    { name: 'hot: exactly 50.0 °C passes (≥)', params: HOT, inputs: [flow(T), temp(T + 60 * S, 50), { until: T + DAY }], log: [] },
    { name: 'hot: 51 °C at 80 s is inside the 30 s grace: passes', params: HOT, inputs: [flow(T), temp(T + 30 * S, 40), temp(T + 80 * S, 51), { until: T + DAY }], log: [] },
    { name: 'hot: 55 °C at 100 s is too late', params: HOT, inputs: [flow(T), temp(T + 30 * S, 40), temp(T + 100 * S, 55), { until: T + DAY }], log: [fail(T)] },
    { name: 'hot: no reading during the draw: no verdict', params: HOT, inputs: [flow(T), temp(T + 5 * 60 * S, 30), { until: T + DAY }], log: [] },
    { name: 'hot: flow stopped at 40 s: too short to be a test', params: HOT, inputs: [flow(T), temp(T + 30 * S, 40), stop(T + 40 * S), { until: T + DAY }], log: [] },
    { name: 'hot: flow stopped at 70 s: judged on the readings so far', params: HOT, inputs: [flow(T), temp(T + 30 * S, 40), stop(T + 70 * S), { until: T + DAY }], log: [['raise', `${T}`, T + 60 * S]] },
    {
      name: 'hot: a later passing draw clears (auto-restore)',
      params: HOT,
      inputs: [flow(T), temp(T + 60 * S, 45), { until: T + HOUR }, flow(T + DAY), temp(T + DAY + 40 * S, 58), { until: T + 2 * DAY }],
      log: [fail(T), ['clear', `${T}`, T + DAY + 40 * S]],
    },
    {
      name: 'hot: two failing draws the same day raise once (one episode)',
      params: HOT,
      inputs: [flow(T), temp(T + 60 * S, 45), { until: T + HOUR }, flow(T + 2 * HOUR), temp(T + 2 * HOUR + 60 * S, 44), { until: T + DAY }],
      log: [fail(T)],
    },
    {
      name: 'hot: failing on 3 days raises the repeat alert (F12 P2); a pass clears both',
      params: HOT,
      inputs: [
        ...[0, 1, 2].flatMap((d) => [flow(T + d * DAY), temp(T + d * DAY + 60 * S, 45), { until: T + d * DAY + HOUR }]),
        flow(T + 3 * DAY),
        temp(T + 3 * DAY + 30 * S, 60),
      ],
      log: [fail(T), ['raise', `${T}:repeated`, T + 2 * DAY + 60 * S], ['clear', `${T}`, T + 3 * DAY + 30 * S], ['clear', `${T}:repeated`, T + 3 * DAY + 30 * S]],
    },
    {
      name: 'hot: failing days are local dates: 00:30 BST and 10:00 BST on 1 Jul are one day',
      params: { escalateAfterDays: 2 },
      inputs: [flow(at('2026-07-01T00:30')), temp(at('2026-07-01T00:31'), 40), { until: at('2026-07-01T09:00') }, flow(T), temp(T + 60 * S, 45), { until: T + HOUR }],
      log: [['raise', `${at('2026-07-01T00:30')}`, at('2026-07-01T00:31')]],
    },
    {
      name: 'hot: a duplicate flow start does not restart the draw',
      params: HOT,
      inputs: [flow(T), temp(T + 50 * S, 45), flow(T), flow(T + 50 * S), { until: T + DAY }],
      log: [fail(T)],
    },
    {
      name: 'hot, no flow sensor: a rise of 10 °C within 60 s starts the draw at the earlier reading',
      params: { flowStart: { temperatureChange: { deltaC: 10 } } },
      inputs: [temp(T, 20), temp(T + 30 * S, 32), temp(T + 60 * S, 44), temp(T + 90 * S, 46), { until: T + DAY }],
      log: [fail(T)],
    },
    {
      name: 'hot, no flow sensor: rising to 52 °C passes; a slow drift is no draw',
      params: { flowStart: { temperatureChange: { deltaC: 10 } } },
      inputs: [temp(T, 20), temp(T + 30 * S, 35), temp(T + 50 * S, 52), temp(T + HOUR, 25), temp(T + 2 * HOUR, 30), { until: T + DAY }],
      log: [],
    },
    { name: 'cold: 21 °C at 120 s fails (F14)', params: COLD, inputs: [flow(T), temp(T + 60 * S, 23), temp(T + 120 * S, 21), { until: T + DAY }], log: [fail(T, 120)] },
    { name: 'cold: 19 °C at 100 s passes', params: COLD, inputs: [flow(T), temp(T + 60 * S, 23), temp(T + 100 * S, 19), { until: T + DAY }], log: [] },
    {
      name: 'cold, no flow sensor: a fall of 5 °C is a draw (summer pipe, cooler mains)',
      params: { outlet: 'cold', flowStart: { temperatureChange: { deltaC: 5 } } },
      inputs: [temp(T, 27), temp(T + 30 * S, 22), temp(T + 120 * S, 21), { until: T + DAY }],
      log: [fail(T, 120)],
    },
    {
      name: 'a check timer 6 h late judges the draw once, from its own readings',
      params: HOT,
      inputs: [flow(T), temp(T + 50 * S, 45), { outageUntil: T + 6 * HOUR }, { until: T + DAY }],
      log: [fail(T)],
    },
    {
      name: 'spring-forward night: a failing draw at 01:59 GMT is dated and timed in real seconds',
      params: HOT,
      inputs: [flow(Date.UTC(2026, 2, 29, 0, 59, 30)), temp(Date.UTC(2026, 2, 29, 1, 0, 20), 45), { until: Date.UTC(2026, 2, 29, 3) }],
      log: [['raise', `${Date.UTC(2026, 2, 29, 0, 59, 30)}`, Date.UTC(2026, 2, 29, 1, 0, 30)]],
    },
  ]
  it.each(cases)('$name', ({ params, inputs, log }) => {
    expect(simulate(legionellaDrawKind, params, T - HOUR, inputs).log).toEqual(log)
  })

  it('raises with the limit and the best reading as facts', () => {
    const run = simulate(legionellaDrawKind, HOT, T - HOUR, [flow(T), temp(T + 30 * S, 41.26), temp(T + 60 * S, 47.04), { until: T + DAY }])
    expect(run.raises[0]?.facts).toEqual({ outlet: 'hot', limitC: 50, reachedC: 47, afterSeconds: 60, readings: 2, failDays: 1 })
  })

  it('a reading after the check time, processed before the late timer, judges the draw from its span first', () => {
    const p = legionellaDrawKind.params.parse(HOT)
    let s = legionellaDrawKind.onRecord(legionellaDrawKind.init(p, SUBJECT, T).state, event('water.flow_started', T), p, SUBJECT, T).state
    s = legionellaDrawKind.onRecord(s, telemetry({ water_temperature: 45 }, T + 50 * S), p, SUBJECT, T + 50 * S).state
    const late = legionellaDrawKind.onRecord(s, telemetry({ water_temperature: 60 }, T + 5 * 60 * S), p, SUBJECT, T + 5 * 60 * S)
    expect(late.actions.filter((a) => a.type === 'raise').map((a) => a.key)).toEqual([`${T}`])
    expect(legionellaDrawKind.onTimer(late.state, 'draw-check', p, SUBJECT, T + 6 * 60 * S).actions).toEqual([])
  })
})
