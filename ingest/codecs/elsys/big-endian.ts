/**
 * Big-endian integer readers for Elsys values (Elsys sends every multi-byte value most
 * significant byte first). Callers check the length first, so `?? 0` only satisfies
 * noUncheckedIndexedAccess.
 */

/** Built with multiplication, not shifts, so 32-bit counters of 2^31 and above stay positive. */
export function uintBE(bytes: readonly number[], at: number, length: number): number {
  let value = 0
  for (let i = 0; i < length; i++) value = value * 0x100 + (bytes[at + i] ?? 0)
  return value
}

export function intBE(bytes: readonly number[], at: number, length: number): number {
  const raw = uintBE(bytes, at, length)
  const range = 2 ** (8 * length)
  return raw >= range / 2 ? raw - range : raw
}
