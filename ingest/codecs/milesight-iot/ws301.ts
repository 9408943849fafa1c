import { milesightCodec } from './codec.ts'
import { battery, stateReading } from './records.ts'

/** `install` is the tamper switch: 'no' means the device has been taken off its mounting. */
export const ws301 = milesightCodec('ws301', 'Milesight WS301 door/window contact and tamper (install) state, battery', [
  battery,
  stateReading(0x03, 'door', ['closed', 'open']),
  stateReading(0x04, 'install', ['yes', 'no']),
])
