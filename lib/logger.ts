/**
 * Root pino logger. Payloads and externally supplied objects are never logged (they may carry
 * health data); secrets are redacted if they ever slip into a log object. Errors are logged as
 * `{ err }`, so pino's err serializer keeps their type, stack and code; a Redis error's command
 * arguments (which may hold rule state or alert facts) are redacted.
 */
import { pino, type Logger } from 'pino'

export type { Logger }

export function createLogger(level: string, output: 'stdout' | 'stderr' | pino.DestinationStream = 'stdout'): Logger {
  return pino(
    {
      level,
      base: { service: 'lookout' },
      redact: {
        paths: ['password', 'token', 'secret', '*.password', '*.token', '*.secret', 'headers.authorization', 'payload', 'err.command.args'],
        censor: '[redacted]',
      },
    },
    typeof output === 'string' ? pino.destination(output === 'stdout' ? 1 : 2) : output,
  )
}
