import type { Codec } from '../types.ts'
import { decodeElsysUplink } from './decode-elsys.ts'

/** The door contact is reported as pulse counts: `pulse1` since the last report, `pulseAbs` in total. */
export const EMS_DOOR: Codec = {
  model: 'elsys/ems-door',
  description: 'Elsys EMS Door: door contact opening counts (pulse1, pulseAbs), accelerometer',
  decodeUplink: decodeElsysUplink,
}
