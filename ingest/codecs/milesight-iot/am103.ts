import { milesightCodec } from './codec.ts'
import { battery, humidity, temperature, uint16Reading } from './records.ts'

export const am103 = milesightCodec('am103', 'Milesight AM103 indoor ambience: temperature, humidity, CO2, battery', [
  battery,
  temperature(0x03),
  humidity(0x04),
  uint16Reading(0x07, 'co2'),
])
