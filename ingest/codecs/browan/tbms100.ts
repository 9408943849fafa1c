/**
 * Browan TBMS100 PIR motion sensor, FPort 102, 8 bytes: status (bit 0: 1 occupied, 0 free),
 * battery, PCB temperature, minutes since the last event (uint16 LE), event count (uint24 LE).
 */
import type { Codec } from '../types.ts'
import { batteryVolts, flag, temperatureCelsius, uintLE } from './fields.ts'
import { decodeBrowanFrame, type BrowanFrame } from './frame.ts'

const FRAME: BrowanFrame = {
  fPort: 102,
  length: 8,
  decode: (bytes) => ({
    status: flag(bytes[0] ?? 0, 0),
    battery: batteryVolts(bytes[1] ?? 0),
    temperatureBoard: temperatureCelsius(bytes[2] ?? 0),
    time: uintLE(bytes, 3, 2),
    count: uintLE(bytes, 5, 3),
  }),
}

export const TBMS100: Codec = {
  model: 'browan/tbms100',
  description: 'Browan TBMS100 PIR motion sensor: occupied/free, minutes since last event, event count, battery, board temperature',
  decodeUplink: (input) => decodeBrowanFrame(FRAME, input),
}
