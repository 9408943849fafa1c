/**
 * Telling a principal why its message was acknowledged but not stored: counted, logged by reason
 * only, and published on the principal's own errors topic (the only topic it may subscribe to).
 */
import type { Aedes } from 'aedes'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import { principalLogFields, type Principal } from './principals.ts'
import { ownErrorsTopic } from './topics.ts'

export type TellRejected = (principal: Principal, reason: string, detail: string, topic: string, cause?: string) => void

export function createTellRejected(deps: { metrics: Metrics; log: Logger; now: () => number; broker: () => Aedes }): TellRejected {
  const { metrics, log, now } = deps
  return (principal, reason, detail, topic, cause) => {
    metrics.ingestRejected.inc({ reason })
    // the reason only: payloads may carry health data and never reach a log; `cause` is told to no principal
    log.warn({ ...principalLogFields(principal), reason, ...(cause === undefined ? {} : { cause }) }, 'message rejected')
    const body = JSON.stringify({ reason, detail, topic, at: new Date(now()).toISOString() })
    deps.broker().publish({ cmd: 'publish', topic: ownErrorsTopic(principal), payload: Buffer.from(body), qos: 0, retain: false, dup: false }, () => {})
  }
}
