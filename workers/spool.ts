/**
 * The spool: readings waiting for InfluxDB. They wait as jobs of the `store` queue in Redis (AOF),
 * so the spool survives a restart of Lookout; this module only keeps count of them and bounds them.
 *
 * The depth is a counter in Redis (`P:spool:points`) raised by the ingest side after a batch is
 * enqueued and lowered by the store worker after InfluxDB has taken it. A crash between enqueue
 * and count can only under-count (by one batch); the counter is reset to 0 whenever the store
 * queue is seen empty, so such an error never accumulates.
 */
import type { Redis } from 'ioredis'

/** Lowers the counter without letting it go below zero. KEYS: counter. ARGV: points. */
const TAKE = `
local v = redis.call('DECRBY', KEYS[1], ARGV[1])
if v < 0 then redis.call('SET', KEYS[1], 0) return 0 end
return v`

export interface SpoolCounter {
  added(points: number): Promise<void>
  written(points: number): Promise<void>
  depth(): Promise<number>
  /** Called when the store queue holds no jobs: whatever the counter says, the spool is empty. */
  reset(): Promise<void>
}

export function spoolKey(keyPrefix: string): string {
  return `${keyPrefix}:spool:points`
}

export function createSpoolCounter(redis: Redis, keyPrefix: string): SpoolCounter {
  const key = spoolKey(keyPrefix)
  return {
    async added(points) {
      await redis.incrby(key, points)
    },
    async written(points) {
      await redis.eval(TAKE, 1, key, points)
    },
    async depth() {
      return Number((await redis.get(key)) ?? 0)
    },
    async reset() {
      await redis.set(key, 0)
    },
  }
}
