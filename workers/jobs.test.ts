import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { eventRecord, FIXTURE_TS, telemetryRecord } from '../test/fixtures/records.ts'
import {
  bullPrefix,
  HISTORY_JOB_OPTIONS,
  HISTORY_QUEUE,
  historyRequestJobId,
  HistoryAnswerJob,
  HistoryRequestJob,
  InitJob,
  JOB_NAME,
  readHistoryAnswerJob,
  readHistoryRequestJob,
  readInitJob,
  readRecordsJob,
  RecordsJob,
  RULES_JOB_OPTIONS,
  rulesQueueName,
  STORE_JOB_OPTIONS,
  STORE_QUEUE,
  TICK_JOB_OPTIONS,
  TICK_SCHEDULER_ID,
  TickJob,
} from './jobs.ts'

interface Case {
  name: string
  data: unknown
  ok: boolean
}

/**
 * A reader's table: it accepts the valid cases and refuses the others. The schema (the contract)
 * accepts every valid case too, and refuses every case the reader refuses: a cheap reader may let
 * more through than its schema, never less.
 */
function readerTable(reader: (data: unknown) => unknown, schema: z.ZodType, cases: Case[]) {
  it.each(cases)('$name', ({ data, ok }) => {
    expect(reader(data) !== undefined).toBe(ok)
    if (ok) expect(schema.safeParse(data).success).toBe(true)
    else expect(schema.safeParse(data).success).toBe(false)
  })
}

describe('readRecordsJob', () => {
  readerTable(readRecordsJob, RecordsJob, [
    { name: 'accepts a batch of events and telemetry', data: { records: [eventRecord(), telemetryRecord()] }, ok: true },
    { name: 'accepts an empty batch', data: { records: [] }, ok: true },
    { name: 'refuses data without records', data: {}, ok: false },
    { name: 'refuses null', data: null, ok: false },
    { name: 'refuses no data at all', data: undefined, ok: false },
    { name: 'refuses records that are not a list', data: { records: { 0: eventRecord() } }, ok: false },
    { name: 'refuses a record that is not an object', data: { records: [eventRecord(), null] }, ok: false },
    { name: 'refuses a record of an unknown kind', data: { records: [{ ...eventRecord(), kind: 'other' }] }, ok: false },
    { name: 'refuses a record without a device id', data: { records: [{ ...telemetryRecord(), deviceId: 7 }] }, ok: false },
    { name: 'refuses a record whose ts is not a number', data: { records: [{ ...telemetryRecord(), ts: '2026' }] }, ok: false },
  ])

  it('hands back the job data itself: no copy of the batch on the hot path', () => {
    const data = { records: [eventRecord()] }
    expect(readRecordsJob(data)).toBe(data)
  })
})

describe('readInitJob', () => {
  readerTable(readInitJob, InitJob, [
    { name: 'accepts devices and a time', data: { deviceIds: ['pendant-001', 'env-007'], at: FIXTURE_TS }, ok: true },
    { name: 'accepts no devices', data: { deviceIds: [], at: FIXTURE_TS }, ok: true },
    { name: 'refuses null', data: null, ok: false },
    { name: 'refuses data without device ids', data: { at: FIXTURE_TS }, ok: false },
    { name: 'refuses device ids that are not a list', data: { deviceIds: 'pendant-001', at: FIXTURE_TS }, ok: false },
    { name: 'refuses a device id that is not a string', data: { deviceIds: ['pendant-001', 7], at: FIXTURE_TS }, ok: false },
    { name: 'refuses data without a time', data: { deviceIds: ['pendant-001'] }, ok: false },
    { name: 'refuses a time that is not a number', data: { deviceIds: ['pendant-001'], at: '2026-11-21' }, ok: false },
    { name: 'refuses a time that is not finite', data: { deviceIds: ['pendant-001'], at: Infinity }, ok: false },
  ])

  it('reads the device ids and the time', () => {
    expect(readInitJob({ deviceIds: ['pendant-001'], at: FIXTURE_TS, extra: 1 })).toEqual({ deviceIds: ['pendant-001'], at: FIXTURE_TS })
  })
})

const historyRequest = {
  tenant: 'acme',
  deviceId: 'bath-1',
  ruleId: 'R15',
  request: { token: FIXTURE_TS, eventTypes: ['motion.detected'], mergeMs: 300_000, periods: [{ start: 1000, end: 2000 }] },
}

