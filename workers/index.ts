/**
 * The workers of one process: the InfluxDB store worker and one rule worker per partition queue.
 */
import { Worker, type ConnectionOptions } from 'bullmq'
import type { AlertStore } from '../lib/alerts/index.ts'
import type { InfluxClient } from '../lib/influx.ts'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import { bullPrefix, CAPPED_BACKOFF, cappedBackoff, rulesQueueName, STORE_QUEUE } from './queues.ts'
import { createRuleProcessor } from './rule-worker.ts'
import { createStoreProcessor } from './store-worker.ts'

export { createIngestQueues, type IngestQueues } from './queues.ts'
export { toLine, toLines } from './line-protocol.ts'

export interface WorkersOptions {
  connection: ConnectionOptions
  keyPrefix: string
  partitions: number
  influx: InfluxClient
  alerts: AlertStore
  metrics: Metrics
  log: Logger
}

export function startWorkers(options: WorkersOptions): { close(): Promise<void> } {
  const prefix = bullPrefix(options.keyPrefix)
  const settings = {
    backoffStrategy: (attemptsMade: number, type?: string) => (type === CAPPED_BACKOFF ? cappedBackoff(attemptsMade) : 1000),
  }
  const log = options.log.child({ component: 'workers' })
  const workers: Worker[] = [
    new Worker(STORE_QUEUE, createStoreProcessor({ influx: options.influx, metrics: options.metrics, log }), {
      connection: options.connection,
      prefix,
      concurrency: 2,
      settings,
    }),
  ]
  const ruleProcessor = createRuleProcessor({ alerts: options.alerts, metrics: options.metrics, log })
  for (let p = 0; p < options.partitions; p++) {
    workers.push(new Worker(rulesQueueName(p), ruleProcessor, { connection: options.connection, prefix, concurrency: 1, settings }))
  }
  for (const worker of workers) {
    worker.on('error', (err) => log.error({ err, queue: worker.name }, 'worker error'))
  }
  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()))
    },
  }
}
