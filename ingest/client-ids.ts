/**
 * Which MQTT client ids a principal may use. A client id is session state and the key of a
 * take-over ([MQTT-3.1.4-2]: a second connection with the same id closes the first), so it must
 * belong to the authenticated principal, or one tenant's device could keep another's off the broker.
 *
 * A principal owns its username as a client id (a device: its device id; an integration:
 * `integration:<id>`), and that followed by `:` and any suffix (`pendant-001:bedroom`), for a device
 * or gateway that opens more than one connection. Device ids never contain `:` (lib/ids.ts), so a
 * suffix never reaches another device's id; a device may not use a suffixed id that starts with
 * `integration:`, which a device named `integration` would otherwise reach. An empty client id is
 * accepted with a clean session only (the broker assigns a random one, [MQTT-3.1.3-6]); the broker
 * refuses it with a persistent session before it gets here ([MQTT-3.1.3-8]).
 */
import { INTEGRATION_USERNAME_PREFIX } from '../registry/index.ts'
import type { Principal } from './principals.ts'

export const CLIENT_ID_SUFFIX_SEPARATOR = ':'

/** The client id a principal owns outright: its MQTT username. */
export function ownClientId(principal: Principal): string {
  return principal.kind === 'device' ? principal.device.deviceId : `${INTEGRATION_USERNAME_PREFIX}${principal.integration.integrationId}`
}

/** True when `clientId`, as sent in CONNECT, belongs to the principal (or is empty: assigned by the broker). */
export function clientIdBelongsTo(principal: Principal, clientId: string): boolean {
  if (clientId === '') return true
  const own = ownClientId(principal)
  if (clientId === own) return true
  if (!clientId.startsWith(own + CLIENT_ID_SUFFIX_SEPARATOR)) return false
  return principal.kind === 'integration' || !clientId.startsWith(INTEGRATION_USERNAME_PREFIX)
}
