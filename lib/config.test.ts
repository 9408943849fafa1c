import path from 'node:path'
import { describe, it, expect } from 'vitest'
import { loadConfig } from './config.ts'
import { LookoutError } from './errors.ts'

const CWD = path.resolve('/srv/lookout')

describe('loadConfig', () => {
  it('uses the documented defaults for an empty environment', () => {
    expect(loadConfig({}, CWD)).toEqual({
      mqttPort: 1883,
      httpPort: 8080,
      host: '0.0.0.0',
      dataDir: path.resolve(CWD, '.lookout'),
      keyPrefix: 'lookout',
      roles: ['broker', 'api', 'workers'],
      rulePartitions: 4,
      maxPayloadBytes: 16_384,
      ingestBatchSize: 500,
      ingestFlushMs: 5,
      mqtt: {
        maxPacketBytes: 32_768,
        maxKeepaliveSeconds: 1200,
        connectPerMinute: 10,
        addressFailuresPerMinute: 60,
        publishPerSecond: 100,
        integrationPublishPerSecond: 5000,
        tls: undefined,
        wsPort: undefined,
      },
      spoolMaxPoints: 2_000_000,
      ingestRetryMs: 30_000,
      store: { concurrency: 8, batchLines: 5000, flushMs: 50 },
      jobLockMs: 30_000,
      lastSeenFlushMs: 5000,
      ruleTickMs: 500,
      ruleLockMs: 5000,
      ruleTimerGraceMs: 1000,
      autoInstall: 'auto',
      redisUrl: undefined,
      influxUrl: undefined,
      influxDb: 'lookout',
      influxAuth: { username: undefined, password: undefined, token: undefined },
      logLevel: 'info',
    })
  })

  it('takes every value from the environment when set', () => {
    const config = loadConfig(
      {
        LOOKOUT_MQTT_PORT: '11883',
        LOOKOUT_HTTP_PORT: '18080',
        LOOKOUT_HOST: '127.0.0.1',
        LOOKOUT_DATA_DIR: 'var/data',
        LOOKOUT_KEY_PREFIX: 'lk_test-1',
        LOOKOUT_ROLES: ' workers , api ,workers',
        LOOKOUT_RULE_PARTITIONS: '8',
        LOOKOUT_MAX_PAYLOAD_BYTES: '1024',
        LOOKOUT_INGEST_BATCH_SIZE: '50',
        LOOKOUT_INGEST_FLUSH_MS: '0',
        LOOKOUT_MQTT_MAX_PACKET_BYTES: '4096',
        LOOKOUT_MQTT_MAX_KEEPALIVE: '60',
        LOOKOUT_MQTT_CONNECT_RATE: '3',
        LOOKOUT_MQTT_ADDRESS_FAILURE_RATE: '7',
        LOOKOUT_MQTT_PUBLISH_RATE: '5',
        LOOKOUT_MQTT_INTEGRATION_PUBLISH_RATE: '50',
        LOOKOUT_MQTT_TLS_PORT: '18883',
        LOOKOUT_MQTT_WS_PORT: '18083',
        LOOKOUT_TLS_CERT: 'tls/cert.pem',
        LOOKOUT_TLS_KEY: 'tls/key.pem',
        LOOKOUT_SPOOL_MAX_POINTS: '10000',
        LOOKOUT_INGEST_RETRY_MS: '1000',
        LOOKOUT_STORE_CONCURRENCY: '2',
        LOOKOUT_INFLUX_BATCH_LINES: '100',
        LOOKOUT_INFLUX_FLUSH_MS: '10',
        LOOKOUT_JOB_LOCK_MS: '5000',
        LOOKOUT_LAST_SEEN_FLUSH_MS: '200',
        LOOKOUT_RULE_TICK_MS: '0',
        LOOKOUT_RULE_LOCK_MS: '2000',
        LOOKOUT_RULE_TIMER_GRACE_MS: '0',
        LOOKOUT_AUTO_INSTALL: '0',
        REDIS_URL: 'redis://redis:6379/2',
        INFLUX_URL: 'http://influxdb:8086',
        INFLUX_DB: 'lookout_test',
        INFLUX_USERNAME: 'writer',
        INFLUX_PASSWORD: 'pw',
        INFLUX_TOKEN: 'tok',
        LOG_LEVEL: 'debug',
      },
      CWD,
    )
    expect(config).toEqual({
      mqttPort: 11883,
      httpPort: 18080,
      host: '127.0.0.1',
      dataDir: path.resolve(CWD, 'var/data'),
      keyPrefix: 'lk_test-1',
      roles: ['workers', 'api'],
      rulePartitions: 8,
      maxPayloadBytes: 1024,
      ingestBatchSize: 50,
      ingestFlushMs: 0,
      mqtt: {
        maxPacketBytes: 4096,
        maxKeepaliveSeconds: 60,
        connectPerMinute: 3,
        addressFailuresPerMinute: 7,
        publishPerSecond: 5,
        integrationPublishPerSecond: 50,
        tls: { port: 18883, certFile: path.resolve(CWD, 'tls/cert.pem'), keyFile: path.resolve(CWD, 'tls/key.pem') },
        wsPort: 18083,
      },
      spoolMaxPoints: 10_000,
      ingestRetryMs: 1000,
      store: { concurrency: 2, batchLines: 100, flushMs: 10 },
      jobLockMs: 5000,
      lastSeenFlushMs: 200,
      ruleTickMs: 0,
      ruleLockMs: 2000,
      ruleTimerGraceMs: 0,
      autoInstall: 'no',
      redisUrl: 'redis://redis:6379/2',
      influxUrl: 'http://influxdb:8086',
      influxDb: 'lookout_test',
      influxAuth: { username: 'writer', password: 'pw', token: 'tok' },
      logLevel: 'debug',
    })
  })

  const autoInstallCases = [
    { name: "maps LOOKOUT_AUTO_INSTALL '1' to 'yes'", value: '1', expected: 'yes' },
    { name: "maps LOOKOUT_AUTO_INSTALL '0' to 'no'", value: '0', expected: 'no' },
    { name: "maps LOOKOUT_AUTO_INSTALL 'auto' to 'auto'", value: 'auto', expected: 'auto' },
  ]
  it.each(autoInstallCases)('$name', ({ value, expected }) => {
    expect(loadConfig({ LOOKOUT_AUTO_INSTALL: value }, CWD).autoInstall).toBe(expected)
  })

  it('keeps an absolute LOOKOUT_DATA_DIR as given', () => {
    expect(loadConfig({ LOOKOUT_DATA_DIR: '/var/lib/lookout' }, CWD).dataDir).toBe(path.resolve('/var/lib/lookout'))
  })

  it('accepts rediss and https URLs', () => {
    const config = loadConfig({ REDIS_URL: 'rediss://cache:6380', INFLUX_URL: 'https://influx.example:8086' }, CWD)
    expect([config.redisUrl, config.influxUrl]).toEqual(['rediss://cache:6380', 'https://influx.example:8086'])
  })

  it('treats empty-string URLs and credentials as unset', () => {
    const config = loadConfig({ REDIS_URL: '', INFLUX_URL: '', INFLUX_USERNAME: '', INFLUX_PASSWORD: '', INFLUX_TOKEN: '' }, CWD)
    expect([config.redisUrl, config.influxUrl, config.influxAuth]).toEqual([undefined, undefined, { username: undefined, password: undefined, token: undefined }])
  })

  const invalid: { name: string; env: Record<string, string>; variable: string }[] = [
    { name: 'rejects a port above 65535', env: { LOOKOUT_MQTT_PORT: '70000' }, variable: 'LOOKOUT_MQTT_PORT' },
    { name: 'rejects a non-numeric port', env: { LOOKOUT_HTTP_PORT: 'abc' }, variable: 'LOOKOUT_HTTP_PORT' },
    { name: 'rejects a fractional port', env: { LOOKOUT_HTTP_PORT: '80.5' }, variable: 'LOOKOUT_HTTP_PORT' },
    { name: 'rejects a REDIS_URL that is not a URL', env: { REDIS_URL: 'not a url' }, variable: 'REDIS_URL' },
    { name: 'rejects a REDIS_URL with an ftp scheme', env: { REDIS_URL: 'ftp://x' }, variable: 'REDIS_URL' },
    { name: 'rejects an INFLUX_URL with a file scheme', env: { INFLUX_URL: 'file:///tmp/x' }, variable: 'INFLUX_URL' },
    { name: 'rejects an unknown role', env: { LOOKOUT_ROLES: 'broker,bogus' }, variable: 'LOOKOUT_ROLES' },
    { name: 'rejects an empty role list', env: { LOOKOUT_ROLES: ' , ' }, variable: 'LOOKOUT_ROLES' },
    { name: 'rejects an INFLUX_DB with a space', env: { INFLUX_DB: 'a b' }, variable: 'INFLUX_DB' },
    { name: 'rejects a key prefix with a colon', env: { LOOKOUT_KEY_PREFIX: 'look:out' }, variable: 'LOOKOUT_KEY_PREFIX' },
    { name: 'rejects zero rule partitions', env: { LOOKOUT_RULE_PARTITIONS: '0' }, variable: 'LOOKOUT_RULE_PARTITIONS' },
    { name: 'rejects a max payload below 64 bytes', env: { LOOKOUT_MAX_PAYLOAD_BYTES: '63' }, variable: 'LOOKOUT_MAX_PAYLOAD_BYTES' },
    { name: 'rejects an unknown auto-install mode', env: { LOOKOUT_AUTO_INSTALL: 'yes' }, variable: 'LOOKOUT_AUTO_INSTALL' },
    { name: 'rejects an unknown log level', env: { LOG_LEVEL: 'verbose' }, variable: 'LOG_LEVEL' },
    { name: 'rejects a zero address failure rate', env: { LOOKOUT_MQTT_ADDRESS_FAILURE_RATE: '0' }, variable: 'LOOKOUT_MQTT_ADDRESS_FAILURE_RATE' },
    { name: 'rejects a hexadecimal port', env: { LOOKOUT_MQTT_PORT: '0x50' }, variable: 'LOOKOUT_MQTT_PORT' },
    { name: 'rejects a port in exponent notation', env: { LOOKOUT_HTTP_PORT: '1e3' }, variable: 'LOOKOUT_HTTP_PORT' },
  ]

  it('treats empty or blank numeric variables as unset, so the default applies', () => {
    const config = loadConfig({ LOOKOUT_MQTT_PORT: '', LOOKOUT_HTTP_PORT: ' ', LOOKOUT_INGEST_FLUSH_MS: '' }, CWD)
    expect([config.mqttPort, config.httpPort, config.ingestFlushMs]).toEqual([1883, 8080, 5])
  })

  it.each(invalid)('$name with CONFIG_INVALID naming the variable', ({ env, variable }) => {
    let caught: unknown
    try {
      loadConfig(env, CWD)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(LookoutError)
    expect(caught).toMatchObject({ code: 'CONFIG_INVALID', retryable: false })
    expect((caught as LookoutError).message).toContain(variable)
  })

  it('returns a frozen config, with frozen roles and influxAuth', () => {
    const config = loadConfig({}, CWD)
    expect([Object.isFrozen(config), Object.isFrozen(config.roles), Object.isFrozen(config.influxAuth)]).toEqual([true, true, true])
    expect(() => {
      ;(config as { mqttPort: number }).mqttPort = 1
    }).toThrow(TypeError)
    expect(config.mqttPort).toBe(1883)
  })
})

describe('TLS configuration', () => {
  it('refuses a certificate without a key, naming both variables', () => {
    expect(() => loadConfig({ LOOKOUT_TLS_CERT: 'cert.pem' }, CWD)).toThrow(/LOOKOUT_TLS_CERT and LOOKOUT_TLS_KEY must be set together/)
  })
})
