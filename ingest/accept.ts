/**
 * What "accepted" means for a message that passed validation: it is durably enqueued (group
 * commit into the store and rule queues) before the broker acknowledges it.
 *
 * - While the spool is full, telemetry waits for room (the device's socket is not read meanwhile);
 *   each tenant whose readings are held gets one "spool full" alert per episode, so the filling is
 *   never silent. Alarm events never wait.
 * - While Redis refuses writes (down, or out of memory), the batch is retried with backoff for up to
 *   `retryMs`, holding the acknowledgements; after that the error reaches the broker, which closes
 *   the connection without acknowledging, and the device sends again.
 */
import type { AlertStore } from '../alerts/index.ts'
import { createGroupCommit } from '../lib/group-commit.ts'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import type { IngestRecord } from '../lib/records.ts'
import type { SpoolGate } from './spool-gate.ts'

export interface AcceptorOptions {
  enqueue: (records: IngestRecord[]) => Promise<void>
  gate: SpoolGate
  alerts: Pick<AlertStore, 'raise'>
  metrics: Metrics
  log: Logger
  batchSize: number
  flushMs: number
  retryMs: number
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

export const SPOOL_FULL_RULE = 'spool-full'

export function createAcceptor(options: AcceptorOptions) {
  const now = options.now ?? Date.now
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const { gate, metrics, log } = options
  let episode: { startedAt: number; alerted: Set<string> } | undefined

  async function enqueueWithRetry(records: IngestRecord[]): Promise<void> {
    const deadline = now() + options.retryMs
    for (let attempt = 1; ; attempt++) {
      try {
        await options.enqueue(records)
        return
      } catch (err) {
        if (now() >= deadline) throw err
        metrics.ingestHeld.inc({ cause: 'redis_unavailable' }, records.length)
        if (attempt === 1) log.error({ err: (err as Error).message, records: records.length }, 'durable enqueue failed; holding acknowledgements and retrying')
        await sleep(Math.min(100 * 2 ** (attempt - 1), 2000))
      }
    }
  }

  const commit = createGroupCommit<IngestRecord>({ maxItems: options.batchSize, flushMs: options.flushMs, write: enqueueWithRetry })

  function alertSpoolFull(record: IngestRecord, startedAt: number) {
    options.alerts
      .raise({
        rule: SPOOL_FULL_RULE,
        priority: 'P2',
        title: 'Readings held back: the storage spool is full',
        tenant: record.tenant,
        deviceId: 'lookout',
        site: 'lookout',
        deviceType: 'system',
        occurredAt: startedAt,
        raisedAt: now(),
        dedupeKey: `${record.tenant}|lookout|${SPOOL_FULL_RULE}|${startedAt}`,
      })
      .catch((err: unknown) => log.error({ err }, 'could not raise the spool-full alert'))
  }

  return {
    async accept(record: IngestRecord): Promise<void> {
      if (record.kind === 'telemetry' && gate.isFull()) {
        metrics.ingestHeld.inc({ cause: 'spool_full' })
        episode ??= { startedAt: now(), alerted: new Set() }
        if (!episode.alerted.has(record.tenant)) {
          episode.alerted.add(record.tenant)
          alertSpoolFull(record, episode.startedAt)
        }
        await gate.waitForRoom()
      } else if (episode && !gate.isFull()) {
        episode = undefined
      }
      await commit.add(record)
    },
    flush: () => commit.flush(),
  }
}
