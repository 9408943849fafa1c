/**
 * The id of an HTTP request: on every log line of the request (pino field `reqId`) and in the
 * `x-request-id` response header. A caller's own `x-request-id` (a proxy's, a client's) is kept when
 * it is 1 to 64 characters of [A-Za-z0-9._:-], so logs can be joined across hops; anything else,
 * or none, gets a fresh random UUID (a header is never logged unchecked: no control characters, no
 * unbounded length).
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

export const REQUEST_ID_HEADER = 'x-request-id'
const CALLER_ID = /^[A-Za-z0-9._:-]{1,64}$/

/** Fastify's genReqId. */
export function requestIdOf(req: Pick<IncomingMessage, 'headers'>): string {
  const given = req.headers[REQUEST_ID_HEADER]
  return typeof given === 'string' && CALLER_ID.test(given) ? given : randomUUID()
}
