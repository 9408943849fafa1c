import { describe, expect, it } from 'vitest'
import type { IngestRecord } from '../../lib/records.ts'
import { eventRecord, FIXTURE_TS, telemetryRecord } from '../../test/fixtures/records.ts'
import type { RuleAction, Subject } from '../engine/types.ts'
import { MAX_READINGS, RATE_TIMER, rateOfChangeKind, RateOfChangeParams, type RateOfChangeState } from './rate-of-change.ts'

const SUBJECT: Subject = { tenant: 'acme', deviceId: 'env-007', deviceType: 'environment-sensor', site: 'flat-12', timeZone: 'Europe/London' }
const T = FIXTURE_TS
const MIN = 60_000
const params = (p: unknown) => RateOfChangeParams.parse(p)
/** R06: temperature near a cooker rising ≥ 2 °C/min over 5 min. */
const R06 = params({ metric: 'temperature', risePerMinute: 2, overMinutes: 5 })

type Reading = [minute: number, value: number]
const temp = (minute: number, value: number, metric = 'temperature') => telemetryRecord({ ts: T + minute * MIN, metrics: { [metric]: value } })
/** One reading a minute from minute `from`, with the given values. */
const perMinute = (from: number, values: number[]): Reading[] => values.map((v, i) => [from + i, v])

/**
 * Plays readings as the engine does (a due timer fires before a later record, then up to `until`),
 * with state through JSON between steps. Logs "raise <minute> <direction> <rate>" and "clear <key minute>@<minute>".
 */
function drive(p: RateOfChangeParams, readings: Reading[], untilMinute = readings[readings.length - 1]?.[0] ?? 0): { log: string[]; state: RateOfChangeState } {
  let state = rateOfChangeKind.init(p, SUBJECT, T).state
  let timer: number | null = null
  const log: string[] = []
  const m = (t: number | string) => (Number(t) - T) / MIN
  const apply = (step: { state: RateOfChangeState; actions: RuleAction[] }) => {
    state = JSON.parse(JSON.stringify(step.state)) as RateOfChangeState
    for (const a of step.actions) {
      if (a.type === 'raise') log.push(`raise ${m(a.key)} ${a.facts?.direction} ${a.facts?.rate}`)
      else if (a.type === 'clear') log.push(`clear ${m(a.key)}@${m(a.at)}`)
      else if (a.type === 'arm') timer = a.at
      else timer = null
    }
  }
  const fireUntil = (t: number) => {
    while (timer !== null && timer <= t) {
      const due: number = timer
      timer = null
      apply(rateOfChangeKind.onTimer(state, RATE_TIMER, p, SUBJECT, due))
    }
  }
  for (const [minute, value] of readings) {
    fireUntil(T + minute * MIN)
    apply(rateOfChangeKind.onRecord(state, temp(minute, value), p, SUBJECT, T + minute * MIN + 40))
  }
  fireUntil(T + untilMinute * MIN)
  return { log, state }
}

describe('rate-of-change params', () => {
  const bad: { name: string; input: unknown; path: string; says: string }[] = [
    { name: 'neither risePerMinute nor fallPerMinute', input: { metric: 'temperature', overMinutes: 5 }, path: 'risePerMinute', says: 'risePerMinute or fallPerMinute' },
    { name: 'a zero rise', input: { metric: 'temperature', risePerMinute: 0, overMinutes: 5 }, path: 'risePerMinute', says: 'risePerMinute' },
    { name: 'a negative fall (falls are given as positive numbers)', input: { metric: 'temperature', fallPerMinute: -1, overMinutes: 5 }, path: 'fallPerMinute', says: 'fallPerMinute' },
    { name: 'no overMinutes', input: { metric: 'temperature', risePerMinute: 2 }, path: 'overMinutes', says: 'overMinutes' },
    { name: 'overMinutes 0', input: { metric: 'temperature', risePerMinute: 2, overMinutes: 0 }, path: 'overMinutes', says: 'overMinutes' },
    { name: 'no metric', input: { risePerMinute: 2, overMinutes: 5 }, path: 'metric', says: 'metric' },
    { name: 'an unknown field', input: { metric: 'temperature', risePerMinute: 2, overMinutes: 5, above: 30 }, path: '', says: 'above' },
  ]
  it.each(bad)('rejects $name, naming the field', ({ input, path, says }) => {
    const result = RateOfChangeParams.safeParse(input)
    expect(result.success).toBe(false)
    const issue = result.error!.issues[0]!
    expect(issue.path.join('.')).toBe(path)
    expect(issue.message).toContain(says)
  })
})

