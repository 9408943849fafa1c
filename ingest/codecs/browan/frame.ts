/**
 * The frame check every Browan Tabs decoder starts with: each model reports on one fixed FPort
 * with a fixed minimum length, so anything else is refused with an `errors` output instead of
 * being decoded into nonsense (the device repository's own decoders answer `unknown FPort`).
 */
import type { UplinkInput, UplinkOutput } from '../types.ts'

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
