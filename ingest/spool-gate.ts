/**
 * Back-pressure from the spool to the devices. While the spool holds `capacity` readings or more,
 * `waitForRoom` does not resolve: the broker's publish hook waits on it, so aedes stops reading
 * that device's socket and TCP flow control reaches the device, instead of memory growing here.
 * Alarm events never wait (they are few and must reach the rules); telemetry does.
 *
 * The depth is polled (every `pollMs`), not read per message. Crossing the capacity starts a
 * "spool full" episode (reported once through `onFull`, with its start time); dropping below 90 %
 * of it ends the episode.
 */
export interface SpoolGate {
  waitForRoom(): Promise<void>
  isFull(): boolean
  depth(): number
  close(): void
}

export interface SpoolGateOptions {
  capacity: number
  pollMs: number
  readDepth: () => Promise<number>
  onDepth?: (depth: number) => void
  onFull?: (episodeStartedAt: number) => void
  onRoom?: () => void
  onError?: (err: unknown) => void
  now?: () => number
}

export function createSpoolGate(options: SpoolGateOptions): SpoolGate {
  const now = options.now ?? Date.now
  let depth = 0
  let full = false
  let waiters: (() => void)[] = []
  let closed = false

  function update(next: number) {
    depth = next
    options.onDepth?.(next)
    if (!full && next >= options.capacity) {
      full = true
      options.onFull?.(now())
    } else if (full && next < options.capacity * 0.9) {
      full = false
      options.onRoom?.()
      const ready = waiters
      waiters = []
      ready.forEach((resolve) => resolve())
    }
  }

  async function poll() {
    if (closed) return
    try {
      update(await options.readDepth())
    } catch (err) {
      options.onError?.(err)
    }
    if (!closed) timer = setTimeout(() => void poll(), options.pollMs)
  }
  let timer: NodeJS.Timeout | undefined = setTimeout(() => void poll(), 0)

  return {
    waitForRoom() {
      if (!full || closed) return Promise.resolve()
      return new Promise<void>((resolve) => waiters.push(resolve))
    },
    isFull: () => full,
    depth: () => depth,
    close() {
      closed = true
      if (timer) clearTimeout(timer)
      timer = undefined
      const ready = waiters
      waiters = []
      ready.forEach((resolve) => resolve())
    },
  }
}