describe('rate-of-change: R06 ≥ 2 °C/min over 5 min', () => {
  const cases: { name: string; p?: RateOfChangeParams; readings: Reading[]; until?: number; log: string[] }[] = [
    { name: 'a steady temperature does not fire', readings: perMinute(0, [20, 20.5, 20, 21, 20.5, 20, 21, 20]), log: [] },
    { name: 'a slow rise (1 °C/min) does not fire', readings: perMinute(0, [20, 21, 22, 23, 24, 25, 26, 27, 28, 29]), log: [] },
    {
      name: 'a rise of 3 °C/min fires once the 5-min rate reaches 2, and clears when it falls under 1 (half the limit)',
      readings: perMinute(0, [20, 20, 20, 20, 20, 20, 23, 26, 29, 32, 32, 32, 32, 32, 32]),
      // minute 9: (32 - 20) / 5 = 2.4; minute 12: (32 - 26) / 5 = 1.2 keeps it; minute 13: (32 - 29) / 5 = 0.6 clears
      log: ['raise 9 rise 2.4', 'clear 9@13'],
    },
    {
      name: 'exactly the limit fires (≥)',
      // minute 3: (26 - 20) / 3 min = 2
      readings: perMinute(0, [20, 22, 24, 26, 28, 30]),
      log: ['raise 3 rise 2'],
    },
    {
      name: 'a sensor that stops reporting mid-rise clears overMinutes after the last rising reading (timer)',
      readings: perMinute(0, [20, 23, 26, 29, 32, 35]),
      until: 30,
      log: ['raise 3 rise 3', 'clear 3@10'],
    },
    {
      name: 'a 10 °C jump 10 s after the first reading does not fire: the span is under half of overMinutes',
      readings: [[0, 20], [1 / 6, 30], [0.5, 30]],
      log: [],
    },
    {
      name: 'readings every 3 min (over half of 5) still measure the rate',
      readings: [[0, 20], [3, 27], [6, 34]],
      log: ['raise 3 rise 2.33'],
    },
    {
      name: 'readings further apart than overMinutes never measure a rate',
      readings: [[0, 20], [6, 40], [12, 60]],
      log: [],
    },
    {
      name: 'a second rise after clearing is a new episode',
      readings: perMinute(0, [20, 23, 26, 29, 29, 29, 29, 29, 29, 29, 32, 35, 38, 41]),
      // minute 7: (29 - 26) / 5 = 0.6 clears; minute 13: (41 - 29) / 5 = 2.4 raises again
      log: ['raise 3 rise 3', 'clear 3@7', 'raise 13 rise 2.4'],
    },
    { name: 'a rise-only rule ignores a fast fall', readings: perMinute(0, [40, 37, 34, 31, 28, 25]), log: [] },
    {
      name: 'a fall rule: ≥ 1.5 °C/min down over 10 min',
      p: params({ metric: 'temperature', fallPerMinute: 1.5, overMinutes: 10 }),
      readings: perMinute(0, [20, 18, 16, 14, 12, 10, 10, 10, 10, 10, 10, 10, 10]),
      // minute 5: -10 / 5 = -2; keeps while ≥ 0.75 down per min; minute 12: (10 - 16) / 10 = -0.6 clears
      log: ['raise 5 fall -2', 'clear 5@12'],
    },
    {
      name: 'both directions: a fast rise clears as a fast fall raises',
      p: params({ metric: 'temperature', risePerMinute: 2, fallPerMinute: 2, overMinutes: 4 }),
      // minute 5: (10 - 23) / 4 = -3.25 ends the rise and starts the fall
      readings: perMinute(0, [20, 23, 26, 29, 32, 10]),
      log: ['raise 2 rise 3', 'clear 2@5', 'raise 5 fall -3.25'],
    },
  ]
  it.each(cases)('$name', ({ p, readings, until, log }) => {
    expect(drive(p ?? R06, readings, until).log).toEqual(log)
  })

  it('raises with numeric facts and the direction code, keyed and dated by the reading', () => {
    const { state } = drive(R06, perMinute(0, [20, 22, 24]))
    const step = rateOfChangeKind.onRecord(state, temp(3, 28), R06, SUBJECT, T + 3 * MIN)
    expect(step.actions).toEqual([
      { type: 'raise', key: String(T + 3 * MIN), occurredAt: T + 3 * MIN, facts: { direction: 'rise', rate: 2.67, limit: 2, change: 8, minutes: 3 } },
      { type: 'arm', timer: RATE_TIMER, at: T + 8 * MIN },
    ])
  })
})

