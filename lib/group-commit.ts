/**
 * Group commit: many concurrent `add` calls share one durable write. A call resolves only after
 * the batch holding its item has been written, so the MQTT acknowledgement that waits on it never
 * precedes durability. A batch is written when it reaches `maxItems` or `flushMs` after its first
 * item, whichever is sooner (`weight` counts an item as several, e.g. a job of 300 lines). If the
 * write fails, every caller in the batch gets the error (and their devices, having no
 * acknowledgement, send again).
 */
export interface GroupCommit<T> {
  add(item: T): Promise<void>
  /** Writes what is pending and waits for writes in flight. */
  flush(): Promise<void>
}

export function createGroupCommit<T>(options: {
  maxItems: number
  flushMs: number
  write: (items: T[]) => Promise<void>
  weight?: (item: T) => number
}): GroupCommit<T> {
  const weightOf = options.weight ?? (() => 1)
  let items: T[] = []
  let weight = 0
  let waiters: { resolve: () => void; reject: (err: unknown) => void }[] = []
  let timer: NodeJS.Timeout | undefined
  const inFlight = new Set<Promise<void>>()

  function writeNow(): Promise<void> {
    if (timer) {
      clearTimeout(timer)
      timer = undefined
    }
    if (items.length === 0) return Promise.resolve()
    const batch = items
    const batchWaiters = waiters
    items = []
    weight = 0
    waiters = []
    // a write that throws synchronously still settles every waiter of its batch
    const done = Promise.resolve()
      .then(() => options.write(batch))
      .then(
      () => batchWaiters.forEach((w) => w.resolve()),
      (err: unknown) => batchWaiters.forEach((w) => w.reject(err)),
    )
    inFlight.add(done)
    void done.finally(() => inFlight.delete(done))
    return done
  }

  return {
    add(item: T) {
      return new Promise<void>((resolve, reject) => {
        items.push(item)
        weight += weightOf(item)
        waiters.push({ resolve, reject })
        if (weight >= options.maxItems) void writeNow()
        else if (!timer) timer = setTimeout(() => void writeNow(), options.flushMs)
      })
    },
    async flush() {
      await writeNow()
      await Promise.all([...inFlight])
    },
  }
}
