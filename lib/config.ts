/**
 * The only reader of process.env. Everything else receives a frozen Config.
 * Every variable is listed, with its default, in the README's configuration table.
 */
import path from 'node:path'
import { z } from 'zod'
import { LookoutError } from './errors.ts'

/** A whole number from a variable; empty or blank means unset (the default applies). */
function intVar(min: number, max: number) {
  return z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(min).max(max))
      .optional(),
  )
}
const port = intVar(0, 65535)
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^(redis|rediss|http|https)$/ }).optional())
const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional())
const ROLES = ['broker', 'api', 'workers'] as const

const Env = z.object({
  LOOKOUT_MQTT_PORT: port.default(1883),
  LOOKOUT_HTTP_PORT: port.default(8080),
  LOOKOUT_HOST: z.string().min(1).default('0.0.0.0'),
  LOOKOUT_DATA_DIR: z.string().min(1).default('.lookout'),
  LOOKOUT_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, "_" or "-", at most 32').default('lookout'),
  LOOKOUT_ROLES: z
    .string()
    .default('broker,api,workers')
    .transform((s) => s.split(',').map((r) => r.trim()).filter(Boolean))
    .pipe(z.array(z.enum(ROLES)).min(1)),
  LOOKOUT_RULE_PARTITIONS: intVar(1, 256).default(4),
  LOOKOUT_MAX_PAYLOAD_BYTES: intVar(64, 1_048_576).default(16_384),
  LOOKOUT_INGEST_BATCH_SIZE: intVar(1, 10_000).default(500),
  LOOKOUT_INGEST_FLUSH_MS: intVar(0, 1000).default(5),
  LOOKOUT_MQTT_MAX_PACKET_BYTES: intVar(256, 268_435_455).default(32_768),
  LOOKOUT_MQTT_MAX_KEEPALIVE: intVar(10, 65_535).default(1200),
  LOOKOUT_MQTT_CONNECT_RATE: intVar(1, 10_000).default(10),
  LOOKOUT_MQTT_ADDRESS_FAILURE_RATE: intVar(1, 100_000).default(60),
  LOOKOUT_MQTT_PUBLISH_RATE: intVar(1, 1_000_000).default(100),
  LOOKOUT_MQTT_INTEGRATION_PUBLISH_RATE: intVar(1, 1_000_000).default(5000),
  LOOKOUT_MQTT_TLS_PORT: port.default(8883),
  LOOKOUT_MQTT_WS_PORT: port,
  LOOKOUT_TLS_CERT: optionalString,
  LOOKOUT_TLS_KEY: optionalString,
  LOOKOUT_SPOOL_MAX_POINTS: intVar(1000, 1_000_000_000).default(2_000_000),
  LOOKOUT_INGEST_RETRY_MS: intVar(0, 3_600_000).default(30_000),
  LOOKOUT_STORE_CONCURRENCY: intVar(1, 64).default(8),
  LOOKOUT_INFLUX_BATCH_LINES: intVar(1, 100_000).default(5000),
  LOOKOUT_INFLUX_FLUSH_MS: intVar(0, 10_000).default(50),
  LOOKOUT_JOB_LOCK_MS: intVar(1000, 600_000).default(30_000),
  LOOKOUT_LAST_SEEN_FLUSH_MS: intVar(100, 600_000).default(5000),
  LOOKOUT_RULE_TICK_MS: intVar(0, 60_000).default(500),
  LOOKOUT_RULE_LOCK_MS: intVar(1000, 600_000).default(5000),
  LOOKOUT_RULE_TIMER_GRACE_MS: intVar(0, 600_000).default(1000),
  LOOKOUT_AUTO_INSTALL: z.enum(['auto', '0', '1']).default('auto'),
  REDIS_URL: optionalUrl,
  INFLUX_URL: optionalUrl,
  INFLUX_DB: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "_" or "-"').default('lookout'),
  INFLUX_USERNAME: optionalString,
  INFLUX_PASSWORD: optionalString,
  INFLUX_TOKEN: optionalString,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
})

export type Role = (typeof ROLES)[number]

