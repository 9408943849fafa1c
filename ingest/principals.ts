/**
 * Who is on the other end of an MQTT connection: a device (username = its device id) or a network
 * server integration of one tenant (username = `integration:<id>`). Topic rights follow from it.
 */
import type { Device, Integration } from '../registry/index.ts'

export type Principal = { kind: 'device'; device: Device } | { kind: 'integration'; integration: Integration }

export function principalTenant(principal: Principal): string {
  return principal.kind === 'device' ? principal.device.tenant : principal.integration.tenant
}

/** A stable id for logs and rate limits: never a name. */
export function principalId(principal: Principal): string {
  return principal.kind === 'device' ? principal.device.deviceId : `integration:${principal.integration.integrationId}`
}

/** Log fields naming the principal by id (never a name): `deviceId` or `integrationId`, and its tenant. */
export function principalLogFields(principal: Principal): { tenant: string; deviceId?: string; integrationId?: string } {
  return principal.kind === 'device'
    ? { tenant: principal.device.tenant, deviceId: principal.device.deviceId }
    : { tenant: principal.integration.tenant, integrationId: principal.integration.integrationId }
}
