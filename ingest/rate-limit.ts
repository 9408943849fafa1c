/**
 * Token buckets for per-client limits. Pure: the time is an argument.
 *
 * `reserve` always takes a token and returns how long the caller must wait before using it (0 when
 * one was available), so a burst over the limit is spread out rather than dropped: the broker
 * delays the acknowledgement, which slows the device down (back-pressure). `tryTake` is for limits
 * that refuse instead (connection attempts). `hasToken` looks without taking, for a limit that is
 * checked before an attempt and charged only when the attempt fails (refused connections per address).
 */
export interface TokenBucket {
  reserve(now: number): number
  tryTake(now: number): boolean
  hasToken(now: number): boolean
  /** True when the bucket is full again: an idle client's bucket can be forgotten. */
  isIdle(now: number): boolean
}

export function createTokenBucket(options: { perSecond: number; burst: number }, now: number): TokenBucket {
  let tokens = options.burst
  let updatedAt = now
  function refill(at: number) {
    if (at > updatedAt) {
      tokens = Math.min(options.burst, tokens + ((at - updatedAt) / 1000) * options.perSecond)
      updatedAt = at
    }
  }
  return {
    reserve(at) {
      refill(at)
      tokens -= 1
      return tokens >= 0 ? 0 : Math.ceil((-tokens / options.perSecond) * 1000)
    },
    tryTake(at) {
      refill(at)
      if (tokens < 1) return false
      tokens -= 1
      return true
    },
    hasToken(at) {
      refill(at)
      return tokens >= 1
    },
    isIdle(at) {
      refill(at)
      return tokens >= options.burst
    },
  }
}

/** Buckets by key (a principal, a source address), forgetting idle ones so the map stays as small as the active set. */
export function createKeyedBuckets(options: { perSecond: number; burst: number }) {
  const buckets = new Map<string, TokenBucket>()
  let sweptAt = 0
  function get(key: string, now: number): TokenBucket {
    if (now - sweptAt > 60_000) {
      sweptAt = now
      for (const [k, b] of buckets) if (b.isIdle(now)) buckets.delete(k)
    }
    let bucket = buckets.get(key)
    if (!bucket) {
      bucket = createTokenBucket(options, now)
      buckets.set(key, bucket)
    }
    return bucket
  }
  return {
    reserve: (key: string, now: number) => get(key, now).reserve(now),
    tryTake: (key: string, now: number) => get(key, now).tryTake(now),
    hasToken: (key: string, now: number) => get(key, now).hasToken(now),
    size: () => buckets.size,
  }
}
