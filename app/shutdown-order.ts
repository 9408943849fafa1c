import type { Logger } from '../lib/logger.ts'

/** What startLookout starts besides the shared clients, each with one close. */
export type Part = 'broker' | 'database' | 'workers' | 'api'

/**
 * The order the parts stop in. The broker stops taking messages and hands what it accepted to the
 * queues before the workers stop; the database retries stop; the workers finish their jobs; the
 * API (health, alert stream) answers until last.
 */
const SHUTDOWN_ORDER: readonly Part[] = ['broker', 'database', 'workers', 'api']

export interface ShutdownOrder {
  add(part: Part, started: { close(): Promise<void> }): void
  /** Closes every part added, in SHUTDOWN_ORDER; a part that fails to close is logged and the next still closes. */
  close(): Promise<void>
  /** After a failed start: closes what had started, in the reverse order, errors ignored. */
  abandon(): Promise<void>
}

export function createShutdownOrder(log: Logger): ShutdownOrder {
  const parts = new Map<Part, () => Promise<void>>()
  const added = (order: readonly Part[]) => order.flatMap((part) => parts.get(part) ?? [])
  return {
    add(part, started) {
      parts.set(part, () => started.close())
    },
    async close() {
      for (const close of added(SHUTDOWN_ORDER)) {
        try {
          await close()
        } catch (err) {
          log.error({ err }, 'error while closing')
        }
      }
    },
    async abandon() {
      for (const close of added([...SHUTDOWN_ORDER].reverse())) await close().catch(() => undefined)
    },
  }
}
