import { describe, expect, it } from 'vitest'
import { eventRecord, telemetryRecord } from '../test/fixtures/records.ts'
import { readRecordsJob } from './queues.ts'

describe('readRecordsJob', () => {
  const cases: { name: string; data: unknown; ok: boolean }[] = [
    { name: 'accepts a batch of events and telemetry', data: { records: [eventRecord(), telemetryRecord()] }, ok: true },
    { name: 'accepts an empty batch', data: { records: [] }, ok: true },
    { name: 'refuses data without records', data: {}, ok: false },
    { name: 'refuses null', data: null, ok: false },
    { name: 'refuses a record of an unknown kind', data: { records: [{ ...eventRecord(), kind: 'other' }] }, ok: false },
    { name: 'refuses a record without a device id', data: { records: [{ ...telemetryRecord(), deviceId: 7 }] }, ok: false },
    { name: 'refuses a record whose ts is not a number', data: { records: [{ ...telemetryRecord(), ts: '2026' }] }, ok: false },
  ]
  it.each(cases)('$name', ({ data, ok }) => {
    expect(readRecordsJob(data) !== undefined).toBe(ok)
  })
})
