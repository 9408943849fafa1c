/**
 * Browan TBHH100 temperature and humidity sensor, FPort 103: status, battery, temperature, RH.
 * The report is 8 bytes; the four after RH (0xFF in the device repository's example) are not
 * decoded. The status flag is bit 3 of the status byte, not bit 0 as on the other Tabs sensors:
 * the repository's example reports 0x08 as status 1.
 */
import type { Codec } from '../types.ts'
import { batteryVolts, flag, humidityPercent, temperatureCelsius } from './fields.ts'
import { decodeBrowanFrame, type BrowanFrame } from './frame.ts'

const FRAME: BrowanFrame = {
  fPort: 103,
  length: 4,
  decode: (bytes) => ({
    status: flag(bytes[0] ?? 0, 3),
    battery: batteryVolts(bytes[1] ?? 0),
    temperature: temperatureCelsius(bytes[2] ?? 0),
    humidity: humidityPercent(bytes[3] ?? 0),
  }),
}

export const TBHH100: Codec = {
  model: 'browan/tbhh100',
  description: 'Browan TBHH100 healthy-home sensor: temperature, relative humidity, battery',
  decodeUplink: (input) => decodeBrowanFrame(FRAME, input),
}
