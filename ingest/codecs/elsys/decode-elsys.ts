/**
 * Decodes an Elsys uplink: a run of [type][value] pairs (tlv-types.ts), the same on every FPort
 * and every Elsys model, which is why ERS, ERS CO2 and EMS Door share this one decoder. A value
 * that is unknown or cut short stops decoding; what was read before it is kept, with a warning,
 * and only a payload that yields nothing at all is an error.
 */
import type { UplinkInput, UplinkOutput } from '../types.ts'
import { TLV_TYPES } from './tlv-types.ts'

const hex = (byte: number): string => `0x${byte.toString(16).padStart(2, '0')}`

export function decodeElsysUplink(input: UplinkInput): UplinkOutput {
  const { bytes } = input
  const data: Record<string, number> = {}
  let problem: string | undefined
  let at = 0
  while (at < bytes.length) {
    const typeByte = bytes[at] ?? 0
    const type = TLV_TYPES.get(typeByte)
    if (!type) {
      problem = `unknown value type ${hex(typeByte)} at byte ${at}`
      break
    }
    const value = bytes.slice(at + 1, at + 1 + type.length)
    if (value.length < type.length) {
      problem = `value type ${hex(typeByte)} at byte ${at} needs ${type.length} bytes, ${value.length} left`
      break
    }
    Object.assign(data, type.decode(value))
    at += 1 + type.length
  }
  if (Object.keys(data).length === 0) return { errors: [problem ?? 'empty payload'] }
  return problem ? { data, warnings: [problem] } : { data }
}
