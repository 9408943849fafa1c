/**
 * Integrations: a LoRaWAN network server's MQTT connection for one tenant. Their usernames are
 * `integration:<id>`; ':' never appears in a device id, so the two cannot collide.
 */
import type { Redis } from 'ioredis'
import { z } from 'zod'
import { LookoutError } from '../lib/errors.ts'
import type { RegistryKeys } from './keys.ts'
import { issueCredential } from './credentials.ts'
import { secretMatches } from './secrets.ts'
import { parseTenant, type AddTenant } from './tenants.ts'

export const INTEGRATION_KINDS = ['chirpstack', 'tts'] as const
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number]
export const INTEGRATION_USERNAME_PREFIX = 'integration:'

export interface Integration {
  integrationId: string
  tenant: string
  kind: IntegrationKind
}

const StoredIntegration = z.object({ tenant: z.string(), kind: z.enum(INTEGRATION_KINDS), secretHash: z.string() })

export function createIntegrations(redis: Redis, k: RegistryKeys, addTenant: AddTenant) {
  return {
    /** Registers a network-server connection for one tenant; returns its MQTT credentials once. */
    async addIntegration(input: { tenant: string; kind: string }, now: number) {
      const tenant = parseTenant(input.tenant)
      const kind = z.enum(INTEGRATION_KINDS).safeParse(input.kind)
      if (!kind.success) throw new LookoutError('CLI_USAGE', `kind must be one of: ${INTEGRATION_KINDS.join(', ')}`)
      await addTenant(tenant)
      const { id: integrationId, secret: password } = await issueCredential(redis, k.integration, { tenant, kind: kind.data }, now)
      return { integrationId, tenant, kind: kind.data, username: `${INTEGRATION_USERNAME_PREFIX}${integrationId}`, password }
    },

    async authenticateIntegration(username: string, password: string): Promise<{ ok: true; integration: Integration } | { ok: false; reason: 'unknown_integration' | 'bad_password' }> {
      const id = username.slice(INTEGRATION_USERNAME_PREFIX.length)
      if (!username.startsWith(INTEGRATION_USERNAME_PREFIX) || !/^[A-Za-z0-9]{12}$/.test(id)) return { ok: false, reason: 'unknown_integration' }
      const stored = StoredIntegration.safeParse(await redis.hgetall(k.integration(id)))
      if (!stored.success) return { ok: false, reason: 'unknown_integration' }
      if (!secretMatches(password, stored.data.secretHash)) return { ok: false, reason: 'bad_password' }
      return { ok: true, integration: { integrationId: id, tenant: stored.data.tenant, kind: stored.data.kind } }
    },
  }
}
