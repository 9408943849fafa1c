import { milesightCodec } from './codec.ts'
import { battery, humidity, temperature } from './records.ts'

export const em300Th = milesightCodec('em300-th', 'Milesight EM300-TH temperature and humidity, battery', [
  battery,
  temperature(0x03),
  humidity(0x04),
])
