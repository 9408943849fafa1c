/**
 * Tenants, devices and API tokens, kept in Redis. Only hashes of secrets are stored; a secret is
 * returned once, when it is made.
 *
 * Keys (P = key prefix):
 *   P:tenants                set of tenant ids
 *   P:tenant:<t>:devices     set of device ids of tenant t
 *   P:device:<id>            hash { tenant, type, site, timeZone, secretHash, createdAt }
 *   P:token:<tokenId>        hash { tenant, role, secretHash, createdAt }
 *   P:deveui:<devEui>        the device id of a LoRaWAN device (lower-case hex DevEUI)
 *   P:integration:<id>       hash { tenant, kind, secretHash, createdAt }: a network server's connection
 *   P:codec:<t>:<model>      hash { source, sha256, updatedAt }: a tenant's own LoRaWAN codec (TTN format)
 * Device ids are unique across tenants because they are MQTT usernames and topic levels. Integration
 * usernames are `integration:<id>`; ':' never appears in a device id, so the two cannot collide.
 */
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import { z } from 'zod'
import { LookoutError } from '../errors.ts'
import { DEVICE_ID, DEVICE_ID_RULE, SITE_ID, TENANT_ID, TENANT_ID_RULE } from '../ids.ts'
import { DEVICE_TYPES, type DeviceType } from './device-types.ts'
import { generateSecret, hashSecret, secretMatches } from './secrets.ts'

export const TOKEN_ROLES = ['responder', 'viewer'] as const
export const INTEGRATION_KINDS = ['chirpstack', 'tts'] as const
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number]
export const INTEGRATION_USERNAME_PREFIX = 'integration:'

export interface Integration {
  integrationId: string
  tenant: string
  kind: IntegrationKind
}
export type TokenRole = (typeof TOKEN_ROLES)[number]

export interface Device {
  deviceId: string
  tenant: string
  type: DeviceType
  site: string
  timeZone: string
  /** LoRaWAN DevEUI, lower-case hex, for devices that reach Lookout through a network server. */
  devEui?: string | undefined
  /** Decoder model for raw LoRaWAN payloads, e.g. `milesight-iot/am103`. */
  codec?: string | undefined
  /** The hub or gateway the device reports through (absence alerts are grouped while it is offline). */
  hub?: string | undefined
  /** An opaque resident reference (never a name), for per-resident rule settings. */
  resident?: string | undefined
}

export interface ApiPrincipal {
  tokenId: string
  tenant: string
  role: TokenRole
}

const DEFAULT_SITE = 'unassigned'
const CODEC_MODEL = /^[a-z0-9-]+\/[a-z0-9._-]+$/
const DEFAULT_TIME_ZONE = 'Europe/London'

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

const tenantId = z.string().regex(TENANT_ID, `tenant must be ${TENANT_ID_RULE}`)
const NewDevice = z.object({
  deviceId: z.string().regex(DEVICE_ID, `device id must be ${DEVICE_ID_RULE}`),
  tenant: tenantId,
  type: z.enum(DEVICE_TYPES, { error: () => `type must be one of: ${DEVICE_TYPES.join(', ')}` }),
  site: z.string().regex(SITE_ID, `site must be ${DEVICE_ID_RULE}`).default(DEFAULT_SITE),
  timeZone: z.string().refine(isTimeZone, 'time zone must be an IANA name such as Europe/London').default(DEFAULT_TIME_ZONE),
  devEui: z
    .string()
    .regex(/^[0-9A-Fa-f]{16}$/, 'DevEUI must be 16 hexadecimal digits')
    .transform((v) => v.toLowerCase())
    .optional(),
  codec: z.string().regex(CODEC_MODEL, 'codec must be <vendor>/<model>, e.g. milesight-iot/am103').optional(),
  hub: z.string().regex(DEVICE_ID, `hub must be a device id: ${DEVICE_ID_RULE}`).optional(),
  resident: z.string().regex(SITE_ID, `resident must be an opaque reference: ${DEVICE_ID_RULE}`).optional(),
})
/** Unvalidated input (from the CLI or API): addDevice validates it. */
export type NewDevice = {
  deviceId: string
  tenant: string
  type: string
  site?: string | undefined
  timeZone?: string | undefined
  devEui?: string | undefined
  codec?: string | undefined
  hub?: string | undefined
  resident?: string | undefined
}

const StoredDevice = z.object({
  tenant: z.string(),
  type: z.enum(DEVICE_TYPES),
  site: z.string(),
  timeZone: z.string(),
  secretHash: z.string(),
  devEui: z.string().optional(),
  codec: z.string().optional(),
  hub: z.string().optional(),
  resident: z.string().optional(),
})
const StoredToken = z.object({ tenant: z.string(), role: z.enum(TOKEN_ROLES), secretHash: z.string() })

