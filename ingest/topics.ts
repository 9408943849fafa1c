/**
 * Topic grammar (MQTT 3.1.1 topic names, [MQTT-4.7]):
 *   devices/<deviceId>/events      device → Lookout: an event, JSON (schemas/device-event.schema.json)
 *   devices/<deviceId>/telemetry   device → Lookout: readings, JSON (schemas/device-telemetry.schema.json)
 *   devices/<deviceId>/errors      Lookout → device: why a message was rejected
 * A device may publish only to its own events and telemetry topics, and subscribe only to its own
 * errors topic.
 */
export const DEVICE_CHANNELS = ['events', 'telemetry'] as const
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

export function maySubscribe(topic: string, deviceId: string): boolean {
  return topic === errorsTopic(deviceId)
}

/** Whether a message on `topic` may be delivered to the device `deviceId` (its own namespace only). */
export function mayReceive(topic: string, deviceId: string): boolean {
  return topic.startsWith(`devices/${deviceId}/`)
}
