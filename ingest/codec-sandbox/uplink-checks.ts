/**
 * Shape checks at the sandbox's two edges: what Lookout hands a codec (checked before it crosses
 * to the worker, so a caller's bug is not blamed on the codec) and what a codec hands back
 * (checked after the JSON round trip, so nothing but plain data leaves the sandbox).
 */
import type { UplinkInput, UplinkOutput } from '../codecs/types.ts'

/** Far above any LoRaWAN frame (at most 242 bytes of application payload); only a guard. */
export const MAX_UPLINK_BYTES = 1024

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string }

export function checkUplinkInput(input: unknown): Checked<UplinkInput> {
  if (input === null || typeof input !== 'object') return { ok: false, reason: 'the input must be an object { bytes, fPort }' }
  const { bytes, fPort } = input as Record<string, unknown>
  if (!Array.isArray(bytes)) return { ok: false, reason: 'bytes must be an array of integers 0-255' }
  if (bytes.length > MAX_UPLINK_BYTES) return { ok: false, reason: `bytes has ${bytes.length} elements, over the limit of ${MAX_UPLINK_BYTES}` }
  for (const b of bytes) {
    if (!Number.isInteger(b) || (b as number) < 0 || (b as number) > 255) return { ok: false, reason: 'bytes must be an array of integers 0-255' }
  }
  if (!Number.isInteger(fPort) || (fPort as number) < 0 || (fPort as number) > 255) return { ok: false, reason: 'fPort must be an integer 0-255' }
  return { ok: true, value: { bytes: bytes as number[], fPort: fPort as number } }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string')
}

/** The Things Network's contract: `data` (an object) or `errors` (strings), optional `warnings`; other keys are dropped. */
export function checkUplinkOutput(value: unknown): Checked<UplinkOutput> {
  if (!isPlainObject(value)) return { ok: false, reason: 'decodeUplink must return an object' }
  const output: UplinkOutput = {}
  if (value.data !== undefined) {
    if (!isPlainObject(value.data)) return { ok: false, reason: 'data must be an object' }
    output.data = value.data
  }
  if (value.errors !== undefined) {
    if (!isStringArray(value.errors)) return { ok: false, reason: 'errors must be an array of strings' }
    if (value.errors.length > 0) output.errors = value.errors
  }
  if (value.warnings !== undefined) {
    if (!isStringArray(value.warnings)) return { ok: false, reason: 'warnings must be an array of strings' }
    if (value.warnings.length > 0) output.warnings = value.warnings
  }
  if (output.data === undefined && output.errors === undefined) {
    return { ok: false, reason: 'decodeUplink returned neither data nor errors' }
  }
  return { ok: true, value: output }
}
