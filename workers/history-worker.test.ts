import { describe, expect, it } from 'vitest'
import { historyStatements, influxString } from './history-worker.ts'

const request = {
  token: 5000,
  eventTypes: ['motion.detected', "it's"],
  mergeMs: 300_000,
  periods: [
    { start: 1000, end: 2000 },
    { start: 3000, end: 4000 },
  ],
}

describe('influxString', () => {
  it.each([
    { value: 'plain', literal: "'plain'" },
    { value: "o'brien", literal: "'o\\'brien'" },
    { value: 'back\\slash', literal: "'back\\\\slash'" },
    { value: "x' OR '1'='1", literal: "'x\\' OR \\'1\\'=\\'1'" },
  ])('$value → $literal', ({ value, literal }) => {
    expect(influxString(value)).toBe(literal)
  })
})

describe('historyStatements', () => {
  const statements = historyStatements("council'a", 'bath-1', request)

  it('reads the matching events over all the periods, then whether anything came in each period', () => {
    expect(statements).toEqual([
      `SELECT "value" FROM "events" WHERE "tenant"::tag = 'council\\'a' AND "device"::tag = 'bath-1' AND ("event"::tag = 'motion.detected' OR "event"::tag = 'it\\'s') AND time >= 1000ms AND time < 4000ms`,
      `SELECT count(*) FROM "events","telemetry","telemetry_unmapped" WHERE "tenant"::tag = 'council\\'a' AND "device"::tag = 'bath-1' AND time >= 1000ms AND time < 2000ms`,
      `SELECT count(*) FROM "events","telemetry","telemetry_unmapped" WHERE "tenant"::tag = 'council\\'a' AND "device"::tag = 'bath-1' AND time >= 3000ms AND time < 4000ms`,
    ])
  })

  it('every statement names the tenant: a device id of another tenant is never read', () => {
    for (const s of statements) expect(s).toContain(`"tenant"::tag = 'council\\'a' AND "device"::tag = 'bath-1'`)
  })

  it('no periods, no statements', () => {
    expect(historyStatements('t', 'd', { ...request, periods: [] })).toEqual([])
  })
})
