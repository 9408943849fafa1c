/** Netvox R718WA water leak sensor, device type 0x32. Status report: battery, then the probe state byte. */
import type { Codec } from '../types.ts'
import { decodeNetvoxUplink } from './decode-netvox.ts'
import { batteryTenthsVolts } from './fields.ts'
import type { NetvoxModel } from './model.ts'
import { waterLeak } from './water-leak.ts'

const MODEL: NetvoxModel = {
  deviceType: 0x32,
  name: 'R718WA',
  volts: batteryTenthsVolts,
  readings: (data) => ({ WaterLeak: waterLeak(data[0] ?? 0) }),
}

export const R718WA: Codec = {
  model: 'netvox/r718wa',
  description: 'Netvox R718WA water leak sensor: leak probe (Leak/NoLeak), battery',
  decodeUplink: (input) => decodeNetvoxUplink(MODEL, input),
}
