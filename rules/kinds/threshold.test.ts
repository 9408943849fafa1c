import { describe, expect, it } from 'vitest'
import type { IngestRecord } from '../../lib/records.ts'
import { eventRecord, FIXTURE_TS, telemetryRecord } from '../../test/fixtures/records.ts'
import type { Subject } from '../engine/types.ts'
import { thresholdKind, ThresholdParams, type ThresholdState } from './threshold.ts'

const SUBJECT: Subject = { tenant: 'acme', deviceId: 'env-007', deviceType: 'environment-sensor', site: 'flat-12', timeZone: 'Europe/London' }
const T = FIXTURE_TS
const MIN = 60_000
const params = (p: unknown) => ThresholdParams.parse(p)
/** Calorifier-style: too hot above 30, over only at 28 or below. */
const HOT = params({ metric: 'temperature', above: 30, clearAt: 28 })
/** R22 second tier: below 10 °C, over at 12 or above. */
const COLD = params({ metric: 'temperature', below: 10, clearAt: 12 })

const reading = (minute: number, value: number, name = 'temperature') => telemetryRecord({ ts: T + minute * MIN, metrics: { [name]: value } })
const key = (minute: number) => String(T + minute * MIN)

/** Runs records in order; lists "raise <key> <value>" and "clear <key>@<minute>". */
function run(p: ThresholdParams, records: IngestRecord[]): { actions: string[]; state: ThresholdState } {
  let state = thresholdKind.init(p, SUBJECT, T).state
  const actions: string[] = []
  for (const record of records) {
    const step = thresholdKind.onRecord(state, record, p, SUBJECT, record.ts + 500)
    state = step.state
    for (const a of step.actions) {
      if (a.type === 'raise') actions.push(`raise ${a.key} ${a.facts?.value}`)
      else if (a.type === 'clear') actions.push(`clear ${a.key}@${(a.at - T) / MIN}`)
      else actions.push(a.type)
    }
  }
  return { actions, state }
}

describe('threshold params', () => {
  const bad: { name: string; input: unknown; path: string; says: string }[] = [
    { name: 'no metric', input: { above: 30, clearAt: 28 }, path: 'metric', says: 'metric' },
    { name: 'neither above nor below', input: { metric: 'temperature', clearAt: 28 }, path: 'above', says: 'above or below' },
    { name: 'both above and below', input: { metric: 'temperature', above: 30, below: 10, clearAt: 20 }, path: 'below', says: 'only one of above and below' },
    { name: 'clearAt equal to above (no hysteresis)', input: { metric: 'temperature', above: 30, clearAt: 30 }, path: 'clearAt', says: 'clearAt (30) must be less than above (30)' },
    { name: 'clearAt beyond above', input: { metric: 'temperature', above: 30, clearAt: 31 }, path: 'clearAt', says: 'clearAt' },
    { name: 'clearAt below `below`', input: { metric: 'temperature', below: 10, clearAt: 9 }, path: 'clearAt', says: 'clearAt (9) must be greater than below (10)' },
    { name: 'no clearAt', input: { metric: 'temperature', above: 30 }, path: 'clearAt', says: 'clearAt' },
    { name: 'minReadings 0', input: { metric: 'temperature', above: 30, clearAt: 28, minReadings: 0 }, path: 'minReadings', says: 'minReadings' },
    { name: 'a fractional minReadings', input: { metric: 'temperature', above: 30, clearAt: 28, minReadings: 1.5 }, path: 'minReadings', says: 'minReadings' },
    { name: 'a string limit', input: { metric: 'temperature', above: '30', clearAt: 28 }, path: 'above', says: 'above' },
  ]
  it.each(bad)('rejects $name, naming the field', ({ input, path, says }) => {
    const result = ThresholdParams.safeParse(input)
    expect(result.success).toBe(false)
    const issue = result.error!.issues[0]!
    expect(issue.path.join('.')).toBe(path)
    expect(issue.message).toContain(says)
  })

  it('defaults minReadings to 1', () => {
    expect(HOT).toEqual({ metric: 'temperature', above: 30, clearAt: 28, minReadings: 1 })
  })
})

