/**
 * One error type for the whole pipeline. Every error carries a stable `code` (documented in
 * docs/errors.md; test/docs.test.ts keeps the two in step) and says whether retrying can help.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: { retryable: false, summary: 'An environment variable is missing or malformed.' },
  CLI_USAGE: { retryable: false, summary: 'A command was called with missing or malformed arguments.' },
  SERVICE_UNAVAILABLE: { retryable: true, summary: 'Redis or InfluxDB could not be reached.' },
  SERVICE_MISSING: { retryable: false, summary: 'redis-server or influxd is not installed and cannot be installed here.' },
  SERVICE_START_FAILED: { retryable: false, summary: 'A locally provisioned Redis or InfluxDB did not start.' },
  INFLUX_WRITE_FAILED: { retryable: true, summary: 'InfluxDB answered a write with a server error or timed out.' },
  INFLUX_WRITE_REJECTED: { retryable: false, summary: 'InfluxDB refused a write as malformed (HTTP 400); retrying will not help.' },
  INFLUX_QUERY_FAILED: { retryable: true, summary: 'An InfluxQL query failed.' },
  TENANT_INVALID: { retryable: false, summary: 'A tenant id is not of the allowed form.' },
  DEVICE_INVALID: { retryable: false, summary: 'A device id, type, site or time zone is not of the allowed form.' },
  DEVICE_EXISTS: { retryable: false, summary: 'A device with this id is already registered.' },
  DEVICE_NOT_FOUND: { retryable: false, summary: 'No device with this id is registered.' },
  TOKEN_INVALID: { retryable: false, summary: 'An API token is missing, malformed, unknown or revoked.' },
  FORBIDDEN: { retryable: false, summary: 'The token is valid but its role may not do this.' },
  ALERT_NOT_FOUND: { retryable: false, summary: 'No alert with this id exists for the caller\'s tenant.' },
  ALERT_NOT_OPEN: { retryable: false, summary: 'The alert has already been acknowledged or resolved.' },
  JOB_INVALID: { retryable: false, summary: 'A queue job carried data that does not match its schema.' },
  RULES_INVALID: { retryable: false, summary: 'A rules file (tenant rules, packs, overrides) does not validate; the message names each bad field.' },
  RULES_TENANT_MISMATCH: { retryable: false, summary: 'One tenant\'s rules were asked for a device of another tenant.' },
  RULE_STATE_CONFLICT: { retryable: true, summary: 'A device\'s rule state changed in Redis while a job evaluated it; the job reloads and runs again.' },
  RULE_FAILED: { retryable: false, summary: 'A rule kind threw while evaluating a device; its state and timers are kept as they were and other rules go on.' },
  REPLAY_INPUT_INVALID: { retryable: false, summary: 'An events (JSONL) or devices file given to `lookout rules test` is malformed; the message names the line.' },
  CODEC_TIMEOUT: { retryable: false, summary: 'A user-supplied codec did not finish within its time limit.' },
  CODEC_FAILED: { retryable: false, summary: 'A user-supplied codec threw or returned something other than { data } or { errors }.' },
  CODEC_MEMORY: { retryable: false, summary: 'A user-supplied codec went over its memory limit; its engine is started afresh.' },
  CODEC_NOT_LOADED: { retryable: false, summary: 'No user-supplied codec of this id is loaded in the codec sandbox.' },
  CODEC_INPUT_INVALID: { retryable: false, summary: 'The uplink handed to a codec is not { bytes: integers 0-255, fPort }.' },
  CODEC_SANDBOX_RESTARTED: { retryable: true, summary: 'The codec sandbox worker was restarted while the call waited.' },
  CODEC_SANDBOX_CLOSED: { retryable: false, summary: 'The codec sandbox is closed.' },
} as const satisfies Record<string, { retryable: boolean; summary: string }>

export type ErrorCode = keyof typeof ERROR_CODES

export class LookoutError extends Error {
  readonly code: ErrorCode
  readonly retryable: boolean

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'LookoutError'
    this.code = code
    this.retryable = options?.retryable ?? ERROR_CODES[code].retryable
  }
}

/** Unknown errors (network resets, timeouts) are treated as retryable: failing open beats losing data. */
export function isRetryable(err: unknown): boolean {
  return err instanceof LookoutError ? err.retryable : true
}
