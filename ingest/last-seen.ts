/**
 * Last-seen time per device without a Redis write per message: times are kept in memory and
 * written every `flushMs` as one ZADD per tenant (`P:last-seen:<tenant>`, score = epoch ms, member =
 * device id; GT, so an older time never overwrites a newer one). Absence rules and hub inhibition
 * read this set. A crash loses at most one interval of last-seen times, never a reading.
 */
import type { Redis } from 'ioredis'

export function lastSeenKey(keyPrefix: string, tenant: string): string {
  return `${keyPrefix}:last-seen:${tenant}`
}

export interface LastSeenTracker {
  seen(tenant: string, deviceId: string, at: number): void
  flush(): Promise<void>
  close(): Promise<void>
}

export function createLastSeenTracker(options: { redis: Redis; keyPrefix: string; flushMs: number; onFlushed?: (devices: number) => void; onError?: (err: unknown) => void }): LastSeenTracker {
  let pending = new Map<string, Map<string, number>>()
  async function flush() {
    if (pending.size === 0) return
    const batch = pending
    pending = new Map()
    const pipeline = options.redis.pipeline()
    let devices = 0
    for (const [tenant, byDevice] of batch) {
      const args: (string | number)[] = []
      for (const [deviceId, at] of byDevice) args.push(at, deviceId)
      devices += byDevice.size
      pipeline.zadd(lastSeenKey(options.keyPrefix, tenant), 'GT', ...args)
    }
    const results = await pipeline.exec()
    const failed = results?.find(([err]) => err)
    if (failed) throw failed[0]
    options.onFlushed?.(devices)
  }
  const timer = setInterval(() => flush().catch((err: unknown) => options.onError?.(err)), options.flushMs)
  timer.unref()
  return {
    seen(tenant, deviceId, at) {
      let byDevice = pending.get(tenant)
      if (!byDevice) pending.set(tenant, (byDevice = new Map()))
      const previous = byDevice.get(deviceId)
      if (previous === undefined || at > previous) byDevice.set(deviceId, at)
    },
    flush,
    async close() {
      clearInterval(timer)
      await flush()
    },
  }
}
