/**
 * Processor of the `store` queue: one batched InfluxDB write per job. InfluxDB writes are
 * idempotent per point (same series and timestamp overwrite), so a retried job duplicates nothing.
 */
import { UnrecoverableError, type Job } from 'bullmq'
import { isRetryable, LookoutError } from '../lib/errors.ts'
import type { InfluxClient } from '../lib/influx.ts'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import { toLines } from './line-protocol.ts'
import { RecordsJob } from './queues.ts'

export function createStoreProcessor(deps: { influx: InfluxClient; metrics: Metrics; log: Logger }) {
  return async function processStoreJob(job: Job): Promise<void> {
    const parsed = RecordsJob.safeParse(job.data)
    if (!parsed.success) {
      deps.log.error({ jobId: job.id }, 'store job has invalid data; dropped')
      throw new UnrecoverableError('JOB_INVALID')
    }
    const { records } = parsed.data
    try {
      await deps.influx.write(toLines(records))
    } catch (err) {
      const retryable = isRetryable(err)
      deps.metrics.storeWriteFailures.inc({ retryable: String(retryable) })
      if (err instanceof LookoutError && /database not found/i.test(err.message)) {
        await deps.influx.ensureDatabase().catch(() => undefined)
      }
      if (!retryable) {
        deps.log.error({ jobId: job.id, code: (err as LookoutError).code, points: records.length }, 'InfluxDB refused a batch; not retried')
        throw new UnrecoverableError((err as Error).message)
      }
      deps.log.warn({ jobId: job.id, attempt: job.attemptsMade + 1, err: (err as Error).message }, 'InfluxDB write failed; will retry')
      throw err
    }
    deps.metrics.storePointsWritten.inc(records.length)
  }
}
