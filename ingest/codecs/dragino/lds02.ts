/**
 * Dragino LDS02 door sensor, FPort 10, 10 bytes (Dragino LDS02 user manual), big-endian:
 *   0..1  bit 15 door open (1) or closed (0), bits 13..0 battery in mV
 *   2     MOD, the working mode (1: open count and open duration)
 *   3..5  door open count since reset
 *   6..8  duration of the last door opening, minutes
 *   9     bit 0: alarm (door open longer than the configured time)
 * A frame cut short after the mode byte is still decoded, its missing bytes read as 0: the device
 * repository's example (7 bytes, LAST_DOOR_OPEN_DURATION 65536) expects exactly that. Shorter
 * than 3 bytes, there is no battery or mode to report, so it is an error.
 */
import type { Codec, UplinkInput, UplinkOutput } from '../types.ts'

const FPORT = 10
const MIN_LENGTH = 3

function uintBE(bytes: readonly number[], at: number, length: number): number {
  let value = 0
  for (let i = 0; i < length; i++) value = value * 0x100 + (bytes[at + i] ?? 0)
  return value
}

export function decodeLds02Uplink(input: UplinkInput): UplinkOutput {
  const { bytes, fPort } = input
  if (fPort !== FPORT) return { errors: ['unknown FPort'] }
  if (bytes.length < MIN_LENGTH) return { errors: [`payload too short: ${bytes.length} bytes, expected 10`] }
  const statusAndBattery = uintBE(bytes, 0, 2)
  return {
    data: {
      DOOR_OPEN_STATUS: statusAndBattery >> 15,
      BAT_V: (statusAndBattery & 0x3fff) / 1000,
      MOD: bytes[2] ?? 0,
      DOOR_OPEN_TIMES: uintBE(bytes, 3, 3),
      LAST_DOOR_OPEN_DURATION: uintBE(bytes, 6, 3),
      ALARM: (bytes[9] ?? 0) & 0x01,
    },
  }
}

export const LDS02: Codec = {
  model: 'dragino/lds02',
  description: 'Dragino LDS02 door sensor: open/closed, open count, last open duration, alarm, battery',
  decodeUplink: decodeLds02Uplink,
}
