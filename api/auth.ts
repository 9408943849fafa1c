import type { FastifyRequest } from 'fastify'
import { LookoutError } from '../lib/errors.ts'
import type { ApiPrincipal, Registry, TokenRole } from '../registry/index.ts'

/** The caller's tenant and role from `Authorization: Bearer <token>`; 401 otherwise. */
export async function authenticate(request: FastifyRequest, registry: Registry, roles?: readonly TokenRole[]): Promise<ApiPrincipal> {
  const header = request.headers.authorization
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null
  if (!match) throw new LookoutError('TOKEN_INVALID', 'send an API token as "Authorization: Bearer <token>"')
  const principal = await registry.authenticateToken(match[1]!)
  if (!principal) throw new LookoutError('TOKEN_INVALID', 'the API token is unknown or malformed')
  if (roles && !roles.includes(principal.role)) throw new LookoutError('FORBIDDEN', `role ${principal.role} may not do this`)
  return principal
}
