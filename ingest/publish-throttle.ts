/**
 * Publishing is rate-limited per connection by delaying (back-pressure), not dropping: a message
 * over the rate waits for its token before it is stored and acknowledged, which slows the sender.
 * A device and an integration have their own rates (an integration speaks for many devices).
 */
import type { Client } from 'aedes'
import type { Metrics } from '../lib/metrics.ts'
import type { BrokerLimits } from './broker-limits.ts'
import type { Principal } from './principals.ts'
import { createTokenBucket, type TokenBucket } from './rate-limit.ts'

/** A sender so far over its rate that it would wait this long is not slowed but disconnected. */
export const MAX_THROTTLE_MS = 10_000

/** Resolves true once the message may go on, false when the sender is to be disconnected. */
export type PublishThrottle = (client: Client, principal: Principal) => Promise<boolean>

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export function createPublishThrottle(deps: {
  limits: Pick<BrokerLimits, 'publishPerSecond' | 'integrationPublishPerSecond'>
  metrics: Metrics
  now: () => number
}): PublishThrottle {
  const { limits, metrics, now } = deps
  const buckets = new WeakMap<Client, TokenBucket>()
  return async (client, principal) => {
    let bucket = buckets.get(client)
    if (!bucket) {
      const perSecond = principal.kind === 'device' ? limits.publishPerSecond : limits.integrationPublishPerSecond
      bucket = createTokenBucket({ perSecond, burst: perSecond * 2 }, now())
      buckets.set(client, bucket)
    }
    const wait = bucket.reserve(now())
    if (wait === 0) return true
    metrics.ingestHeld.inc({ cause: 'rate_limited' })
    if (wait > MAX_THROTTLE_MS) return false
    await sleep(wait)
    return true
  }
}
