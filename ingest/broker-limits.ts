/** The broker's limits, from the LOOKOUT_MQTT_* settings (lib/config.ts). */
export interface BrokerLimits {
  maxPacketBytes: number
  maxKeepaliveSeconds: number
  connectPerMinute: number
  addressFailuresPerMinute: number
  publishPerSecond: number
  integrationPublishPerSecond: number
}
