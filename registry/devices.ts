/**
 * Devices: registration (atomic, with its MQTT password made here and only its hash kept), lookups
 * by id and by LoRaWAN DevEUI, a tenant's list, and MQTT authentication. Device ids are unique
 * across tenants because they are MQTT usernames and topic levels.
 */
import type { Redis } from 'ioredis'
import { z } from 'zod'
import { LookoutError } from '../lib/errors.ts'
import { DEVICE_ID, DEVICE_ID_RULE, SITE_ID } from '../lib/ids.ts'
import { DEVICE_TYPES, type DeviceType } from '../lib/device-types.ts'
import type { RegistryKeys } from './keys.ts'
import { generateSecret, hashSecret, secretMatches } from './secrets.ts'
import { firstIssue, TenantId, type AddTenant } from './tenants.ts'

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

const DEFAULT_SITE = 'unassigned'
const DEFAULT_TIME_ZONE = 'Europe/London'
export const CODEC_MODEL = /^[a-z0-9-]+\/[a-z0-9._-]+$/

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

const NewDevice = z.object({
  deviceId: z.string().regex(DEVICE_ID, `device id must be ${DEVICE_ID_RULE}`),
  tenant: TenantId,
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

/** KEYS: device hash, tenant's device set, DevEUI index (or ''). ARGV: device id, then field/value pairs.
 *  Returns 1 if added, 0 if the id exists, -1 if the DevEUI belongs to another device. */
const ADD_DEVICE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if KEYS[3] ~= '' and redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('SADD', KEYS[2], ARGV[1])
if KEYS[3] ~= '' then redis.call('SET', KEYS[3], ARGV[1]) end
return 1`

function withoutSecret({ secretHash: _, ...device }: Device & { secretHash: string }): Device {
  return device
}

export function createDevices(redis: Redis, k: RegistryKeys, addTenant: AddTenant) {
  async function getStored(deviceId: string): Promise<(Device & { secretHash: string }) | undefined> {
    if (!DEVICE_ID.test(deviceId)) return undefined
    const raw = await redis.hgetall(k.device(deviceId))
    if (Object.keys(raw).length === 0) return undefined
    const stored = StoredDevice.safeParse(raw)
    return stored.success ? { deviceId, ...stored.data } : undefined
  }

  return {
    /** Registers a device and returns its MQTT credentials; the password is shown here only. */
    async addDevice(input: NewDevice, now: number) {
      const parsed = NewDevice.safeParse(input)
      if (!parsed.success) throw new LookoutError('DEVICE_INVALID', firstIssue(parsed.error))
      const d = parsed.data
      const tenant = await addTenant(d.tenant)
      const password = generateSecret()
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
      const device = await getStored(deviceId)
      return device && withoutSecret(device)
    },

    /** The LoRaWAN device with this DevEUI, whatever its tenant (callers check the tenant). */
    async getDeviceByDevEui(devEui: string): Promise<Device | undefined> {
      const id = await redis.get(k.devEui(devEui.toLowerCase()))
      if (!id) return undefined
      const device = await getStored(id)
      return device && withoutSecret(device)
    },

    async listDevices(tenant: string): Promise<Device[]> {
      const ids = (await redis.smembers(k.tenantDevices(tenant))).sort()
      const devices = await Promise.all(ids.map(getStored))
      return devices.filter((d): d is Device & { secretHash: string } => d !== undefined).map(withoutSecret)
    },

    /** The device these MQTT credentials belong to, or why they were refused. */
    async authenticateDevice(username: string, password: string): Promise<{ ok: true; device: Device } | { ok: false; reason: 'unknown_device' | 'bad_password' }> {
      const device = await getStored(username)
      if (!device) return { ok: false, reason: 'unknown_device' }
      if (!secretMatches(password, device.secretHash)) return { ok: false, reason: 'bad_password' }
      return { ok: true, device: withoutSecret(device) }
    },
  }
}