export interface Config {
  readonly mqttPort: number
  readonly httpPort: number
  readonly host: string
  /** Absolute path of the folder holding provisioned Redis/InfluxDB data; survives restarts. */
  readonly dataDir: string
  readonly keyPrefix: string
  readonly roles: readonly Role[]
  readonly rulePartitions: number
  readonly maxPayloadBytes: number
  readonly ingestBatchSize: number
  readonly ingestFlushMs: number
  readonly mqtt: {
    /** Largest MQTT packet accepted, checked from the fixed header before authentication. */
    readonly maxPacketBytes: number
    readonly maxKeepaliveSeconds: number
    /** Authenticated connection attempts per device or integration per minute. */
    readonly connectPerMinute: number
    /** Refused connection attempts per source address per minute; past them the address is refused outright. */
    readonly addressFailuresPerMinute: number
    /** Messages per second per device connection (bursts of twice as many). */
    readonly publishPerSecond: number
    readonly integrationPublishPerSecond: number
    /** TLS listener, on when both certificate and key files are configured. */
    readonly tls: { readonly port: number; readonly certFile: string; readonly keyFile: string } | undefined
    /** MQTT over WebSocket (path /mqtt), on when a port is configured. */
    readonly wsPort: number | undefined
  }
  readonly spoolMaxPoints: number
  readonly ingestRetryMs: number
  readonly store: { readonly concurrency: number; readonly batchLines: number; readonly flushMs: number }
  readonly jobLockMs: number
  readonly lastSeenFlushMs: number
  /** How often each rule partition fires its due timers; 0 turns the timers off (tests drive them). */
  readonly ruleTickMs: number
  /** Rule job lock: a partition whose worker died resumes after about this long. */
  readonly ruleLockMs: number
  /** Timers fire this long after they are due, so a record received before then is evaluated first. */
  readonly ruleTimerGraceMs: number
  readonly autoInstall: 'auto' | 'yes' | 'no'
  /** Unset means "provision a local redis-server under dataDir". */
  readonly redisUrl: string | undefined
  /** Unset means "provision a local influxd under dataDir". */
  readonly influxUrl: string | undefined
  readonly influxDb: string
  readonly influxAuth: { readonly username?: string; readonly password?: string; readonly token?: string }
  readonly logLevel: string
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const parsed = Env.safeParse(env)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new LookoutError('CONFIG_INVALID', `invalid configuration: ${problems}`)
  }
  const e = parsed.data
  if ((e.LOOKOUT_TLS_CERT === undefined) !== (e.LOOKOUT_TLS_KEY === undefined)) {
    throw new LookoutError('CONFIG_INVALID', 'invalid configuration: LOOKOUT_TLS_CERT and LOOKOUT_TLS_KEY must be set together')
  }
  return Object.freeze({
    mqttPort: e.LOOKOUT_MQTT_PORT,
    httpPort: e.LOOKOUT_HTTP_PORT,
    host: e.LOOKOUT_HOST,
    dataDir: path.resolve(cwd, e.LOOKOUT_DATA_DIR),
    keyPrefix: e.LOOKOUT_KEY_PREFIX,
    roles: Object.freeze([...new Set(e.LOOKOUT_ROLES)]),
    rulePartitions: e.LOOKOUT_RULE_PARTITIONS,
    maxPayloadBytes: e.LOOKOUT_MAX_PAYLOAD_BYTES,
    ingestBatchSize: e.LOOKOUT_INGEST_BATCH_SIZE,
    ingestFlushMs: e.LOOKOUT_INGEST_FLUSH_MS,
    mqtt: Object.freeze({
      maxPacketBytes: e.LOOKOUT_MQTT_MAX_PACKET_BYTES,
      maxKeepaliveSeconds: e.LOOKOUT_MQTT_MAX_KEEPALIVE,
      connectPerMinute: e.LOOKOUT_MQTT_CONNECT_RATE,
      addressFailuresPerMinute: e.LOOKOUT_MQTT_ADDRESS_FAILURE_RATE,
      publishPerSecond: e.LOOKOUT_MQTT_PUBLISH_RATE,
      integrationPublishPerSecond: e.LOOKOUT_MQTT_INTEGRATION_PUBLISH_RATE,
      tls:
        e.LOOKOUT_TLS_CERT && e.LOOKOUT_TLS_KEY
          ? Object.freeze({ port: e.LOOKOUT_MQTT_TLS_PORT, certFile: path.resolve(cwd, e.LOOKOUT_TLS_CERT), keyFile: path.resolve(cwd, e.LOOKOUT_TLS_KEY) })
          : undefined,
      wsPort: e.LOOKOUT_MQTT_WS_PORT,
    }),
    spoolMaxPoints: e.LOOKOUT_SPOOL_MAX_POINTS,
    ingestRetryMs: e.LOOKOUT_INGEST_RETRY_MS,
    store: Object.freeze({ concurrency: e.LOOKOUT_STORE_CONCURRENCY, batchLines: e.LOOKOUT_INFLUX_BATCH_LINES, flushMs: e.LOOKOUT_INFLUX_FLUSH_MS }),
    jobLockMs: e.LOOKOUT_JOB_LOCK_MS,
    lastSeenFlushMs: e.LOOKOUT_LAST_SEEN_FLUSH_MS,
    ruleTickMs: e.LOOKOUT_RULE_TICK_MS,
    ruleLockMs: e.LOOKOUT_RULE_LOCK_MS,
    ruleTimerGraceMs: e.LOOKOUT_RULE_TIMER_GRACE_MS,
    autoInstall: ({ auto: 'auto', '1': 'yes', '0': 'no' } as const)[e.LOOKOUT_AUTO_INSTALL],
    redisUrl: e.REDIS_URL,
    influxUrl: e.INFLUX_URL,
    influxDb: e.INFLUX_DB,
    influxAuth: Object.freeze({ username: e.INFLUX_USERNAME, password: e.INFLUX_PASSWORD, token: e.INFLUX_TOKEN }),
    logLevel: e.LOG_LEVEL,
  })
}
