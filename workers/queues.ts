/**
 * The producers of the rule and store queues outside the workers: ingest's durable hand-off of a
 * batch (createIngestQueues), the `init` jobs of registration and rules changes (enqueueRuleInit),
 * and the installation's rule partition count (claimPartitions). The job contracts are jobs.ts.
 */
import { Queue, type ConnectionOptions } from 'bullmq'
import type { Redis } from 'ioredis'
import { LookoutError } from '../lib/errors.ts'
import { partitionOf, type IngestRecord } from '../lib/records.ts'
import { bullPrefix, INIT_JOB_MAX_DEVICES, JOB_NAME, rulesQueueName, RULES_JOB_OPTIONS, STORE_JOB_OPTIONS, STORE_QUEUE, type InitJob, type RecordsJob } from './jobs.ts'
import type { SpoolCounter } from './spool.ts'

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
        for (let i = 0; i < ids.length; i += INIT_JOB_MAX_DEVICES) {
          await queue.add(JOB_NAME.init, { deviceIds: ids.slice(i, i + INIT_JOB_MAX_DEVICES), at } satisfies InitJob, RULES_JOB_OPTIONS)
        }
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
        store.add(JOB_NAME.records, { records }, STORE_JOB_OPTIONS),
        ...[...byPartition].map(([p, list]) => rules[p]!.add(JOB_NAME.records, { records: list }, RULES_JOB_OPTIONS)),
      ])
      await options.spool.added(records.length)
    },
    async close() {
      await Promise.all([store.close(), ...rules.map((q) => q.close())])
    },
  }
}
