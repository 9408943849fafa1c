/**
 * Field encodings shared by the Browan Tabs sensors (TBDW100, TBMS100, TBHH100, TBHV110, TBWL100,
 * TBPB100), as given in each device's reference manual: a status byte of flag bits, a battery
 * nibble, temperatures offset by 32 °C in 7 bits, and little-endian multi-byte counters.
 */

/** Bit `bit` of `byte` as 0 or 1: the devices' flags are reported as numbers, not booleans. */
export function flag(byte: number, bit: number): number {
  return (byte >> bit) & 1
}

/** Battery bits 3..0 hold ν; voltage = (25 + ν) ÷ 10, so 2.5 V to 4.0 V in 0.1 V steps. */
export function batteryVolts(byte: number): number {
  return (25 + (byte & 0x0f)) / 10
}

/** Bits 6..0 hold τ; °C = τ − 32, covering −32 °C to 95 °C in whole degrees. Bit 7 is reserved. */
export function temperatureCelsius(byte: number): number {
  return (byte & 0x7f) - 32
}

/** Bits 6..0 hold relative humidity in whole percent (127 means a measurement error). */
export function humidityPercent(byte: number): number {
  return byte & 0x7f
}

/** Unsigned little-endian integer of `length` bytes from `at`, e.g. the 16-bit time and 24-bit count. */
export function uintLE(bytes: readonly number[], at: number, length: number): number {
  let value = 0
  for (let i = length - 1; i >= 0; i--) value = value * 0x100 + (bytes[at + i] ?? 0)
  return value
}
