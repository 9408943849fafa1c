import { type ChannelRecord } from './frame.ts'
import { uint8 } from './little-endian.ts'
import { milesightCodec } from './codec.ts'
import { battery } from './records.ts'

const PRESSES = ['short', 'long', 'double']

/** A button press, sent on the 0xff channel as type 0x2e: 1 short, 2 long, 3 double. */
const button: ChannelRecord = {
  channel: 0xff,
  type: 0x2e,
  size: 1,
  read: (value) => ({ data: { button: PRESSES[uint8(value) - 1] ?? 'unknown' } }),
}

export const ws101 = milesightCodec('ws101', 'Milesight WS101 smart button: short, long or double press, battery', [
  battery,
  button,
])
