/**
 * Topic grammar (MQTT 3.1.1 topic names, [MQTT-4.7]):
 *   devices/<deviceId>/events      device → Lookout: an event, JSON (docs/schemas/device-event.schema.json)
 *   devices/<deviceId>/telemetry   device → Lookout: readings, JSON (docs/schemas/device-telemetry.schema.json)
 *   devices/<deviceId>/status      device → Lookout: heartbeat, battery, mains, link, tamper (docs/schemas/device-status.schema.json)
 *   devices/<deviceId>/senml       device → Lookout: a SenML (RFC 8428) JSON pack
 *   devices/<deviceId>/errors      Lookout → device: why a message was rejected
 *   integrations/<id>/errors       Lookout → network server integration: the same, for its uplinks
 * A device may publish only to its own topics above, and subscribe only to its own errors topic.
 * An integration publishes its network server's own topics (ChirpStack v4 `application/…`, The
 * Things Stack v3 `v3/…`) and subscribes to its errors topic.
 */
import type { Principal } from './principals.ts'

export const DEVICE_CHANNELS = ['events', 'telemetry', 'status', 'senml'] as const
export type DeviceChannel = (typeof DEVICE_CHANNELS)[number]

export function publishChannelFor(topic: string, deviceId: string): DeviceChannel | undefined {
  const prefix = `devices/${deviceId}/`
  if (!topic.startsWith(prefix)) return undefined
  const rest = topic.slice(prefix.length)
  return (DEVICE_CHANNELS as readonly string[]).includes(rest) ? (rest as DeviceChannel) : undefined
}

export function errorsTopic(deviceId: string): string {
  return `devices/${deviceId}/errors`
}

export function integrationErrorsTopic(integrationId: string): string {
  return `integrations/${integrationId}/errors`
}

/** The one topic a principal may subscribe to: where it is told why a message was rejected. */
export function ownErrorsTopic(principal: Principal): string {
  return principal.kind === 'device' ? errorsTopic(principal.device.deviceId) : integrationErrorsTopic(principal.integration.integrationId)
}
