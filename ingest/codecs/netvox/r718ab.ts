/**
 * Netvox R718AB temperature and humidity sensor, device type 0x13. Status report: battery,
 * temperature (int16, 0.01 °C), humidity (uint16, 0.01 %). Its read-configuration response adds
 * TempChange and HumiChange in the same 0.01 units.
 */
import type { Codec } from '../types.ts'
import { decodeNetvoxUplink } from './decode-netvox.ts'
import { batteryTenthsVolts, int16BE, uintBE } from './fields.ts'
import type { NetvoxModel } from './model.ts'

const MODEL: NetvoxModel = {
  deviceType: 0x13,
  name: 'R718AB',
  volts: batteryTenthsVolts,
  readings: (data) => ({ Temp: int16BE(data, 0) / 100, Humi: uintBE(data, 2, 2) / 100 }),
  reportChanges: (data) => ({ TempChange: uintBE(data, 0, 2) / 100, HumiChange: uintBE(data, 2, 2) / 100 }),
}

export const R718AB: Codec = {
  model: 'netvox/r718ab',
  description: 'Netvox R718AB temperature and humidity sensor: temperature, relative humidity, battery',
  decodeUplink: (input) => decodeNetvoxUplink(MODEL, input),
}