describe('threshold', () => {
  const cases: { name: string; p: ThresholdParams; records: IngestRecord[]; actions: string[] }[] = [
    { name: 'does not fire inside the limit', p: HOT, records: [reading(0, 25), reading(1, 29.9)], actions: [] },
    { name: 'does not fire at the limit (strictly above)', p: HOT, records: [reading(0, 30)], actions: [] },
    { name: 'fires on the first reading above, keyed by its ts', p: HOT, records: [reading(0, 29), reading(1, 31)], actions: [`raise ${key(1)} 31`] },
    { name: 'raises once per episode', p: HOT, records: [reading(0, 31), reading(1, 35), reading(2, 40)], actions: [`raise ${key(0)} 31`] },
    { name: 'stays raised in the dead band (29 is below 30 but above clearAt 28)', p: HOT, records: [reading(0, 31), reading(1, 29), reading(2, 29.5), reading(3, 31)], actions: [`raise ${key(0)} 31`] },
    {
      name: 'clears at clearAt, and a new excursion is a new episode',
      p: HOT,
      records: [reading(0, 31), reading(1, 28.5), reading(2, 28), reading(3, 27), reading(4, 31)],
      actions: [`raise ${key(0)} 31`, `clear ${key(0)}@2`, `raise ${key(4)} 31`],
    },
    { name: 'a hovering value does not flap (30.1, 29.9, 30.1 …)', p: HOT, records: [30.1, 29.9, 30.1, 29.9, 30.1].map((v, i) => reading(i, v)), actions: [`raise ${key(0)} 30.1`] },
    { name: 'below: fires under 10 °C', p: COLD, records: [reading(0, 11), reading(1, 9.5)], actions: [`raise ${key(1)} 9.5`] },
    { name: 'below: clears at 12 °C, not at 11', p: COLD, records: [reading(0, 9), reading(1, 11), reading(2, 12)], actions: [`raise ${key(0)} 9`, `clear ${key(0)}@2`] },
    {
      name: 'minReadings 3: three consecutive readings, keyed by the first',
      p: params({ metric: 'temperature', above: 30, clearAt: 28, minReadings: 3 }),
      records: [reading(0, 31), reading(1, 31), reading(2, 29), reading(3, 32), reading(4, 33), reading(5, 34), reading(6, 35)],
      actions: [`raise ${key(3)} 34`],
    },
    {
      name: 'minReadings 3: two readings are not enough',
      p: params({ metric: 'temperature', above: 30, clearAt: 28, minReadings: 3 }),
      records: [reading(0, 31), reading(1, 31), reading(2, 25)],
      actions: [],
    },
    { name: 'ignores other metrics and events', p: HOT, records: [reading(0, 99, 'humidity'), eventRecord({ eventType: 'heat.detected', ts: T + MIN })], actions: [] },
    { name: 'ignores a reading older than the last (late)', p: HOT, records: [reading(5, 25), reading(3, 31), reading(6, 29)], actions: [] },
    { name: 'ignores a resent reading (same ts)', p: HOT, records: [reading(0, 31), reading(1, 27), reading(1, 27)], actions: [`raise ${key(0)} 31`, `clear ${key(0)}@1`] },
  ]
  it.each(cases)('$name', ({ p, records, actions }) => {
    expect(run(p, records).actions).toEqual(actions)
  })

  it('raises with numeric facts and occurredAt = the first reading beyond', () => {
    const p = params({ metric: 'temperature', above: 30, clearAt: 28, minReadings: 2 })
    let state = thresholdKind.init(p, SUBJECT, T).state
    state = thresholdKind.onRecord(state, reading(0, 31), p, SUBJECT, T).state
    expect(thresholdKind.onRecord(state, reading(1, 32.5), p, SUBJECT, T + MIN).actions).toEqual([
      { type: 'raise', key: key(0), occurredAt: T, facts: { value: 32.5, limit: 30, clearAt: 28, readings: 2 } },
    ])
  })

  it('keeps a tiny JSON state that survives storage', () => {
    const { state } = run(HOT, [reading(0, 31)])
    expect(state).toEqual({ lastTs: T, run: 0, runStart: null, active: key(0) })
    const stored = JSON.parse(JSON.stringify(state)) as ThresholdState
    expect(thresholdKind.onRecord(stored, reading(1, 20), HOT, SUBJECT, T).actions).toEqual([{ type: 'clear', key: key(0), at: T + MIN }])
  })

  it('starts empty with no actions, and ignores timers', () => {
    const init = thresholdKind.init(HOT, SUBJECT, T)
    expect(init).toEqual({ state: { lastTs: null, run: 0, runStart: null, active: null }, actions: [] })
    expect(thresholdKind.onTimer(init.state, 'x', HOT, SUBJECT, T)).toEqual(init)
  })

  const odd: { name: string; state: unknown; record: unknown }[] = [
    { name: 'no state', state: undefined, record: reading(0, 31) },
    { name: 'a state of another shape', state: { run: 'x' }, record: reading(0, 31) },
    { name: 'an infinite value', state: undefined, record: reading(0, Number.POSITIVE_INFINITY) },
    { name: 'a record without metrics', state: undefined, record: { ...reading(0, 1), metrics: null } },
  ]
  it.each(odd)('never throws on odd input: $name', ({ state, record }) => {
    expect(() => thresholdKind.onRecord(state as ThresholdState, record as IngestRecord, HOT, SUBJECT, T)).not.toThrow()
  })
})
