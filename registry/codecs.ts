/** A tenant's own LoRaWAN codecs (TTN format), kept with the SHA-256 of their source. */
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import { LookoutError } from '../lib/errors.ts'
import { CODEC_MODEL } from './devices.ts'
import type { RegistryKeys } from './keys.ts'
import { parseTenant } from './tenants.ts'

export function createCodecs(redis: Redis, k: RegistryKeys) {
  return {
    /** Stores a tenant's own codec (source already checked in the sandbox by the caller). */
    async setCodec(input: { tenant: string; model: string; source: string }, now: number): Promise<{ sha256: string }> {
      const tenant = parseTenant(input.tenant)
      if (!CODEC_MODEL.test(input.model)) throw new LookoutError('CLI_USAGE', 'codec model must be <vendor>/<model>, e.g. acme/door-v2')
      const sha256 = createHash('sha256').update(input.source).digest('hex')
      await redis.hset(k.codec(tenant, input.model), { source: input.source, sha256, updatedAt: new Date(now).toISOString() })
      return { sha256 }
    },

    async getCodec(tenant: string, model: string): Promise<{ source: string; sha256: string } | undefined> {
      const raw = await redis.hmget(k.codec(tenant, model), 'source', 'sha256')
      return raw[0] && raw[1] ? { source: raw[0], sha256: raw[1] } : undefined
    },
  }
}
