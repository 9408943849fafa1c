/**
 * Browan TBHV110 indoor air quality sensor, FPort 103, 11 bytes: status, battery, PCB
 * temperature, RH, eCO2 ppm (uint16 LE), VOC ppm (uint16 LE), IAQ index (uint16 LE), ambient
 * temperature. Status bit 0 is 1 for an event (0 keep-alive), bit 4 temperature changed, bit 6
 * IAQ changed (reference manual; bit 5, RH changed, has no field in the repository's output).
 */
import type { Codec } from '../types.ts'
import { batteryVolts, flag, humidityPercent, temperatureCelsius, uintLE } from './fields.ts'
import { decodeBrowanFrame, type BrowanFrame } from './frame.ts'

const FRAME: BrowanFrame = {
  fPort: 103,
  length: 11,
  decode: (bytes) => {
    const status = bytes[0] ?? 0
    return {
      status: flag(status, 0),
      tempHumidChanged: flag(status, 4),
      iaqChanged: flag(status, 6),
      battery: batteryVolts(bytes[1] ?? 0),
      temperatureBoard: temperatureCelsius(bytes[2] ?? 0),
      humidity: humidityPercent(bytes[3] ?? 0),
      eco2: uintLE(bytes, 4, 2),
      voc: uintLE(bytes, 6, 2),
      iaq: uintLE(bytes, 8, 2),
      temperature: temperatureCelsius(bytes[10] ?? 0),
    }
  },
}

export const TBHV110: Codec = {
  model: 'browan/tbhv110',
  description: 'Browan TBHV110 indoor air quality sensor: IAQ index, eCO2, VOC, temperature, relative humidity, battery',
  decodeUplink: (input) => decodeBrowanFrame(FRAME, input),
}
