/**
 * Fans alert changes out to SSE clients. One Redis subscriber per process listens to the alert
 * channel; each client registers for its own tenant only.
 */
import type { Redis } from 'ioredis'
import type { AlertEvent, AlertStore } from './index.ts'
import type { Logger } from '../lib/logger.ts'

export type AlertListener = (event: AlertEvent) => void

export interface AlertHub {
  subscribe(tenant: string, listener: AlertListener): () => void
  close(): Promise<void>
}

export async function createAlertHub(subscriber: Redis, alerts: AlertStore, log: Logger): Promise<AlertHub> {
  const listeners = new Map<string, Set<AlertListener>>()
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== alerts.channel) return
    let event: AlertEvent
    try {
      event = alerts.parseEvent(message)
    } catch (err) {
      log.error({ err }, 'unreadable alert event on channel')
      return
    }
    for (const listener of listeners.get(event.tenant) ?? []) listener(event)
  })
  await subscriber.subscribe(alerts.channel)
  return {
    subscribe(tenant, listener) {
      let set = listeners.get(tenant)
      if (!set) listeners.set(tenant, (set = new Set()))
      set.add(listener)
      return () => {
        set.delete(listener)
        if (set.size === 0) listeners.delete(tenant)
      }
    },
    async close() {
      listeners.clear()
      await subscriber.unsubscribe(alerts.channel).catch(() => undefined)
    },
  }
}

/** Redis stream ids "ms-seq" in order. */
export function streamIdAfter(a: string, b: string): boolean {
  const [am = 0, as = 0] = a.split('-').map(Number)
  const [bm = 0, bs = 0] = b.split('-').map(Number)
  return am > bm || (am === bm && as > bs)
}
