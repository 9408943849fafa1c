/**
 * Tenants, devices, integrations, codecs and API tokens, kept in Redis (keys: keys.ts). Only
 * hashes of secrets are stored; a secret is returned once, when it is made. Each part is its own
 * file: tenants.ts, devices.ts, integrations.ts, codecs.ts, tokens.ts.
 */
import type { Redis } from 'ioredis'
import { createCodecs } from './codecs.ts'
import { createDevices } from './devices.ts'
import { createIntegrations } from './integrations.ts'
import { registryKeys } from './keys.ts'
import { createTenants } from './tenants.ts'
import { createTokens } from './tokens.ts'

export function createRegistry(redis: Redis, prefix: string) {
  const k = registryKeys(prefix)
  const tenants = createTenants(redis, k)
  return {
    ...tenants,
    ...createDevices(redis, k, tenants.addTenant),
    ...createIntegrations(redis, k, tenants.addTenant),
    ...createCodecs(redis, k),
    ...createTokens(redis, k, tenants.addTenant),
  }
}

export type Registry = ReturnType<typeof createRegistry>
