/**
 * Browan TBPB100 push button, FPort 147: status (bit 0: 1 button pressed), battery, PCB
 * temperature. The report is 8 bytes; the five after the temperature carry nothing the
 * device repository decodes, so they are ignored.
 */
import type { Codec } from '../types.ts'
import { batteryVolts, flag, temperatureCelsius } from './fields.ts'
import { decodeBrowanFrame, type BrowanFrame } from './frame.ts'

const FRAME: BrowanFrame = {
  fPort: 147,
  length: 3,
  decode: (bytes) => ({
    status: flag(bytes[0] ?? 0, 0),
    battery: batteryVolts(bytes[1] ?? 0),
    temperatureBoard: temperatureCelsius(bytes[2] ?? 0),
  }),
}

export const TBPB100: Codec = {
  model: 'browan/tbpb100',
  description: 'Browan TBPB100 push button (help call): button pressed, battery, board temperature',
  decodeUplink: (input) => decodeBrowanFrame(FRAME, input),
}
