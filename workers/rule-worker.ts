/**
 * Processor of a `rules-p<N>` queue: the live rule engine for the devices of partition N.
 *
 * Jobs (contracts: jobs.ts; one worker at a time per partition across all processes: the queue's
 * global concurrency is 1, so each device's records and timers are evaluated in order, once):
 *   records  a batch from ingest, in receipt order
 *   init     registration or a rules change: rules with no state are initialised (absence timers
 *            armed from `at`)
 *   tick     every LOOKOUT_RULE_TICK_MS (a BullMQ job scheduler): timers due by the tick's time,
 *            less LOOKOUT_RULE_TIMER_GRACE_MS, fire
 *   history  history read from InfluxDB for a rule that started (history-worker.ts), folded into
 *            its state
 *
 * Each job (rule-jobs.ts): load the devices' rule state (rule-devices.ts), step them in memory
 * (rules/engine/device-run.ts), raise and resolve the alerts (idempotent by dedupe key), then commit
 * the states and timers in one atomic write (rule-settle.ts, rule-state.ts). Killed between any two of those, the job runs again from the state
 * before it and reaches the same decisions, so no alert is lost or raised twice. Redis errors are
 * retried in place (rule-retry.ts: later jobs of the partition do not overtake this one). Rules that started in
 * a job and want their stored history (personal baselines) have it requested before the commit,
 * idempotently, so a job that dies after the commit has asked already.
 */
import { UnrecoverableError, type Job } from 'bullmq'
import type { AlertStore } from '../alerts/index.ts'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import { JOB_NAME, readHistoryAnswerJob, readInitJob, readRecordsJob, type HistoryRequestJob } from './jobs.ts'
import { createDeviceLoader } from './rule-devices.ts'
import { createStepGuard, processHistory, processInit, processRecords, processTick, type RuleJobContext } from './rule-jobs.ts'
import { createInPlaceRetry } from './rule-retry.ts'
import { createAlertDelivery, createSettle } from './rule-settle.ts'
import type { RuleStateStore } from './rule-state.ts'
import type { RulesStore } from './rules-store.ts'
import type { SubjectCache } from './subjects.ts'

export interface RuleProcessorDeps {
  partition: number
  states: RuleStateStore
  rules: RulesStore
  subjects: SubjectCache
  alerts: AlertStore
  metrics: Metrics
  log: Logger
  /** Wall clock: for the lateness metric. */
  now: () => number
  /**
   * The time up to which a tick fires timers. Default: when the tick was due (its job's scheduled
   * time) less `timerGraceMs`: every record received before then was queued ahead of the tick (the
   * queue is FIFO), so no timer fires before a record that arrived in time to stop it, even when a
   * backlog is being worked off after a restart. Tests with a simulated clock give their clock.
   */
  tickHorizon?: ((job: Job) => number) | undefined
  /** See tickHorizon: how long a record may take from receipt to its queue. */
  timerGraceMs: number
  closing: () => boolean
  /** Asks for the stored history of rules that started (history-worker.ts); idempotent. */
  requestHistory: (jobs: readonly HistoryRequestJob[]) => Promise<void>
  /** Devices a tick loads at a time. */
  tickBatch?: number | undefined
}

const TICK_BATCH = 500

export function createRuleProcessor(deps: RuleProcessorDeps) {
  const log = deps.log.child({ partition: deps.partition })
  const { partition, states, subjects, metrics, closing } = deps
  const c: RuleJobContext = {
    partition,
    states,
    subjects,
    metrics,
    closing,
    load: createDeviceLoader({ states, subjects, rules: deps.rules, metrics, log }),
    settle: createSettle({ partition, states, requestHistory: deps.requestHistory, deliver: createAlertDelivery({ alerts: deps.alerts, metrics, log, now: deps.now }) }),
    inPlace: createInPlaceRetry({ closing, log }),
    guarded: createStepGuard({ metrics, log }),
  }
  const horizonOf = deps.tickHorizon ?? ((job: Job) => Math.min(deps.now(), job.timestamp + (job.opts.delay ?? 0)) - deps.timerGraceMs)
  const tickBatch = deps.tickBatch ?? TICK_BATCH

  return async function processRulesJob(job: Job): Promise<void> {
    switch (job.name) {
      case JOB_NAME.records: {
        const parsed = readRecordsJob(job.data)
        if (!parsed) break
        return processRecords(c, job, parsed.records)
      }
      case JOB_NAME.init: {
        const parsed = readInitJob(job.data)
        if (!parsed) break
        return processInit(c, job, parsed.deviceIds, parsed.at)
      }
      case JOB_NAME.tick:
        return processTick(c, job, horizonOf(job), tickBatch)
      case JOB_NAME.historyAnswer: {
        const parsed = readHistoryAnswerJob(job.data)
        if (!parsed) break
        return processHistory(c, job, parsed)
      }
    }
    log.error({ jobId: job.id, name: job.name }, 'rules job has invalid data; dropped')
    throw new UnrecoverableError('JOB_INVALID')
  }
}