describe('rate-of-change: order, timers and state', () => {
  const ignored: { name: string; record: IngestRecord }[] = [
    { name: 'an older reading (late)', record: temp(1, 99) },
    { name: 'a resent reading (same ts)', record: temp(2, 99) },
    { name: 'another metric', record: temp(3, 99, 'humidity') },
    { name: 'an event', record: eventRecord({ eventType: 'temperature.rate_of_rise', ts: T + 3 * MIN }) },
  ]
  it.each(ignored)('ignores $name: state unchanged', ({ record }) => {
    const { state } = drive(R06, perMinute(0, [20, 21, 22]))
    expect(rateOfChangeKind.onRecord(state, record, R06, SUBJECT, T + 3 * MIN)).toEqual({ state, actions: [] })
  })

  it('starts empty with no timers', () => {
    expect(rateOfChangeKind.init(R06, SUBJECT, T)).toEqual({ state: { readings: [], episode: null, timerAt: null }, actions: [] })
  })

  it('a quiet timer that comes early re-arms for the due time instead of clearing', () => {
    const { state } = drive(R06, perMinute(0, [20, 23, 26, 29]))
    expect(rateOfChangeKind.onTimer(state, RATE_TIMER, R06, SUBJECT, T + 5 * MIN).actions).toEqual([{ type: 'arm', timer: RATE_TIMER, at: T + 8 * MIN }])
  })

  it('ignores timers of other names, and a quiet timer with no episode', () => {
    const { state } = drive(R06, perMinute(0, [20, 23, 26, 29]))
    expect(rateOfChangeKind.onTimer(state, 'other', R06, SUBJECT, T + 60 * MIN)).toEqual({ state, actions: [] })
    const calm = drive(R06, perMinute(0, [20, 20])).state
    expect(rateOfChangeKind.onTimer(calm, RATE_TIMER, R06, SUBJECT, T + 60 * MIN)).toEqual({ state: calm, actions: [] })
  })

  it('keeps at most MAX_READINGS readings, whatever the reporting rate, and still sees the rise', () => {
    const fast: Reading[] = Array.from({ length: 600 }, (_, i) => [i / 60, 20 + (i >= 300 ? (i - 300) / 20 : 0)])
    const { state, log } = drive(R06, fast)
    expect(state.readings.length).toBeLessThanOrEqual(MAX_READINGS)
    expect(state.readings[state.readings.length - 1]![0]).toBe(T + (599 / 60) * MIN)
    expect(log).toHaveLength(1)
    expect(log[0]).toMatch(/^raise \S+ rise /)
  })

  const odd: { name: string; state: unknown; record: unknown }[] = [
    { name: 'no state', state: undefined, record: temp(0, 20) },
    { name: 'a state of another shape', state: { readings: [[1]] }, record: temp(0, 20) },
    { name: 'an infinite value', state: undefined, record: temp(0, Number.NEGATIVE_INFINITY) },
    { name: 'metrics missing', state: undefined, record: { ...temp(0, 20), metrics: undefined } },
  ]
  it.each(odd)('never throws on odd input: $name', ({ state, record }) => {
    expect(() => rateOfChangeKind.onRecord(state as RateOfChangeState, record as IngestRecord, R06, SUBJECT, T)).not.toThrow()
  })
})
