/**
 * `lookout tenant|device|token ...`: registry commands. They use REDIS_URL, else the Redis of the
 * Lookout running from this folder, else a Redis provisioned for the length of the command.
 */
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { createCodecSandbox } from '../../ingest/index.ts'
import type { Config } from '../../lib/config.ts'
import { LookoutError } from '../../lib/errors.ts'
import type { Logger } from '../../lib/logger.ts'
import { closeRedis, createRedis } from '../../lib/redis.ts'
import { createRegistry, type Registry } from '../../registry/index.ts'
import { resolveServices } from '../services/index.ts'
import { enqueueRuleInit } from '../../workers/index.ts'
import type { Redis } from 'ioredis'

export type Print = (line: string) => void

/** Runs `run` against the Redis of this installation (see the header). */
export async function withRedis<T>(config: Config, log: Logger, run: (redis: Redis, registry: Registry) => Promise<T>): Promise<T> {
  const services = await resolveServices({ ...config, log, purpose: 'command' })
  const redis = createRedis(services.redisUrl, { name: 'lookout-cli' })
  try {
    await redis.ping()
    return await run(redis, createRegistry(redis, config.keyPrefix))
  } finally {
    await closeRedis(redis)
    await services.stop()
  }
}

function withRegistry<T>(config: Config, log: Logger, run: (registry: Registry) => Promise<T>): Promise<T> {
  return withRedis(config, log, (_, registry) => run(registry))
}

function required(value: string | undefined, what: string): string {
  if (!value) throw new LookoutError('CLI_USAGE', `missing ${what}`)
  return value
}

export async function tenantCommand(args: string[], config: Config, log: Logger, print: Print): Promise<void> {
  const [sub, ...rest] = args
  if (sub === 'add') {
    const tenant = required(rest[0], 'tenant id: lookout tenant add <tenant>')
    const result = await withRegistry(config, log, (r) => r.addTenant(tenant))
    print(JSON.stringify(result))
  } else if (sub === 'list') {
    print(JSON.stringify({ tenants: await withRegistry(config, log, (r) => r.listTenants()) }))
  } else {
    throw new LookoutError('CLI_USAGE', 'usage: lookout tenant add <tenant> | lookout tenant list')
  }
}

export async function deviceCommand(args: string[], config: Config, log: Logger, print: Print): Promise<void> {
  const [sub, ...rest] = args
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      type: { type: 'string' },
      site: { type: 'string' },
      tz: { type: 'string' },
      'dev-eui': { type: 'string' },
      codec: { type: 'string' },
      hub: { type: 'string' },
      resident: { type: 'string' },
    },
  })
  if (sub === 'add') {
    const deviceId = required(positionals[0], `device id: ${DEVICE_ADD_USAGE}`)
    const input = {
      deviceId,
      tenant: required(values.tenant, '--tenant'),
      type: required(values.type, '--type'),
      site: values.site,
      timeZone: values.tz,
      devEui: values['dev-eui'],
      codec: values.codec,
      hub: values.hub,
      resident: values.resident,
    }
    const result = await withRedis(config, log, async (redis, registry) => {
      const now = Date.now()
      const added = await registry.addDevice(input, now)
      // its rules start now (absence timers armed from registration, not from a first message)
      await enqueueRuleInit({ connection: redis, keyPrefix: config.keyPrefix, partitions: config.rulePartitions }, [deviceId], now)
      return added
    })
    if (result.tenantCreated) log.warn({ tenant: input.tenant }, 'tenant did not exist and was created')
    // printed once: only a hash of the password is kept
    print(JSON.stringify(result.credentials))
  } else if (sub === 'list') {
    const tenant = required(values.tenant, '--tenant')
    print(JSON.stringify({ devices: await withRegistry(config, log, (r) => r.listDevices(tenant)) }))
  } else {
    throw new LookoutError('CLI_USAGE', `usage: lookout ${DEVICE_ADD_USAGE} | lookout device list --tenant <t>`)
  }
}

const DEVICE_ADD_USAGE = 'device add <id> --tenant <t> --type <type> [--site <s>] [--tz <zone>] [--dev-eui <hex16> --codec <vendor/model>] [--hub <id>] [--resident <ref>]'

/** `lookout integration add --tenant <t> --kind chirpstack|tts`: MQTT credentials for a network server. */
export async function integrationCommand(args: string[], config: Config, log: Logger, print: Print): Promise<void> {
  const [sub, ...rest] = args
  const { values } = parseArgs({ args: rest, options: { tenant: { type: 'string' }, kind: { type: 'string' } } })
  if (sub !== 'add') throw new LookoutError('CLI_USAGE', 'usage: lookout integration add --tenant <t> --kind chirpstack|tts')
  const input = { tenant: required(values.tenant, '--tenant'), kind: required(values.kind, '--kind') }
  // printed once: only a hash of the password is kept
  print(JSON.stringify(await withRegistry(config, log, (r) => r.addIntegration(input, Date.now()))))
}

export async function tokenCommand(args: string[], config: Config, log: Logger, print: Print): Promise<void> {
  const [sub, ...rest] = args
  const { values } = parseArgs({ args: rest, options: { tenant: { type: 'string' }, role: { type: 'string' } } })
  if (sub !== 'add') throw new LookoutError('CLI_USAGE', 'usage: lookout token add --tenant <t> --role responder|viewer')
  const input = { tenant: required(values.tenant, '--tenant'), role: required(values.role, '--role') }
  const { token } = await withRegistry(config, log, (r) => r.addToken(input, Date.now()))
  print(JSON.stringify({ token }))
}

/** `lookout codec add --tenant <t> --model <vendor/model> <file.js>`: a tenant's own codec, checked in the sandbox first. */
export async function codecCommand(args: string[], config: Config, log: Logger, print: Print): Promise<void> {
  const [sub, ...rest] = args
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { tenant: { type: 'string' }, model: { type: 'string' } } })
  const usage = 'usage: lookout codec add --tenant <t> --model <vendor/model> <codec.js>  (a Things Network payload formatter defining decodeUplink(input))'
  if (sub !== 'add') throw new LookoutError('CLI_USAGE', usage)
  const tenant = required(values.tenant, '--tenant')
  const model = required(values.model, '--model')
  const file = required(positionals[0], `codec file: ${usage}`)
  let source: string
  try {
    source = await readFile(file, 'utf8')
  } catch {
    throw new LookoutError('CLI_USAGE', `cannot read codec file ${file}`)
  }
  const sandbox = createCodecSandbox()
  try {
    const checked = await sandbox.load(`${tenant}/${model}`, source)
    if (!checked.ok) throw new LookoutError('CLI_USAGE', `codec refused: ${checked.reason}`)
  } finally {
    await sandbox.close()
  }
  const stored = await withRegistry(config, log, (r) => r.setCodec({ tenant, model, source }, Date.now()))
  print(JSON.stringify({ tenant, model, sha256: stored.sha256 }))
}
