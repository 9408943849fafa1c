/**
 * The Elsys payload's value types (Elsys "LoRaWAN payload" specification): each value is one type
 * byte followed by a value whose length the type fixes. There is no length byte, so an unknown
 * type ends decoding: the reader cannot know where the next value starts.
 */
import { intBE, uintBE } from './big-endian.ts'

export interface TlvType {
  /** Bytes of value after the type byte. */
  length: number
  /** Fields this value adds to `data`, from the value bytes alone. */
  decode(value: readonly number[]): Record<string, number>
}

const tenths = (value: readonly number[], at: number): number => intBE(value, at, 2) / 10

export const TLV_TYPES: ReadonlyMap<number, TlvType> = new Map<number, TlvType>([
  [0x01, { length: 2, decode: (v) => ({ temperature: tenths(v, 0) }) }],
  [0x02, { length: 1, decode: (v) => ({ humidity: uintBE(v, 0, 1) }) }],
  [0x03, { length: 3, decode: (v) => ({ x: intBE(v, 0, 1), y: intBE(v, 1, 1), z: intBE(v, 2, 1) }) }],
  [0x04, { length: 2, decode: (v) => ({ light: uintBE(v, 0, 2) }) }],
  [0x05, { length: 1, decode: (v) => ({ motion: uintBE(v, 0, 1) }) }],
  [0x06, { length: 2, decode: (v) => ({ co2: uintBE(v, 0, 2) }) }],
  [0x07, { length: 2, decode: (v) => ({ vdd: uintBE(v, 0, 2) }) }],
  [0x08, { length: 2, decode: (v) => ({ analog1: uintBE(v, 0, 2) }) }],
  [0x09, { length: 6, decode: (v) => ({ lat: intBE(v, 0, 3) / 10000, long: intBE(v, 3, 3) / 10000 }) }],
  [0x0a, { length: 2, decode: (v) => ({ pulse1: uintBE(v, 0, 2) }) }],
  [0x0b, { length: 4, decode: (v) => ({ pulseAbs: uintBE(v, 0, 4) }) }],
  [0x0c, { length: 2, decode: (v) => ({ externalTemperature: tenths(v, 0) }) }],
  [0x0d, { length: 1, decode: (v) => ({ digital: uintBE(v, 0, 1) }) }],
  [0x0e, { length: 2, decode: (v) => ({ distance: uintBE(v, 0, 2) }) }],
  [0x0f, { length: 1, decode: (v) => ({ accMotion: uintBE(v, 0, 1) }) }],
  [0x10, { length: 4, decode: (v) => ({ irInternalTemperature: tenths(v, 0), irExternalTemperature: tenths(v, 2) }) }],
  [0x11, { length: 1, decode: (v) => ({ occupancy: uintBE(v, 0, 1) }) }],
  [0x12, { length: 1, decode: (v) => ({ waterleak: uintBE(v, 0, 1) }) }],
  [0x14, { length: 4, decode: (v) => ({ pressure: uintBE(v, 0, 4) / 1000 }) }],
  [0x15, { length: 2, decode: (v) => ({ soundPeak: uintBE(v, 0, 1), soundAvg: uintBE(v, 1, 1) }) }],
  [0x16, { length: 2, decode: (v) => ({ pulse2: uintBE(v, 0, 2) }) }],
  [0x17, { length: 4, decode: (v) => ({ pulseAbs2: uintBE(v, 0, 4) }) }],
  [0x18, { length: 2, decode: (v) => ({ analog2: uintBE(v, 0, 2) }) }],
  [0x19, { length: 2, decode: (v) => ({ externalTemperature2: tenths(v, 0) }) }],
  [0x1a, { length: 1, decode: (v) => ({ digital2: uintBE(v, 0, 1) }) }],
  [0x1b, { length: 4, decode: (v) => ({ analogUv: intBE(v, 0, 4) }) }],
  [0x1c, { length: 2, decode: (v) => ({ tvoc: uintBE(v, 0, 2) }) }],
])
