import { Redis, type RedisOptions } from 'ioredis'

/**
 * A Redis connection. `blocking` connections (BullMQ workers, subscribers) retry forever, as BullMQ
 * requires (`maxRetriesPerRequest: null`); others fail a command after a few retries so that a
 * caller waiting on Redis (an MQTT publish waiting for its acknowledgement) gets an error, not a hang.
 */
export function createRedis(url: string, options: { blocking?: boolean; name?: string } = {}): Redis {
  const base: RedisOptions = {
    connectionName: options.name,
    maxRetriesPerRequest: options.blocking ? null : 3,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 100, 2000),
  }
  return new Redis(url, base)
}

export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return
  try {
    await redis.quit()
  } catch {
    redis.disconnect()
  }
}
