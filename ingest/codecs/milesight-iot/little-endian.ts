/**
 * Little-endian integer readers for Milesight record values (Milesight sends every multi-byte
 * value least significant byte first). The frame reader hands each record exactly the bytes it
 * declared, so a missing byte cannot happen; `?? 0` only satisfies noUncheckedIndexedAccess.
 */

export function uint8(value: readonly number[], at = 0): number {
  return value[at] ?? 0
}

export function uint16(value: readonly number[], at = 0): number {
  return uint8(value, at) + uint8(value, at + 1) * 0x100
}

export function int16(value: readonly number[], at = 0): number {
  const raw = uint16(value, at)
  return raw >= 0x8000 ? raw - 0x10000 : raw
}

/** Built with multiplication, not shifts, so values of 2^31 and above stay positive. */
export function uint32(value: readonly number[], at = 0): number {
  return uint16(value, at) + uint16(value, at + 2) * 0x10000
}
