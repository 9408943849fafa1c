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
    autoInstall: ({ auto: 'auto', '1': 'yes', '0': 'no' } as const)[e.LOOKOUT_AUTO_INSTALL],
    redisUrl: e.REDIS_URL,
    influxUrl: e.INFLUX_URL,
    influxDb: e.INFLUX_DB,
    influxAuth: Object.freeze({ username: e.INFLUX_USERNAME, password: e.INFLUX_PASSWORD, token: e.INFLUX_TOKEN }),
    logLevel: e.LOG_LEVEL,
  })
}
