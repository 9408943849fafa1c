import { milesightCodec } from './codec.ts'
import { battery, stateReading } from './records.ts'

export const ws202 = milesightCodec('ws202', 'Milesight WS202 PIR motion and day/night light state, battery', [
  battery,
  stateReading(0x03, 'pir', ['idle', 'trigger']),
  stateReading(0x04, 'light', ['dark', 'light']),
])
