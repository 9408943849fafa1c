import { milesightCodec } from './codec.ts'
import { battery, humidity, pressure, temperature, uint16Reading } from './records.ts'

export const em500Co2 = milesightCodec('em500-co2', 'Milesight EM500-CO2 CO2, temperature, humidity, pressure, battery', [
  battery,
  temperature(0x03),
  humidity(0x04),
  uint16Reading(0x05, 'co2'),
  pressure(0x06),
])
