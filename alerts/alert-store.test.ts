import { describe, expect, it } from 'vitest'
import type { AlertCandidate } from '../rules/index.ts'
import { parseStoredAlert, storedAlertJson } from './alert-store.ts'
import { Alert, alertFrom, alertIdFor } from './alert.ts'

const candidate: AlertCandidate = {
  rule: 'humidity-high',
  priority: 'P3',
  title: 'Humidity high',
  tenant: 'council-a',
  deviceId: 'env-1',
  site: 'flat-12',
  deviceType: 'environment-sensor',
  occurredAt: Date.parse('2026-11-21T10:00:00Z'),
  raisedAt: Date.parse('2026-11-21T10:00:01Z'),
  dedupeKey: 'council-a|env-1|humidity-high|1',
}

describe('alertFrom', () => {
  it('keeps the deterministic id and copies the facts', () => {
    const facts = { value: 72.5, limit: 70, direction: 'rise', neverSeen: false }
    const alert = alertFrom({ ...candidate, facts })
    expect(alert.id).toBe(alertIdFor(candidate.dedupeKey))
    expect(alert.facts).toEqual(facts)
    expect(Alert.parse(alert)).toEqual(alert)
  })

  it('leaves out facts when there are none or they are empty', () => {
    expect(alertFrom(candidate)).not.toHaveProperty('facts')
    expect(alertFrom({ ...candidate, facts: {} })).not.toHaveProperty('facts')
  })

  it('drops NaN and infinite facts, which JSON would turn into null', () => {
    expect(alertFrom({ ...candidate, facts: { value: Number.NaN, limit: 70, rate: Infinity } }).facts).toEqual({ limit: 70 })
    expect(alertFrom({ ...candidate, facts: { value: Number.NaN } })).not.toHaveProperty('facts')
  })
})

describe('stored alert JSON', () => {
  it('keeps facts as JSON text and reads them back exactly, even numbers past 14 significant digits', () => {
    const alert = alertFrom({ ...candidate, facts: { value: 21.700000000000003, sinceMs: 1763720000123, code: 'a/b', ok: true } })
    const json = storedAlertJson(alert)
    expect(JSON.parse(json)).not.toHaveProperty('facts')
    expect(typeof JSON.parse(json).factsJson).toBe('string')
    expect(parseStoredAlert(json)).toEqual(alert)
  })

  it('reads the form a Lua script writes back (cjson: other key order, escaped slashes)', () => {
    const alert = alertFrom({ ...candidate, facts: { code: 'a/b', value: 0.30000000000000004 } })
    const reencoded = '{"status":"resolved","resolvedAt":"2026-11-21T11:00:00.000Z","factsJson":"{\\"code\\":\\"a\\/b\\",\\"value\\":0.30000000000000004}",' +
      JSON.stringify({ ...alert, facts: undefined, status: undefined }).slice(1)
    expect(parseStoredAlert(reencoded)).toEqual({ ...alert, status: 'resolved', resolvedAt: '2026-11-21T11:00:00.000Z' })
  })

  it('reads an alert stored without facts (as before facts were kept)', () => {
    const alert = alertFrom(candidate)
    expect(parseStoredAlert(JSON.stringify(alert))).toEqual(alert)
  })
})
