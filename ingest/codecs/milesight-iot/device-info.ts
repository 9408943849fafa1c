/**
 * The basic-information records (channel 0xff) every Milesight model sends once after joining the
 * network. Without them that first uplink would decode to nothing. Formats follow Milesight's
 * published uplink tables: hardware "01 40" is v1.4 (high nibble of the second byte), software
 * "01 14" is v1.14 (second byte as hex digits).
 */
import type { ChannelRecord } from './frame.ts'
import { uint8 } from './little-endian.ts'

const LORAWAN_CLASSES = ['Class A', 'Class B', 'Class C', 'Class C to B']

export const deviceInfo: readonly ChannelRecord[] = [
  { channel: 0xff, type: 0x01, size: 1, read: (value) => ({ data: { protocol_version: `v${uint8(value)}` } }) },
  {
    channel: 0xff,
    type: 0x09,
    size: 2,
    read: (value) => ({ data: { hardware_version: `v${uint8(value, 0)}.${(uint8(value, 1) >> 4).toString(16)}` } }),
  },
  {
    channel: 0xff,
    type: 0x0a,
    size: 2,
    read: (value) => ({ data: { firmware_version: `v${uint8(value, 0)}.${uint8(value, 1).toString(16)}` } }),
  },
  { channel: 0xff, type: 0x0b, size: 1, read: () => ({ data: { device_status: 'on' } }) },
  {
    channel: 0xff,
    type: 0x0f,
    size: 1,
    read: (value) => ({ data: { lorawan_class: LORAWAN_CLASSES[uint8(value)] ?? 'unknown' } }),
  },
  { channel: 0xff, type: 0x16, size: 8, read: (value) => ({ data: { sn: hexString(value) } }) },
  { channel: 0xff, type: 0xff, size: 2, read: (value) => ({ data: { tsl_version: `v${uint8(value, 0)}.${uint8(value, 1)}` } }) },
]

function hexString(value: readonly number[]): string {
  return value.map((byte) => byte.toString(16).padStart(2, '0')).join('')
}
