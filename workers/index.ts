/**
 * The workers of one process: the InfluxDB store worker and one rule worker per partition queue.
 */
import { Queue, Worker, type ConnectionOptions } from 'bullmq'
import type { AlertStore } from '../lib/alerts/index.ts'
import type { InfluxClient } from '../lib/influx.ts'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import { bullPrefix, CAPPED_BACKOFF, cappedBackoff, rulesQueueName, STORE_QUEUE } from './queues.ts'
import { createRuleProcessor } from './rule-worker.ts'
import type { SpoolCounter } from './spool.ts'
import { createStoreProcessor } from './store-worker.ts'

export { createIngestQueues, type IngestQueues } from './queues.ts'
export { toLine, toLines } from './line-protocol.ts'
export { createSpoolCounter, type SpoolCounter } from './spool.ts'

export interface WorkersOptions {
  connection: ConnectionOptions
  keyPrefix: string
  partitions: number
  influx: InfluxClient
  alerts: AlertStore
  metrics: Metrics
  log: Logger
  spool: SpoolCounter
  store: { concurrency: number; batchLines: number; flushMs: number }
  /** How long a job's lock lasts without renewal: after a crash, its jobs run again after about this long. */
  lockMs: number
}

const SPOOL_RECONCILE_MS = 5000

export function startWorkers(options: WorkersOptions): { close(): Promise<void> } {
  const prefix = bullPrefix(options.keyPrefix)
  const settings = {
    backoffStrategy: (attemptsMade: number, type?: string) => (type === CAPPED_BACKOFF ? cappedBackoff(attemptsMade) : 1000),
  }
  const log = options.log.child({ component: 'workers' })
  const lock = { lockDuration: options.lockMs, stalledInterval: options.lockMs }
  let closing = false
  const storeProcessor = createStoreProcessor({
    influx: options.influx,
    spool: options.spool,
    metrics: options.metrics,
    log,
    batchLines: options.store.batchLines,
    flushMs: options.store.flushMs,
    closing: () => closing,
  })
  const workers: Worker[] = [
    new Worker(STORE_QUEUE, storeProcessor, { connection: options.connection, prefix, concurrency: options.store.concurrency, settings, ...lock }),
  ]
  const ruleProcessor = createRuleProcessor({ alerts: options.alerts, metrics: options.metrics, log })
  for (let p = 0; p < options.partitions; p++) {
    workers.push(new Worker(rulesQueueName(p), ruleProcessor, { connection: options.connection, prefix, concurrency: 1, settings, ...lock }))
  }
  for (const worker of workers) {
    worker.on('error', (err) => log.error({ err, queue: worker.name }, 'worker error'))
  }

  // the spool counter can only drift low (see spool.ts); an empty store queue puts it right
  const storeQueue = new Queue(STORE_QUEUE, { connection: options.connection, prefix })
  const reconcile = setInterval(() => {
    storeQueue
      .getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children')
      .then((counts) => (Object.values(counts).every((n) => n === 0) ? options.spool.reset() : undefined))
      .catch((err: unknown) => log.debug({ err }, 'spool reconcile skipped'))
  }, SPOOL_RECONCILE_MS)
  reconcile.unref()

  return {
    async close() {
      closing = true
      clearInterval(reconcile)
      await Promise.all(workers.map((w) => w.close()))
      await storeQueue.close()
    },
  }
}
