import { type ChannelRecord } from './frame.ts'
import { uint32 } from './little-endian.ts'
import { milesightCodec } from './codec.ts'
import { battery, humidity, stateReading, temperature } from './records.ts'

/** Pulse count since the counter was last cleared, uint32 (meter readings are derived from it). */
const pulse: ChannelRecord = {
  channel: 0x05,
  type: 0xc8,
  size: 4,
  read: (value) => ({ data: { pulse: uint32(value) } }),
}

/** The digital input is either a pulse counter (0x05 0xc8) or a plain level input (0x05 0x00). */
export const em300Di = milesightCodec(
  'em300-di',
  'Milesight EM300-DI pulse counter (water or energy meter) or digital input, temperature, humidity, battery',
  [battery, temperature(0x03), humidity(0x04), stateReading(0x05, 'gpio', ['off', 'on']), pulse],
)