const StoredIntegration = z.object({ tenant: z.string(), kind: z.enum(INTEGRATION_KINDS), secretHash: z.string() })

/** KEYS: device hash, tenant's device set, DevEUI index (or ''). ARGV: device id, then field/value pairs.
 *  Returns 1 if added, 0 if the id exists, -1 if the DevEUI belongs to another device. */
const ADD_DEVICE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if KEYS[3] ~= '' and redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('SADD', KEYS[2], ARGV[1])
if KEYS[3] ~= '' then redis.call('SET', KEYS[3], ARGV[1]) end
return 1`

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  return issue ? issue.message : 'invalid input'
}

export function createRegistry(redis: Redis, prefix: string) {
  const k = {
    tenants: `${prefix}:tenants`,
    tenantDevices: (t: string) => `${prefix}:tenant:${t}:devices`,
    device: (id: string) => `${prefix}:device:${id}`,
    token: (id: string) => `${prefix}:token:${id}`,
    devEui: (eui: string) => `${prefix}:deveui:${eui}`,
    integration: (id: string) => `${prefix}:integration:${id}`,
    codec: (tenant: string, model: string) => `${prefix}:codec:${tenant}:${model}`,
  }

  async function addTenant(tenant: string): Promise<{ tenant: string; created: boolean }> {
    const parsed = tenantId.safeParse(tenant)
    if (!parsed.success) throw new LookoutError('TENANT_INVALID', firstIssue(parsed.error))
    const created = (await redis.sadd(k.tenants, parsed.data)) === 1
    return { tenant: parsed.data, created }
  }

  async function getDevice(deviceId: string): Promise<(Device & { secretHash: string }) | undefined> {
    if (!DEVICE_ID.test(deviceId)) return undefined
    const raw = await redis.hgetall(k.device(deviceId))
    if (Object.keys(raw).length === 0) return undefined
    const stored = StoredDevice.safeParse(raw)
    return stored.success ? { deviceId, ...stored.data } : undefined
  }

  return {
    addTenant,

    async listTenants(): Promise<string[]> {
      return (await redis.smembers(k.tenants)).sort()
    },

    /** Registers a device and returns its MQTT credentials; the password is shown here only. */
    async addDevice(input: NewDevice, now: number) {
      const parsed = NewDevice.safeParse(input)
      if (!parsed.success) throw new LookoutError('DEVICE_INVALID', firstIssue(parsed.error))
      const d = parsed.data
      const tenant = await addTenant(d.tenant)
      const password = generateSecret()
      // one script, so "id already taken" is decided atomically even with concurrent adds
      const optional = (['devEui', 'codec', 'hub', 'resident'] as const).flatMap((f) => (d[f] === undefined ? [] : [f, d[f]!]))
      // one script, so "id already taken" is decided atomically even with concurrent adds
      const created = await redis.eval(
        ADD_DEVICE_SCRIPT,
        3,
        k.device(d.deviceId),
        k.tenantDevices(d.tenant),
        d.devEui ? k.devEui(d.devEui) : '',
        d.deviceId,
        'tenant', d.tenant,
        'type', d.type,
        'site', d.site,
        'timeZone', d.timeZone,
        'secretHash', hashSecret(password),
        'createdAt', new Date(now).toISOString(),
        ...optional,
      )
      if (created === 0) throw new LookoutError('DEVICE_EXISTS', `device ${d.deviceId} is already registered`)
      if (created === -1) throw new LookoutError('DEVICE_EXISTS', `DevEUI ${d.devEui} is already registered to another device`)
      return {
        credentials: { deviceId: d.deviceId, tenant: d.tenant, username: d.deviceId, password },
        tenantCreated: tenant.created,
      }
    },

    async getDevice(deviceId: string): Promise<Device | undefined> {
      const device = await getDevice(deviceId)
      if (!device) return undefined
      const { secretHash: _, ...rest } = device
      return rest
    },

    /** The LoRaWAN device with this DevEUI, whatever its tenant (callers check the tenant). */
    async getDeviceByDevEui(devEui: string): Promise<Device | undefined> {
      const id = await redis.get(k.devEui(devEui.toLowerCase()))
      if (!id) return undefined
      const device = await getDevice(id)
      if (!device) return undefined
      const { secretHash: _, ...rest } = device
      return rest
    },

    /** Registers a network-server connection for one tenant; returns its MQTT credentials once. */
    async addIntegration(input: { tenant: string; kind: string }, now: number) {
      const tenant = tenantId.safeParse(input.tenant)
      if (!tenant.success) throw new LookoutError('TENANT_INVALID', firstIssue(tenant.error))
      const kind = z.enum(INTEGRATION_KINDS).safeParse(input.kind)
      if (!kind.success) throw new LookoutError('CLI_USAGE', `kind must be one of: ${INTEGRATION_KINDS.join(', ')}`)
      await addTenant(tenant.data)
      const integrationId = generateSecret().slice(0, 12).replace(/[-_]/g, 'x')
      const password = generateSecret()
      await redis.hset(k.integration(integrationId), {
        tenant: tenant.data,
        kind: kind.data,
        secretHash: hashSecret(password),
        createdAt: new Date(now).toISOString(),
      })
      return { integrationId, tenant: tenant.data, kind: kind.data, username: `${INTEGRATION_USERNAME_PREFIX}${integrationId}`, password }
    },

    async authenticateIntegration(username: string, password: string): Promise<{ ok: true; integration: Integration } | { ok: false; reason: 'unknown_integration' | 'bad_password' }> {
      const id = username.slice(INTEGRATION_USERNAME_PREFIX.length)
      if (!username.startsWith(INTEGRATION_USERNAME_PREFIX) || !/^[A-Za-z0-9]{12}$/.test(id)) return { ok: false, reason: 'unknown_integration' }
      const stored = StoredIntegration.safeParse(await redis.hgetall(k.integration(id)))
      if (!stored.success) return { ok: false, reason: 'unknown_integration' }
      if (!secretMatches(password, stored.data.secretHash)) return { ok: false, reason: 'bad_password' }
      return { ok: true, integration: { integrationId: id, tenant: stored.data.tenant, kind: stored.data.kind } }
    },

    /** Stores a tenant's own codec (source already checked in the sandbox by the caller). */
    async setCodec(input: { tenant: string; model: string; source: string }, now: number): Promise<{ sha256: string }> {
      const tenant = tenantId.safeParse(input.tenant)
      if (!tenant.success) throw new LookoutError('TENANT_INVALID', firstIssue(tenant.error))
      if (!CODEC_MODEL.test(input.model)) throw new LookoutError('CLI_USAGE', 'codec model must be <vendor>/<model>, e.g. acme/door-v2')
      const sha256 = createHash('sha256').update(input.source).digest('hex')
      await redis.hset(k.codec(tenant.data, input.model), { source: input.source, sha256, updatedAt: new Date(now).toISOString() })
      return { sha256 }
    },

    async getCodec(tenant: string, model: string): Promise<{ source: string; sha256: string } | undefined> {
      const raw = await redis.hmget(k.codec(tenant, model), 'source', 'sha256')
      return raw[0] && raw[1] ? { source: raw[0], sha256: raw[1] } : undefined
    },

    async listDevices(tenant: string): Promise<Device[]> {
      const ids = (await redis.smembers(k.tenantDevices(tenant))).sort()
      const devices = await Promise.all(ids.map(getDevice))
      return devices.filter((d): d is Device & { secretHash: string } => d !== undefined).map(({ secretHash: _, ...d }) => d)
    },

    /** The device these MQTT credentials belong to, or why they were refused. */
    async authenticateDevice(username: string, password: string): Promise<{ ok: true; device: Device } | { ok: false; reason: 'unknown_device' | 'bad_password' }> {
      const device = await getDevice(username)
      if (!device) return { ok: false, reason: 'unknown_device' }
      if (!secretMatches(password, device.secretHash)) return { ok: false, reason: 'bad_password' }
      const { secretHash: _, ...rest } = device
      return { ok: true, device: rest }
    },

    /** Makes an API token `lk_<id>_<secret>` for one tenant and role; only its hash is kept. */
    async addToken(input: { tenant: string; role: string }, now: number): Promise<{ token: string; tokenId: string }> {
      const tenant = tenantId.safeParse(input.tenant)
      if (!tenant.success) throw new LookoutError('TENANT_INVALID', firstIssue(tenant.error))
      const role = z.enum(TOKEN_ROLES).safeParse(input.role)
      if (!role.success) throw new LookoutError('CLI_USAGE', `role must be one of: ${TOKEN_ROLES.join(', ')}`)
      await addTenant(tenant.data)
      const tokenId = generateSecret().slice(0, 12).replace(/[-_]/g, 'x')
      const secret = generateSecret()
      await redis.hset(k.token(tokenId), {
        tenant: tenant.data,
        role: role.data,
        secretHash: hashSecret(secret),
        createdAt: new Date(now).toISOString(),
      })
      return { token: `lk_${tokenId}_${secret}`, tokenId }
    },

    async authenticateToken(token: string): Promise<ApiPrincipal | undefined> {
      const match = /^lk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/.exec(token)
      if (!match) return undefined
      const [, tokenId, secret] = match as unknown as [string, string, string]
      const raw = await redis.hgetall(k.token(tokenId))
      const stored = StoredToken.safeParse(raw)
      if (!stored.success || !secretMatches(secret, stored.data.secretHash)) return undefined
      return { tokenId, tenant: stored.data.tenant, role: stored.data.role }
    },
  }
}

export type Registry = ReturnType<typeof createRegistry>
