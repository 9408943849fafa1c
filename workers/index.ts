/**
 * The workers of one process: the InfluxDB store worker, one rule worker per partition queue (the
 * live rule engine, workers/rule-worker.ts) and the reader of rule history (history-worker.ts).
 */
import { Queue, Worker, type ConnectionOptions } from 'bullmq'
import type { AlertStore } from '../alerts/index.ts'
import type { InfluxClient } from '../lib/influx.ts'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import type { Redis } from 'ioredis'
import type { Registry } from '../registry/index.ts'
import { partitionOf } from '../lib/records.ts'
import { createHistoryProcessor, createHistoryRequester } from './history-worker.ts'
import { bullPrefix, CAPPED_BACKOFF, cappedBackoff, HISTORY_QUEUE, JOB_NAME, rulesQueueName, RULES_JOB_OPTIONS, STORE_QUEUE, TICK_JOB_OPTIONS, TICK_SCHEDULER_ID, type TickJob } from './jobs.ts'
import { enqueueRuleInit } from './queues.ts'
import { createRuleStateStore, type RuleStateStore } from './rule-state.ts'
import { createRuleProcessor } from './rule-worker.ts'
import { createRulesStore } from './rules-store.ts'
import type { SpoolCounter } from './spool.ts'
import { createStoreProcessor } from './store-worker.ts'
import { createSubjectCache } from './subjects.ts'

export { claimPartitions, createIngestQueues, enqueueRuleInit, type IngestQueues } from './queues.ts'
export { createRulesStore, defaultRulesConfig, DEFAULT_PACKS, DEFAULT_RULES_SOURCE, type RulesStore } from './rules-store.ts'
export { createRuleStateStore, type RuleStateStore } from './rule-state.ts'
export { toLine, toLines } from './line-protocol.ts'
export { createSpoolCounter, type SpoolCounter } from './spool.ts'

export interface WorkersOptions {
  connection: ConnectionOptions
  /** For rule state, rules files and the registry (not the blocking worker connection). */
  redis: Redis
  registry: Registry
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
  /** Rule job lock (a partition whose worker died resumes after about this long). */
  ruleLockMs: number
  /** How often each partition looks for due timers; 0: never by itself (tests add `tick` jobs). */
  ruleTickMs: number
  /** See rule-worker.ts tickHorizon. */
  timerGraceMs: number
  /** A simulated clock rule timers are due by (tests drive it); default: the tick's scheduled time. */
  now?: (() => number) | undefined
}

/** Enqueues `init` for every registered device with no rule state; returns how many. */
async function initDevicesWithoutState(options: Pick<WorkersOptions, 'registry' | 'redis' | 'keyPrefix' | 'partitions'> & { states: RuleStateStore }): Promise<number> {
  let started = 0
  for (const tenant of await options.registry.listTenants()) {
    const ids = (await options.registry.listDevices(tenant)).map((d) => d.deviceId)
    if (ids.length === 0) continue
    const pipeline = options.redis.pipeline()
    for (const id of ids) pipeline.exists(options.states.stateKey(id))
    const exists = (await pipeline.exec()) ?? []
    const missing = ids.filter((_, i) => exists[i]?.[1] === 0)
    if (missing.length === 0) continue
    await enqueueRuleInit({ connection: options.redis, keyPrefix: options.keyPrefix, partitions: options.partitions }, missing, Date.now())
    started += missing.length
  }
  return started
}

const SPOOL_RECONCILE_MS = 5000
const STALLED_CHECK_MS = 1000
const MAX_STALLED = 5
/** History reads at a time per process: background work, a few queries each. */
const HISTORY_CONCURRENCY = 2

