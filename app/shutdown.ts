import type { Logger } from '../lib/logger.ts'

/**
 * Runs `close` once on SIGTERM or SIGINT, then exits. A second signal, or a close that takes
 * longer than `timeoutMs`, exits at once with code 1.
 */
export function onShutdown(log: Logger, close: () => Promise<void>, timeoutMs = 20_000): void {
  let closing = false
  const handler = (signal: NodeJS.Signals) => {
    if (closing) {
      log.warn({ signal }, 'second signal: exiting now')
      process.exit(1)
    }
    closing = true
    log.info({ signal }, 'shutting down')
    const timer = setTimeout(() => {
      log.error({ timeoutMs }, 'shutdown timed out; exiting')
      process.exit(1)
    }, timeoutMs)
    timer.unref()
    close().then(
      () => {
        log.info('stopped')
        process.exit(0)
      },
      (err: unknown) => {
        log.error({ err }, 'error during shutdown')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', handler)
  process.on('SIGINT', handler)
}
