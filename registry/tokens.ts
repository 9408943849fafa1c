/** API tokens `lk_<id>_<secret>`, one tenant and role each; only the secret's hash is kept. */
import type { Redis } from 'ioredis'
import { z } from 'zod'
import { LookoutError } from '../lib/errors.ts'
import type { RegistryKeys } from './keys.ts'
import { issueCredential } from './credentials.ts'
import { secretMatches } from './secrets.ts'
import { parseTenant, type AddTenant } from './tenants.ts'

export const TOKEN_ROLES = ['responder', 'viewer'] as const
export type TokenRole = (typeof TOKEN_ROLES)[number]

export interface ApiPrincipal {
  tokenId: string
  tenant: string
  role: TokenRole
}

const StoredToken = z.object({ tenant: z.string(), role: z.enum(TOKEN_ROLES), secretHash: z.string() })

export function createTokens(redis: Redis, k: RegistryKeys, addTenant: AddTenant) {
  return {
    /** Makes an API token for one tenant and role; the token is shown here only. */
    async addToken(input: { tenant: string; role: string }, now: number): Promise<{ token: string; tokenId: string }> {
      const tenant = parseTenant(input.tenant)
      const role = z.enum(TOKEN_ROLES).safeParse(input.role)
      if (!role.success) throw new LookoutError('CLI_USAGE', `role must be one of: ${TOKEN_ROLES.join(', ')}`)
      await addTenant(tenant)
      const { id: tokenId, secret } = await issueCredential(redis, k.token, { tenant, role: role.data }, now)
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
