/**
 * Processor of the `store` queue (its `records` jobs: jobs.ts): readings → InfluxDB, batched by size
 * and time.
 *
 * Several store jobs run at once (`concurrency`), and their lines share InfluxDB writes through a
 * group commit (up to `batchLines` lines or `flushMs` after the first), because InfluxDB is fastest
 * with thousands of lines per write while an ingest batch is often a few hundred.
 *
 * While InfluxDB is down or slow, a job is not failed back to BullMQ (which would let newer jobs
 * overtake it): it waits and retries in place, with capped exponential backoff, so the backlog
 * stays in the store queue (the spool) in order and is written in order when InfluxDB returns.
 * InfluxDB keeps one value per series and timestamp, so a batch written twice (after a crash
 * between the write and the job's completion) still leaves each point once.
 *
 * A batch InfluxDB refuses as malformed (HTTP 400) is written again job by job, so only the bad
 * job fails for good (counted, logged without its data); the others are kept.
 */
import { UnrecoverableError, type Job } from 'bullmq'
import { isRetryable, LookoutError } from '../lib/errors.ts'
import { createGroupCommit } from '../lib/group-commit.ts'
import type { InfluxClient } from '../lib/influx.ts'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import { toLines } from './line-protocol.ts'
import { cappedBackoff, readRecordsJob } from './jobs.ts'
import type { SpoolCounter } from './spool.ts'

export interface StoreProcessorOptions {
  influx: InfluxClient
  spool: SpoolCounter
  metrics: Metrics
  log: Logger
  batchLines: number
  flushMs: number
  /** True once the worker is closing: a waiting job then goes back to the queue instead of blocking shutdown. */
  closing: () => boolean
  sleep?: (ms: number) => Promise<void>
}

interface Chunk {
  lines: string
  count: number
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export function createStoreProcessor(options: StoreProcessorOptions) {
  const { influx, metrics, log } = options
  const sleep = options.sleep ?? defaultSleep
  const writes = createGroupCommit<Chunk>({
    maxItems: options.batchLines,
    flushMs: options.flushMs,
    weight: (chunk) => chunk.count,
    write: (chunks) => influx.write(chunks.map((c) => c.lines).join('\n')),
  })

  async function writeOnce(chunk: Chunk): Promise<void> {
    try {
      await writes.add(chunk)
    } catch (err) {
      if (isRetryable(err)) throw err
      // the shared batch was refused: find out whether this job's lines are the bad ones
      await influx.write(chunk.lines)
    }
  }

  return async function processStoreJob(job: Job): Promise<void> {
    const parsed = readRecordsJob(job.data)
    if (!parsed) {
      log.error({ jobId: job.id }, 'store job has invalid data; dropped')
      throw new UnrecoverableError('JOB_INVALID')
    }
    const { records } = parsed
    const chunk = { lines: toLines(records), count: records.length }
    for (let attempt = 1; ; attempt++) {
      try {
        await writeOnce(chunk)
        break
      } catch (err) {
        const retryable = isRetryable(err)
        metrics.storeWriteFailures.inc({ retryable: String(retryable) })
        if (!retryable) {
          log.error({ jobId: job.id, code: (err as LookoutError).code, points: records.length }, 'InfluxDB refused a batch; not retried')
          await options.spool.written(records.length)
          throw new UnrecoverableError((err as Error).message)
        }
        if (err instanceof LookoutError && /database not found/i.test(err.message)) {
          await influx.ensureDatabase().catch(() => undefined)
        }
        if (attempt === 1 || attempt % 20 === 0) {
          log.warn({ jobId: job.id, attempt, err }, 'InfluxDB write failed; holding the spool and retrying')
        }
        // on shutdown, hand the job back to the queue (retried by the next worker) rather than block
        if (options.closing()) throw err
        await sleep(cappedBackoff(attempt))
      }
    }
    metrics.storePointsWritten.inc(records.length)
    await options.spool.written(records.length)
  }
}
