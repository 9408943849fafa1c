import type { InfluxClient } from '../lib/influx.ts'
import type { Logger } from '../lib/logger.ts'

/**
 * Creates the database without holding up start-up: while InfluxDB is unreachable, readings wait
 * in the store queue, and the store worker also creates the database when a write finds it missing.
 * `close` stops the retries (an attempt under way finishes).
 */
export function ensureDatabaseInBackground(influx: InfluxClient, log: Logger): { close(): Promise<void> } {
  let stopped = false
  void (async () => {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        await influx.ensureDatabase()
        return
      } catch (err) {
        if (attempt === 1) log.warn({ err }, 'InfluxDB not ready; creating the database when it is')
        await new Promise((r) => setTimeout(r, Math.min(250 * attempt, 5000)))
      }
    }
  })()
  return {
    async close() {
      stopped = true
    },
  }
}
