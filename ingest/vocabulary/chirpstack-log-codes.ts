/**
 * ChirpStack v4 `log` event codes (`chirpstack/chirpstack: api/proto/integration/integration.proto`,
 * enum LogCode) → canonical events. Codes with `event: null` are about downlinks or the network
 * and say nothing about the device's health; they are kept as facts (`log.code`) without an event.
 * A code not listed here is also kept as a fact, without an event.
 */
import type { EventType } from '../../lib/event-types.ts'

export const CHIRPSTACK_LOG_CODES: Readonly<Record<string, { meaning: string; event: EventType | null }>> = {
  UNKNOWN: { meaning: 'unknown', event: null },
  DOWNLINK_PAYLOAD_SIZE: { meaning: 'downlink payload too large for the data rate', event: null },
  UPLINK_CODEC: { meaning: 'the device-profile codec failed on an uplink', event: 'lorawan.codec_failed' },
  DOWNLINK_CODEC: { meaning: 'the device-profile codec failed on a downlink', event: null },
  OTAA: { meaning: 'OTAA join error (e.g. DevNonce reused)', event: 'lorawan.join_failed' },
  UPLINK_F_CNT_RESET: { meaning: 'uplink frame counter reset or rollover', event: 'lorawan.frame_counter_reset' },
  UPLINK_MIC: { meaning: 'uplink message integrity check failed', event: 'lorawan.mic_failed' },
  UPLINK_F_CNT_RETRANSMISSION: { meaning: 'uplink retransmission (frame counter repeated)', event: null },
  DOWNLINK_GATEWAY: { meaning: 'the gateway rejected a downlink', event: null },
  RELAY_NEW_END_DEVICE: { meaning: 'a relay reported a new end device', event: null },
  F_CNT_DOWN: { meaning: 'downlink frame counter error', event: null },
  EXPIRED: { meaning: 'a queued downlink expired', event: null },
}

export function chirpstackLogEvent(code: string): EventType | null {
  return Object.hasOwn(CHIRPSTACK_LOG_CODES, code) ? (CHIRPSTACK_LOG_CODES[code]?.event ?? null) : null
}
