/** The workers role: the store worker and one rule worker per partition (workers/). */
import type { Config } from '../lib/config.ts'
import type { Logger } from '../lib/logger.ts'
import { startWorkers } from '../workers/index.ts'
import type { SharedClients } from './shared-clients.ts'

export function startWorkersRole(clients: SharedClients, config: Config, log: Logger, ruleClock?: () => number): Promise<{ close(): Promise<void> }> {
  return startWorkers({
    connection: clients.workerConnection,
    redis: clients.redis,
    registry: clients.registry,
    keyPrefix: config.keyPrefix,
    partitions: config.rulePartitions,
    influx: clients.influx,
    alerts: clients.alerts,
    metrics: clients.metrics,
    log,
    spool: clients.spool,
    store: config.store,
    lockMs: config.jobLockMs,
    ruleLockMs: config.ruleLockMs,
    ruleTickMs: config.ruleTickMs,
    timerGraceMs: config.ruleTimerGraceMs,
    now: ruleClock,
  })
}
