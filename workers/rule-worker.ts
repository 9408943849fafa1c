/**
 * Processor of the `rules-p<N>` queues: evaluates each record of a batch, in order, and raises the
 * alerts the rules ask for. Raising is idempotent by dedupe key, so a retried job raises nothing twice.
 */
import { UnrecoverableError, type Job } from 'bullmq'
import type { AlertStore } from '../lib/alerts/index.ts'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import { evaluateImmediateEvent, IMMEDIATE_EVENT_RULES } from '../rules/index.ts'
import { readRecordsJob } from './queues.ts'

export function createRuleProcessor(deps: { alerts: AlertStore; metrics: Metrics; log: Logger; now?: () => number }) {
  const now = deps.now ?? Date.now
  return async function processRulesJob(job: Job): Promise<void> {
    const parsed = readRecordsJob(job.data)
    if (!parsed) {
      deps.log.error({ jobId: job.id }, 'rules job has invalid data; dropped')
      throw new UnrecoverableError('JOB_INVALID')
    }
    for (const record of parsed.records) {
      for (const candidate of evaluateImmediateEvent(record, IMMEDIATE_EVENT_RULES, now())) {
        const alert = await deps.alerts.raise(candidate)
        if (alert) {
          deps.metrics.alertsRaised.inc({ rule: alert.rule, priority: alert.priority })
          deps.log.info({ tenant: alert.tenant, alertId: alert.id, rule: alert.rule, priority: alert.priority, deviceId: alert.deviceId }, 'alert raised')
        }
      }
    }
    deps.metrics.rulesEvaluated.inc(parsed.records.length)
  }
}
