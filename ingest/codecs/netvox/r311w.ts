/**
 * Netvox R311W water leak sensor with two probes, device type 0x06. Status report: battery, then
 * one state byte per probe.
 */
import type { Codec } from '../types.ts'
import { decodeNetvoxUplink } from './decode-netvox.ts'
import { batteryTenthsVolts } from './fields.ts'
import type { NetvoxModel } from './model.ts'
import { waterLeak } from './water-leak.ts'

const MODEL: NetvoxModel = {
  deviceType: 0x06,
  name: 'R311W',
  volts: batteryTenthsVolts,
  readings: (data) => ({ WaterLeak_1: waterLeak(data[0] ?? 0), WaterLeak_2: waterLeak(data[1] ?? 0) }),
}

export const R311W: Codec = {
  model: 'netvox/r311w',
  description: 'Netvox R311W water leak sensor: two probes (Leak/NoLeak), battery',
  decodeUplink: (input) => decodeNetvoxUplink(MODEL, input),
}
