import type { Codec } from '../types.ts'
import { decodeElsysUplink } from './decode-elsys.ts'

export const ERS_CO2: Codec = {
  model: 'elsys/ers-co2',
  description: 'Elsys ERS CO2 room sensor: temperature, relative humidity, light, PIR motion count, CO2',
  decodeUplink: decodeElsysUplink,
}
