/**
 * The frame check every Browan Tabs decoder starts with: each model reports on one fixed FPort
 * with a fixed minimum length, so anything else is refused with an `errors` output instead of
 * being decoded into nonsense (the device repository's own decoders answer `unknown FPort`).
 */
import type { UplinkInput, UplinkOutput } from '../types.ts'
import { batteryVolts, flag, temperatureCelsius, uintLE } from './fields.ts'

export interface BrowanFrame {
  /** The only FPort the model sends its status report on. */
  fPort: number
  /** Bytes the status report needs; trailing bytes beyond it are reserved and ignored. */
  length: number
  decode(bytes: readonly number[]): Record<string, unknown>
}

export function decodeBrowanFrame(frame: BrowanFrame, input: UplinkInput): UplinkOutput {
  if (input.fPort !== frame.fPort) return { errors: ['unknown FPort'] }
  if (input.bytes.length < frame.length) {
    return { errors: [`payload too short: ${input.bytes.length} bytes, expected at least ${frame.length}`] }
  }
  return { data: frame.decode(input.bytes) }
}

/**
 * The 8-byte status-and-counter frame the door/window (TBDW100) and motion (TBMS100) sensors share:
 * status bit 0, battery, PCB temperature, minutes since the last event (uint16 LE), event count (uint24 LE).
 */
export function statusCounterFrame(fPort: number): BrowanFrame {
  return {
    fPort,
    length: 8,
    decode: (bytes) => ({
      status: flag(bytes[0] ?? 0, 0),
      battery: batteryVolts(bytes[1] ?? 0),
      temperatureBoard: temperatureCelsius(bytes[2] ?? 0),
      time: uintLE(bytes, 3, 2),
      count: uintLE(bytes, 5, 3),
    }),
  }
}
