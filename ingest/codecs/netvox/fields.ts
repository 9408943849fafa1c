/**
 * Field encodings of the Netvox LoRaWAN application command set (Netvox user manuals): multi-byte
 * values are big-endian, the battery byte is 0.1 V steps in bits 6..0 with bit 7 set for low
 * battery, and report-change thresholds use the same units as the readings they guard.
 */

export function uintBE(bytes: readonly number[], at: number, length: number): number {
  let value = 0
  for (let i = 0; i < length; i++) value = value * 0x100 + (bytes[at + i] ?? 0)
  return value
}

export function int16BE(bytes: readonly number[], at: number): number {
  const raw = uintBE(bytes, at, 2)
  return raw >= 0x8000 ? raw - 0x10000 : raw
}

/** Bit 7 of the battery byte flags low battery; it is not part of the voltage. */
export function isLowBattery(byte: number): boolean {
  return (byte & 0x80) !== 0
}

/** Battery bits 6..0 in 0.1 V, e.g. 0x24 → 3.6 V. */
export function batteryTenthsVolts(byte: number): number {
  return (byte & 0x7f) / 10
}

/**
 * The R718CE reports its battery as two decimal digits, volts then tenths (0x32 → 3.2 V, as the
 * device repository's example decodes it), not as a count of 0.1 V like the other models.
 */
export function batteryDigitVolts(byte: number): number {
  return (((byte >> 4) & 0x07) * 10 + (byte & 0x0f)) / 10
}

/** Firmware date as printed in the version report: each byte's two hex digits, e.g. 20 19 11 12 → "20191112". */
export function dateCode(bytes: readonly number[], at: number): string {
  return [0, 1, 2, 3].map((i) => (bytes[at + i] ?? 0).toString(16).padStart(2, '0')).join('')
}

/** Status byte of a configuration response: 0x00 is success. */
export function responseStatus(status: number): string {
  return status === 0 ? 'Success' : 'Failure'
}

export const hex = (byte: number): string => `0x${byte.toString(16).padStart(2, '0')}`
