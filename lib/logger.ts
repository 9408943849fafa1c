/**
 * Root pino logger. Payloads and externally supplied objects are never logged (they may carry
 * health data); secrets are redacted if they ever slip into a log object.
 */
import { pino, type Logger } from 'pino'

export type { Logger }

export function createLogger(level: string, output: 'stdout' | 'stderr' | pino.DestinationStream = 'stdout'): Logger {
  return pino(
    {
      level,
      base: { service: 'lookout' },
      redact: {
        paths: ['password', 'token', 'secret', '*.password', '*.token', '*.secret', 'headers.authorization', 'payload'],
        censor: '[redacted]',
      },
    },
    typeof output === 'string' ? pino.destination(output === 'stdout' ? 1 : 2) : output,
  )
}