describe('readHistoryRequestJob', () => {
  const withRequest = (request: Record<string, unknown>) => ({ ...historyRequest, request: { ...historyRequest.request, ...request } })
  readerTable(readHistoryRequestJob, HistoryRequestJob, [
    { name: 'accepts a request', data: historyRequest, ok: true },
    { name: 'accepts a request of no periods', data: withRequest({ periods: [] }), ok: true },
    { name: 'refuses null', data: null, ok: false },
    { name: 'refuses an empty tenant', data: { ...historyRequest, tenant: '' }, ok: false },
    { name: 'refuses data without a device id', data: { ...historyRequest, deviceId: undefined }, ok: false },
    { name: 'refuses a rule id that is not a string', data: { ...historyRequest, ruleId: 15 }, ok: false },
    { name: 'refuses data without a request', data: { ...historyRequest, request: undefined }, ok: false },
    { name: 'refuses a token that is not a whole number of ms', data: withRequest({ token: 1.5 }), ok: false },
    { name: 'refuses a negative token', data: withRequest({ token: -1 }), ok: false },
    { name: 'refuses no event types', data: withRequest({ eventTypes: [] }), ok: false },
    { name: 'refuses an empty event type', data: withRequest({ eventTypes: [''] }), ok: false },
    { name: 'refuses a negative merge window', data: withRequest({ mergeMs: -1 }), ok: false },
    { name: 'refuses a period without an end', data: withRequest({ periods: [{ start: 1000 }] }), ok: false },
    { name: 'refuses more than 100 periods', data: withRequest({ periods: Array(101).fill({ start: 1000, end: 2000 }) }), ok: false },
  ])

  it('names a request by its device, rule and state', () => {
    expect(historyRequestJobId(historyRequest)).toBe(`bath-1|R15|${FIXTURE_TS}`)
  })
})

describe('readHistoryAnswerJob', () => {
  const answer = { deviceId: 'bath-1', ruleId: 'R15', token: FIXTURE_TS, periods: [{ episodes: 2, active: true }] }
  readerTable(readHistoryAnswerJob, HistoryAnswerJob, [
    { name: 'accepts an answer', data: answer, ok: true },
    { name: 'accepts an answer of no periods', data: { ...answer, periods: [] }, ok: true },
    { name: 'refuses null', data: null, ok: false },
    { name: 'refuses an empty device id', data: { ...answer, deviceId: '' }, ok: false },
    { name: 'refuses data without a rule id', data: { ...answer, ruleId: undefined }, ok: false },
    { name: 'refuses a token that is not a number', data: { ...answer, token: 'now' }, ok: false },
    { name: 'refuses a fractional episode count', data: { ...answer, periods: [{ episodes: 1.5, active: true }] }, ok: false },
    { name: 'refuses a negative episode count', data: { ...answer, periods: [{ episodes: -1, active: true }] }, ok: false },
    { name: 'refuses activity that is not a boolean', data: { ...answer, periods: [{ episodes: 0, active: 'yes' }] }, ok: false },
    { name: 'refuses more than 100 periods', data: { ...answer, periods: Array(101).fill({ episodes: 0, active: false }) }, ok: false },
  ])
})

describe('TickJob', () => {
  it('carries nothing', () => {
    expect(TickJob.safeParse({}).success).toBe(true)
  })
})

/**
 * The names and options below are stored in Redis with every job and scheduler: jobs queued by an
 * older version are read by a newer one, so a change here strands them (a migration, not an edit).
 */
describe('the Redis contract', () => {
  it('keeps the queue names', () => {
    expect([bullPrefix('lookout'), STORE_QUEUE, rulesQueueName(0), rulesQueueName(11), HISTORY_QUEUE]).toEqual(['lookout-bull', 'store', 'rules-p0', 'rules-p11', 'rules-history'])
  })

  it('keeps the job names', () => {
    expect(JOB_NAME).toEqual({ records: 'records', init: 'init', tick: 'tick', historyAnswer: 'history', historyRequest: 'read' })
    expect(TICK_SCHEDULER_ID).toBe('rule-timers')
  })

  it('keeps the job options', () => {
    const backoff = { type: 'capped-exponential' }
    expect(STORE_JOB_OPTIONS).toEqual({ attempts: Number.MAX_SAFE_INTEGER, backoff, removeOnComplete: true, removeOnFail: { count: 10_000 } })
    expect(RULES_JOB_OPTIONS).toEqual({ attempts: 20, backoff, removeOnComplete: true, removeOnFail: { count: 10_000 } })
    expect(HISTORY_JOB_OPTIONS).toEqual({ attempts: 1000, backoff, removeOnComplete: true, removeOnFail: { count: 10_000 } })
    expect(TICK_JOB_OPTIONS).toEqual({ removeOnComplete: true, removeOnFail: 100 })
  })
})
