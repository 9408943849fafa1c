/** Tenant ids: their validation (shared by everything registered for a tenant) and the tenant set. */
import type { Redis } from 'ioredis'
import { z } from 'zod'
import { LookoutError } from '../lib/errors.ts'
import { TENANT_ID, TENANT_ID_RULE } from '../lib/ids.ts'
import type { RegistryKeys } from './keys.ts'

export const TenantId = z.string().regex(TENANT_ID, `tenant must be ${TENANT_ID_RULE}`)

/** The message of a failed parse's first issue, for a LookoutError. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  return issue ? issue.message : 'invalid input'
}

/** The tenant id, or TENANT_INVALID. */
export function parseTenant(tenant: string): string {
  const parsed = TenantId.safeParse(tenant)
  if (!parsed.success) throw new LookoutError('TENANT_INVALID', firstIssue(parsed.error))
  return parsed.data
}

export type AddTenant = (tenant: string) => Promise<{ tenant: string; created: boolean }>

export function createTenants(redis: Redis, k: RegistryKeys) {
  const addTenant: AddTenant = async (tenant) => {
    const id = parseTenant(tenant)
    const created = (await redis.sadd(k.tenants, id)) === 1
    return { tenant: id, created }
  }
  return {
    addTenant,
    async listTenants(): Promise<string[]> {
      return (await redis.smembers(k.tenants)).sort()
    },
  }
}
