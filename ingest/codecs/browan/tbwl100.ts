/**
 * Browan TBWL100 water leak sensor, FPort 106, 5 bytes: status, battery, PCB temperature, RH,
 * ambient temperature. Status bit 0 is 1 for water detected, bit 5 temperature changed (2 °C),
 * bit 6 RH changed (5 %); bit 4, the leak interrupt, has no field in the repository's output.
 */
import type { Codec } from '../types.ts'
import { batteryVolts, flag, humidityPercent, temperatureCelsius } from './fields.ts'
import { decodeBrowanFrame, type BrowanFrame } from './frame.ts'

const FRAME: BrowanFrame = {
  fPort: 106,
  length: 5,
  decode: (bytes) => {
    const status = bytes[0] ?? 0
    return {
      status: flag(status, 0),
      temperatureChanged: flag(status, 5),
      humidityChanged: flag(status, 6),
      battery: batteryVolts(bytes[1] ?? 0),
      temperatureBoard: temperatureCelsius(bytes[2] ?? 0),
      humidity: humidityPercent(bytes[3] ?? 0),
      temperature: temperatureCelsius(bytes[4] ?? 0),
    }
  },
}

export const TBWL100: Codec = {
  model: 'browan/tbwl100',
  description: 'Browan TBWL100 water leak sensor: leak detected, temperature, relative humidity, battery',
  decodeUplink: (input) => decodeBrowanFrame(FRAME, input),
}
