/**
 * Every job contract of the workers: the queues (BullMQ, prefix `<key prefix>-bull`), the name of
 * each job, its data (a zod schema: the contract) with the reader a worker checks it with, and the
 * options it is added with. All of it is stored in Redis with the job, so none of it may change
 * without a migration: a job queued by an older version must still be read by a newer one.
 *
 *   queue          job      data                                   added by → run by
 *   store          records  { records: IngestRecord[] }            ingest (queues.ts) → store-worker.ts (InfluxDB)
 *   rules-p<N>     records  { records: IngestRecord[] }            ingest (queues.ts) → rule-worker.ts
 *                  init     { deviceIds, at }                      enqueueRuleInit (queues.ts) → rule-worker.ts
 *                  tick     {}                                     the `rule-timers` job scheduler (index.ts) → rule-worker.ts
 *                  history  { deviceId, ruleId, token, periods }   history-worker.ts (added in index.ts) → rule-worker.ts
 *   rules-history  read     { tenant, deviceId, ruleId, request }  rule-settle.ts (createHistoryRequester) → history-worker.ts
 *
 * `rules-p<N>` holds the devices of partition N (`partitionOf(deviceId)`); its global concurrency is
 * 1, so one job of a partition runs at a time across all processes (rule-worker.ts). A job holds a
 * batch (up to LOOKOUT_INGEST_BATCH_SIZE records), never one message: a BullMQ job costs ~150 µs
 * here, so one per message would cap ingest near 7,000/s. A job whose data its reader refuses is
 * failed for good with `JOB_INVALID` (it would fail the same way every time).
 */
import { z } from 'zod'
import { IngestRecord } from '../lib/records.ts'

export const bullPrefix = (keyPrefix: string) => `${keyPrefix}-bull`
export const STORE_QUEUE = 'store'
export const rulesQueueName = (partition: number) => `rules-p${partition}`
export const HISTORY_QUEUE = 'rules-history'

/** The name of each job, keyed by its schema's name (the table above). */
export const JOB_NAME = {
  records: 'records',
  init: 'init',
  tick: 'tick',
  historyAnswer: 'history',
  historyRequest: 'read',
} as const

// ---- options ----

/** Exponential from 250 ms, capped at 30 s: a long InfluxDB outage is retried twice a minute, not hourly. */
export const CAPPED_BACKOFF = 'capped-exponential'
export function cappedBackoff(attemptsMade: number): number {
  return Math.min(250 * 2 ** Math.max(0, attemptsMade - 1), 30_000)
}

/**
 * `records` on `store`. A store job waits and retries in place while InfluxDB is down
 * (store-worker.ts); it goes back to the queue only when a worker shuts down mid-wait, hence the
 * many attempts.
 */
export const STORE_JOB_OPTIONS = {
  attempts: Number.MAX_SAFE_INTEGER,
  backoff: { type: CAPPED_BACKOFF },
  removeOnComplete: true,
  removeOnFail: { count: 10_000 },
} as const

/** `records`, `init` and `history` on `rules-p<N>`. */
export const RULES_JOB_OPTIONS = {
  attempts: 20,
  backoff: { type: CAPPED_BACKOFF },
  removeOnComplete: true,
  removeOnFail: { count: 10_000 },
} as const

/** The job scheduler adding `tick` to each `rules-p<N>` every LOOKOUT_RULE_TICK_MS, and its jobs' options. */
export const TICK_SCHEDULER_ID = 'rule-timers'
export const TICK_JOB_OPTIONS = { removeOnComplete: true, removeOnFail: 100 } as const

/** `read` on `rules-history`: retried with the capped backoff (30 s) for about 8 hours, as an InfluxDB outage of that long spools too (decision 0006). */
export const HISTORY_JOB_OPTIONS = { ...RULES_JOB_OPTIONS, attempts: 1000 } as const

/** Devices in one `init` job at most, so one job stays small however many devices a tenant has. */
export const INIT_JOB_MAX_DEVICES = 1000

// ---- data: a schema and a reader per job ----

export const RecordsJob = z.object({ records: z.array(IngestRecord) })
export type RecordsJob = z.infer<typeof RecordsJob>

/**
 * `records`, as the workers read it. Records were validated at ingest (the boundary) and written by
 * Lookout itself, so a worker checks the shape only (a full schema parse of every record cost more
 * than the InfluxDB write at tens of thousands of records a second); `RecordsJob` is the contract.
 */
export function readRecordsJob(data: unknown): RecordsJob | undefined {
  const records = (data as { records?: unknown } | null)?.records
  if (!Array.isArray(records)) return undefined
  for (const r of records as { kind?: unknown; deviceId?: unknown; ts?: unknown }[]) {
    if ((r?.kind !== 'event' && r?.kind !== 'telemetry') || typeof r.deviceId !== 'string' || typeof r.ts !== 'number') return undefined
  }
  return data as RecordsJob
}

const epochMs = z.number().int().nonnegative()

/** `init`: initialise the rules of these devices that have no rule state (absence timers armed from `at`). */
export const InitJob = z.object({ deviceIds: z.array(z.string().min(1)), at: epochMs })
export type InitJob = z.infer<typeof InitJob>

/** `init`, shape checked only, as `records` is. */
export function readInitJob(data: unknown): InitJob | undefined {
  const d = data as { deviceIds?: unknown; at?: unknown } | null
  if (!Array.isArray(d?.deviceIds) || !d.deviceIds.every((id) => typeof id === 'string') || typeof d.at !== 'number' || !Number.isFinite(d.at)) return undefined
  return { deviceIds: d.deviceIds as string[], at: d.at }
}

/**
 * `tick`: carries nothing (its horizon is the job's own scheduled time). It has no reader: the rule
 * worker never reads a tick's data, so no data makes a tick invalid.
 */
export const TickJob = z.object({})
export type TickJob = z.infer<typeof TickJob>

/** `read`: a rule that started asks for its stored history (rules/engine/types.ts HistoryRequest). */
export const HistoryRequestJob = z.object({
  tenant: z.string().min(1),
  deviceId: z.string().min(1),
  ruleId: z.string().min(1),
  request: z.object({
    token: epochMs,
    eventTypes: z.array(z.string().min(1)).min(1).readonly(),
    mergeMs: z.number().nonnegative(),
    periods: z.array(z.object({ start: epochMs, end: epochMs })).max(100).readonly(),
  }),
})
export type HistoryRequestJob = z.infer<typeof HistoryRequestJob>

/** A `read` job's id: one request per (device, rule, state), however often a retried rule job asks. */
export const historyRequestJobId = (data: HistoryRequestJob) => `${data.deviceId}|${data.ruleId}|${data.request.token}`

/** `history`: the summary of that history, per period. */
export const HistoryAnswerJob = z.object({
  deviceId: z.string().min(1),
  ruleId: z.string().min(1),
  token: epochMs,
  periods: z.array(z.object({ episodes: z.number().int().nonnegative(), active: z.boolean() })).max(100).readonly(),
})
export type HistoryAnswerJob = z.infer<typeof HistoryAnswerJob>

/** History jobs are few (a few per device, ever), so they are read with their full schema. */
export function readHistoryRequestJob(data: unknown): HistoryRequestJob | undefined {
  const parsed = HistoryRequestJob.safeParse(data)
  return parsed.success ? parsed.data : undefined
}

export function readHistoryAnswerJob(data: unknown): HistoryAnswerJob | undefined {
  const parsed = HistoryAnswerJob.safeParse(data)
  return parsed.success ? parsed.data : undefined
}
