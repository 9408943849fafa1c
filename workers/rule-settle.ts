/**
 * The end of every rule job, in this order: stored history requested for the rules that started,
 * the alerts the steps decided raised and resolved, then the devices' states and timers committed
 * in one atomic write. Each part is idempotent, so a job killed between two of them and run again
 * repeats nothing.
 */
import type { AlertStore } from '../alerts/index.ts'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import { historyWanted, type DeviceRunOutput } from '../rules/index.ts'
import type { HistoryRequestJob } from './jobs.ts'
import type { LoadedDevice } from './rule-devices.ts'
import type { DeviceCommit, RuleStateStore } from './rule-state.ts'

export type DeliverOutputs = (outputs: readonly DeviceRunOutput[]) => Promise<void>
export type Settle = (loaded: ReadonlyMap<string, LoadedDevice>, commits: readonly DeviceCommit[]) => Promise<void>

/** Raises, then resolves, what the steps decided; idempotent (by dedupe key), so a re-run repeats nothing. */
export function createAlertDelivery(deps: { alerts: AlertStore; metrics: Metrics; log: Logger; now: () => number }): DeliverOutputs {
  const { metrics, log } = deps
  return async function deliver(outputs) {
    const wall = deps.now()
    for (const out of outputs) {
      for (const candidate of out.raise) {
        const alert = await deps.alerts.raise(candidate)
        if (alert) {
          metrics.alertsRaised.inc({ rule: alert.rule, priority: alert.priority })
          log.info({ tenant: alert.tenant, alertId: alert.id, rule: alert.rule, priority: alert.priority, deviceId: alert.deviceId }, 'alert raised')
        }
      }
      for (const clear of out.clear) {
        const alert = await deps.alerts.resolve(clear.dedupeKey, clear.at)
        if (alert) {
          metrics.alertsResolved.inc({ rule: alert.rule })
          log.info({ tenant: alert.tenant, alertId: alert.id, rule: alert.rule, deviceId: alert.deviceId }, 'alert resolved')
        }
      }
      for (const e of out.errors) {
        metrics.rulesFailures.inc({ code: 'RULE_FAILED' })
        // the engine (rules/, pure) keeps only the message of what a rule threw
        log.error({ code: 'RULE_FAILED', rule: e.ruleId, err: e.error }, 'rule failed; its state is kept as it was')
      }
      for (const fired of out.fired) metrics.rulesTimerLateness.observe(Math.max(0, wall - fired.at) / 1000)
      metrics.rulesTimersFired.inc(out.fired.length)
    }
  }
}

export function createSettle(deps: {
  partition: number
  states: RuleStateStore
  requestHistory: (jobs: readonly HistoryRequestJob[]) => Promise<void>
  deliver: DeliverOutputs
}): Settle {
  return async function settle(loaded, commits) {
    const requests: HistoryRequestJob[] = []
    for (const c of commits) {
      const device = loaded.get(c.deviceId)
      if (c.remove || device === undefined) continue
      for (const { ruleId, request } of historyWanted(device.ctx, c.stored.state, c.output)) {
        requests.push({ tenant: device.subject.tenant, deviceId: c.deviceId, ruleId, request })
      }
    }
    await deps.requestHistory(requests)
    await deps.deliver(commits.map((c) => c.output))
    await deps.states.commit(deps.partition, commits)
  }
}
