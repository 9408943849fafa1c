/**
 * Browan TBMS100 PIR motion sensor, FPort 102, 8 bytes: status (bit 0: 1 occupied, 0 free),
 * battery, PCB temperature, minutes since the last event (uint16 LE), event count (uint24 LE).
 */
import type { Codec } from '../types.ts'
import { decodeBrowanFrame, statusCounterFrame } from './frame.ts'

const FRAME = statusCounterFrame(102)

export const TBMS100: Codec = {
  model: 'browan/tbms100',
  description: 'Browan TBMS100 PIR motion sensor: occupied/free, minutes since last event, event count, battery, board temperature',
  decodeUplink: (input) => decodeBrowanFrame(FRAME, input),
}
