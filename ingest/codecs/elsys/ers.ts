import type { Codec } from '../types.ts'
import { decodeElsysUplink } from './decode-elsys.ts'

export const ERS: Codec = {
  model: 'elsys/ers',
  description: 'Elsys ERS room sensor: temperature, relative humidity, light, PIR motion count',
  decodeUplink: decodeElsysUplink,
}
