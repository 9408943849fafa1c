/**
 * Queues (BullMQ, prefix `<key prefix>-bull`) and their job contracts.
 *
 *   store            job "records": { records: IngestRecord[] }  → InfluxDB, one batched write per job.
 *                    Retried without end on retryable errors (InfluxDB down), so nothing is dropped;
 *                    a batch InfluxDB refuses as malformed fails for good and is counted.
 *   rules-p<N>       job "records": { records: IngestRecord[] }  → rule evaluation for the devices of
 *                    partition N (partitionOf(deviceId)); job "init": { deviceIds, at } when devices
 *                    are registered or their tenant's rules change; job "tick" from a job scheduler
 *                    (timers). The queue's global concurrency is 1: one job of a partition runs at a
 *                    time across all processes, which keeps each device's records and timers in order
 *                    (workers/rule-worker.ts). Job "history" carries a rule's history read from
 *                    InfluxDB (workers/history-jobs.ts).
 *   rules-history    job "read": a rule that started asks for its stored history (history-worker.ts).
 *
 * A job holds a batch (up to LOOKOUT_INGEST_BATCH_SIZE records), never one message: a BullMQ job
 * costs ~150 µs here, so one per message would cap ingest near 7,000/s.
 */
import { Queue, type ConnectionOptions } from 'bullmq'
import type { Redis } from 'ioredis'
import { LookoutError } from '../lib/errors.ts'
import { z } from 'zod'
import { IngestRecord, partitionOf } from '../lib/records.ts'
import type { SpoolCounter } from './spool.ts'

export const STORE_QUEUE = 'store'
export const HISTORY_QUEUE = 'rules-history'
export const rulesQueueName = (partition: number) => `rules-p${partition}`
export const bullPrefix = (keyPrefix: string) => `${keyPrefix}-bull`

export const RecordsJob = z.object({ records: z.array(IngestRecord) })
export type RecordsJob = z.infer<typeof RecordsJob>

/**
 * Job data as the workers read it. Records were validated at ingest (the boundary) and written by
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

/** Exponential from 250 ms, capped at 30 s: a long InfluxDB outage is retried twice a minute, not hourly. */
export const CAPPED_BACKOFF = 'capped-exponential'
export function cappedBackoff(attemptsMade: number): number {
  return Math.min(250 * 2 ** Math.max(0, attemptsMade - 1), 30_000)
}

// a store job waits and retries in place while InfluxDB is down (store-worker.ts); it goes back
// to the queue only when a worker shuts down mid-wait, hence the many attempts
const STORE_JOB_OPTIONS = {
  attempts: Number.MAX_SAFE_INTEGER,
  backoff: { type: CAPPED_BACKOFF },
  removeOnComplete: true,
  removeOnFail: { count: 10_000 },
} as const

export const RULES_JOB_OPTIONS = {
  attempts: 20,
  backoff: { type: CAPPED_BACKOFF },
  removeOnComplete: true,
  removeOnFail: { count: 10_000 },
} as const

const partitionsKey = (keyPrefix: string) => `${keyPrefix}:rule-partitions`

/**
 * Records the installation's rule partition count on first start and refuses another one later: a
 * device's queue and its timers are found by its partition, so changing the count would strand them.
 */
export async function claimPartitions(redis: Redis, keyPrefix: string, partitions: number): Promise<void> {
  await redis.set(partitionsKey(keyPrefix), String(partitions), 'NX')
  const stored = Number(await redis.get(partitionsKey(keyPrefix)))
  if (stored !== partitions) {
    throw new LookoutError('CONFIG_INVALID', `LOOKOUT_RULE_PARTITIONS is ${partitions}, but this installation's rule queues and timers are partitioned ${stored} ways: set it to ${stored}`)
  }
}

/**
 * Asks the rule workers to initialise devices' rules at `at` (registration, or a rules change):
 * absence timers are then armed from that moment, not from a device's first message. The partition
 * count is the installation's (claimPartitions), else `partitions`.
 */
export async function enqueueRuleInit(options: { connection: Redis; keyPrefix: string; partitions: number }, deviceIds: readonly string[], at: number): Promise<void> {
  const partitions = Number(await options.connection.get(partitionsKey(options.keyPrefix))) || options.partitions
  const byPartition = new Map<number, string[]>()
  for (const id of deviceIds) {
    const p = partitionOf(id, partitions)
    byPartition.set(p, [...(byPartition.get(p) ?? []), id])
  }
  const prefix = bullPrefix(options.keyPrefix)
  await Promise.all(
    [...byPartition].map(async ([p, ids]) => {
      const queue = new Queue(rulesQueueName(p), { connection: options.connection, prefix })
      try {
        // in chunks, so one job stays small however many devices a tenant has
        for (let i = 0; i < ids.length; i += 1000) await queue.add('init', { deviceIds: ids.slice(i, i + 1000), at }, RULES_JOB_OPTIONS)
      } finally {
        await queue.close()
      }
    }),
  )
}

export interface IngestQueues {
  /** Durably enqueues a batch: resolves once every job holding it is in Redis. */
  enqueue(records: IngestRecord[]): Promise<void>
  close(): Promise<void>
}

export function createIngestQueues(options: { connection: ConnectionOptions; keyPrefix: string; partitions: number; spool: SpoolCounter }): IngestQueues {
  const prefix = bullPrefix(options.keyPrefix)
  const store = new Queue<RecordsJob>(STORE_QUEUE, { connection: options.connection, prefix })
  const rules = Array.from({ length: options.partitions }, (_, p) => new Queue<RecordsJob>(rulesQueueName(p), { connection: options.connection, prefix }))
  return {
    async enqueue(records) {
      const byPartition = new Map<number, IngestRecord[]>()
      for (const record of records) {
        const p = partitionOf(record.deviceId, options.partitions)
        const list = byPartition.get(p)
        if (list) list.push(record)
        else byPartition.set(p, [record])
      }
      await Promise.all([
        store.add('records', { records }, STORE_JOB_OPTIONS),
        ...[...byPartition].map(([p, list]) => rules[p]!.add('records', { records: list }, RULES_JOB_OPTIONS)),
      ])
      await options.spool.added(records.length)
    },
    async close() {
      await Promise.all([store.close(), ...rules.map((q) => q.close())])
    },
  }
}
