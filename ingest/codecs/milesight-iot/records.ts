/**
 * Record kinds shared by several Milesight models. The type byte fixes the encoding (0x67 is
 * always a temperature in tenths of a degree, 0x68 a humidity in half percent); the channel id
 * varies by model, so most of these take it as an argument.
 */
import type { ChannelRecord } from './frame.ts'
import { int16, uint16, uint8 } from './little-endian.ts'

/** Battery level in %, channel 0x01 on every battery-powered model. */
export const battery: ChannelRecord = {
  channel: 0x01,
  type: 0x75,
  size: 1,
  read: (value) => ({ data: { battery: uint8(value) } }),
}

/** Temperature in °C, int16 in tenths. */
export function temperature(channel: number): ChannelRecord {
  return { channel, type: 0x67, size: 2, read: (value) => ({ data: { temperature: int16(value) / 10 } }) }
}

/** Relative humidity in %, uint8 in halves. */
export function humidity(channel: number): ChannelRecord {
  return { channel, type: 0x68, size: 1, read: (value) => ({ data: { humidity: uint8(value) / 2 } }) }
}

/** Barometric pressure in hPa, uint16 in tenths. */
export function pressure(channel: number): ChannelRecord {
  return { channel, type: 0x73, size: 2, read: (value) => ({ data: { pressure: uint16(value) / 10 } }) }
}

/** A plain uint16 reading (type 0x7d: CO2 in ppm, TVOC index) under the given key. */
export function uint16Reading(channel: number, key: string): ChannelRecord {
  return { channel, type: 0x7d, size: 2, read: (value) => ({ data: { [key]: uint16(value) } }) }
}

/**
 * A one-byte state (type 0x00: door, PIR, light, install) named by `names[byte]`. A byte outside
 * the documented range gives 'unknown' rather than failing the whole frame.
 */
export function stateReading(channel: number, key: string, names: readonly string[]): ChannelRecord {
  return { channel, type: 0x00, size: 1, read: (value) => ({ data: { [key]: names[uint8(value)] ?? 'unknown' } }) }
}