export async function startWorkers(options: WorkersOptions): Promise<{ close(): Promise<void> }> {
  const prefix = bullPrefix(options.keyPrefix)
  const settings = {
    backoffStrategy: (attemptsMade: number, type?: string) => (type === CAPPED_BACKOFF ? cappedBackoff(attemptsMade) : 1000),
  }
  const log = options.log.child({ component: 'workers' })
  // A dead process's jobs run again once their lock has expired and the next stalled check has seen
  // that: checking every second (a single Lua call) makes that lock + 1 s rather than twice the lock.
  // A job may stall a few times (a process killed twice while holding it) before it is failed.
  const recovery = (lockMs: number) => ({ lockDuration: lockMs, stalledInterval: Math.min(lockMs, STALLED_CHECK_MS), maxStalledCount: MAX_STALLED })
  const lock = recovery(options.lockMs)
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
  const states = createRuleStateStore(options.redis, options.keyPrefix)
  const rules = createRulesStore(options.redis, options.keyPrefix, {
    onInvalid: (tenant, err) => log.error({ tenant, code: 'RULES_INVALID', err }, 'stored rules no longer validate; the tenant gets the default packs'),
  })
  const subjects = createSubjectCache(options.registry, { ttlMs: 10_000 })
  const ruleQueues: Queue[] = []
  const historyQueue = new Queue(HISTORY_QUEUE, { connection: options.connection, prefix })
  const requestHistory = createHistoryRequester(historyQueue)
  for (let p = 0; p < options.partitions; p++) {
    // one job of a partition at a time across every process: each device's events stay in order
    const queue = new Queue(rulesQueueName(p), { connection: options.connection, prefix })
    ruleQueues.push(queue)
    await queue.setGlobalConcurrency(1)
    if (options.ruleTickMs > 0) {
      await queue.upsertJobScheduler(TICK_SCHEDULER_ID, { every: options.ruleTickMs }, { name: JOB_NAME.tick, data: {} satisfies TickJob, opts: TICK_JOB_OPTIONS })
    }
    const processor = createRuleProcessor({
      partition: p,
      states,
      rules,
      subjects,
      alerts: options.alerts,
      metrics: options.metrics,
      log,
      now: options.now ?? Date.now,
      tickHorizon: options.now === undefined ? undefined : options.now,
      timerGraceMs: options.timerGraceMs,
      closing: () => closing,
      requestHistory,
    })
    workers.push(
      new Worker(rulesQueueName(p), processor, { connection: options.connection, prefix, concurrency: 1, settings, ...recovery(options.ruleLockMs) }),
    )
  }
  const storeQueue = new Queue(STORE_QUEUE, { connection: options.connection, prefix })
  const historyProcessor = createHistoryProcessor({
    influx: options.influx,
    storeBehind: async (at) => {
      const oldest = await storeQueue.getJobs(['active', 'wait', 'prioritized', 'delayed'], 0, 0, true)
      return oldest.some((job) => job !== undefined && job.timestamp < at)
    },
    metrics: options.metrics,
    log,
    deliver: async (answer) => {
      await ruleQueues[partitionOf(answer.deviceId, options.partitions)]!.add(JOB_NAME.historyAnswer, answer, RULES_JOB_OPTIONS)
    },
  })
  workers.push(new Worker(HISTORY_QUEUE, historyProcessor, { connection: options.connection, prefix, concurrency: HISTORY_CONCURRENCY, settings, ...lock }))
  for (const worker of workers) {
    worker.on('error', (err) => log.error({ err, queue: worker.name }, 'worker error'))
  }

  // devices registered before this version (or while no worker ran) whose rules never started: start them now
  void initDevicesWithoutState({ ...options, states }).then(
    (n) => (n > 0 ? log.info({ devices: n }, 'started the rules of devices that had no rule state') : undefined),
    (err: unknown) => log.warn({ err }, 'could not check devices for missing rule state; their rules start with their first message'),
  )

  // the spool counter can only drift low (see spool.ts); an empty store queue puts it right
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
      await Promise.all([storeQueue.close(), historyQueue.close(), ...ruleQueues.map((q) => q.close())])
    },
  }
}
