/**
 * Browan TBDW100 door/window sensor, FPort 100, 8 bytes: status (bit 0: 1 open, 0 closed),
 * battery, PCB temperature, minutes since the last event (uint16 LE), event count (uint24 LE).
 */
import type { Codec } from '../types.ts'
import { decodeBrowanFrame, statusCounterFrame } from './frame.ts'

const FRAME = statusCounterFrame(100)

export const TBDW100: Codec = {
  model: 'browan/tbdw100',
  description: 'Browan TBDW100 door/window contact: open/closed, minutes since last event, event count, battery, board temperature',
  decodeUplink: (input) => decodeBrowanFrame(FRAME, input),
}
