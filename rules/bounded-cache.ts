/** Entries kept in each cache of rules/time.ts; the oldest goes first. */
export const CACHE_MAX = 10_000

/**
 * A map from number to number holding at most CACHE_MAX entries; the oldest goes first. (A ring of
 * keys, not `map.keys().next()`: V8 walks over deleted slots there, microseconds per eviction.)
 */
export class BoundedCache {
  private readonly map = new Map<number, number>()
  private readonly ring = new Float64Array(CACHE_MAX)
  private next = 0

  get(key: number): number | undefined {
    return this.map.get(key)
  }

  set(key: number, value: number): number {
    if (this.map.has(key)) {
      this.map.set(key, value)
      return value
    }
    if (this.map.size >= CACHE_MAX) this.map.delete(this.ring[this.next]!)
    this.ring[this.next] = key
    this.next = (this.next + 1) % CACHE_MAX
    this.map.set(key, value)
    return value
  }

  get size(): number {
    return this.map.size
  }

  clear(): void {
    this.map.clear()
    this.next = 0
  }
}
