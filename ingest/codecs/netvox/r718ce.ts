/**
 * Netvox R718CE thermocouple probe (pipe and hot-water temperature), device type 0x94. Status
 * report: battery as two decimal digits (fields.ts), probe temperature (int16, whole °C). Its
 * read-configuration response adds TempChange in 0.1 °C; it also answers the set (0x83) and get
 * (0x84) thermocouple-type commands.
 */
import type { Codec } from '../types.ts'
import { decodeNetvoxUplink } from './decode-netvox.ts'
import { batteryDigitVolts, int16BE, responseStatus, uintBE } from './fields.ts'
import type { NetvoxModel } from './model.ts'

const MODEL: NetvoxModel = {
  deviceType: 0x94,
  name: 'R718CE',
  volts: batteryDigitVolts,
  readings: (data) => ({ Temp: int16BE(data, 0) }),
  reportChanges: (data) => ({ TempChange: uintBE(data, 0, 2) / 10 }),
  commands: new Map([
    [0x83, { name: 'SetThermocoupleTypeRsp', decode: (payload) => ({ Status: responseStatus(payload[0] ?? 0) }) }],
    [0x84, { name: 'GetThermocoupleTypeRsp', decode: (payload) => ({ ThermocoupleType: payload[0] ?? 0 }) }],
  ]),
}

export const R718CE: Codec = {
  model: 'netvox/r718ce',
  description: 'Netvox R718CE thermocouple probe: pipe or hot-water temperature, battery',
  decodeUplink: (input) => decodeNetvoxUplink(MODEL, input),
}
