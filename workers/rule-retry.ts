/**
 * How a rule job meets failure: Redis errors and state conflicts (another commit got in first) are
 * retried in place, with a capped backoff, so later jobs of the partition never overtake this one.
 * Only an unrecoverable error, or shutdown, hands the job back to the queue.
 */
import { UnrecoverableError, type Job } from 'bullmq'
import type { LookoutError } from '../lib/errors.ts'
import type { Logger } from '../lib/logger.ts'

const RETRY_MAX_MS = 5000

export type InPlace = (job: Job, body: () => Promise<void>) => Promise<void>

/** Runs `body` until it succeeds. */
export function createInPlaceRetry(deps: { closing: () => boolean; log: Logger }): InPlace {
  return async function inPlace(job, body) {
    for (let attempt = 1; ; attempt++) {
      try {
        await body()
        return
      } catch (err) {
        if (err instanceof UnrecoverableError) throw err
        if (deps.closing()) throw err
        const code = (err as LookoutError).code
        if (code !== 'RULE_STATE_CONFLICT') deps.log.warn({ jobId: job.id, attempt, err }, 'rule job failed; retrying in place')
        await new Promise((r) => setTimeout(r, code === 'RULE_STATE_CONFLICT' ? 0 : Math.min(100 * 2 ** (attempt - 1), RETRY_MAX_MS)))
      }
    }
  }
}
