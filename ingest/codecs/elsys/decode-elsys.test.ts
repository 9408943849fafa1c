import { describe, expect, it } from 'vitest'
import type { UplinkOutput } from '../types.ts'
import { decodeElsysUplink } from './decode-elsys.ts'

describe('decodeElsysUplink', () => {
  const cases: { name: string; bytes: number[]; expected: UplinkOutput }[] = [
    { name: 'negative temperature', bytes: [0x01, 0xff, 0x38], expected: { data: { temperature: -20 } } },
    { name: 'negative accelerometer axes', bytes: [0x03, 0xff, 0x80, 0x7f], expected: { data: { x: -1, y: -128, z: 127 } } },
    { name: 'absolute pulse count of 2^31 and above stays positive', bytes: [0x0b, 0xff, 0xff, 0xff, 0xff], expected: { data: { pulseAbs: 4294967295 } } },
    { name: 'battery, occupancy and water leak', bytes: [0x07, 0x0e, 0x10, 0x11, 0x02, 0x12, 0x00], expected: { data: { vdd: 3600, occupancy: 2, waterleak: 0 } } },
    {
      name: 'keeps what precedes an unknown type, with a warning',
      bytes: [0x01, 0x00, 0xe2, 0x7f, 0x01, 0x02],
      expected: { data: { temperature: 22.6 }, warnings: ['unknown value type 0x7f at byte 3'] },
    },
    {
      name: 'keeps what precedes a value cut short, with a warning',
      bytes: [0x02, 0x29, 0x06, 0x03],
      expected: { data: { humidity: 41 }, warnings: ['value type 0x06 at byte 2 needs 2 bytes, 1 left'] },
    },
    { name: 'an unknown first type is an error', bytes: [0xff, 0x00], expected: { errors: ['unknown value type 0xff at byte 0'] } },
    { name: 'a first value cut short is an error', bytes: [0x01, 0x00], expected: { errors: ['value type 0x01 at byte 0 needs 2 bytes, 1 left'] } },
    { name: 'an empty payload is an error', bytes: [], expected: { errors: ['empty payload'] } },
  ]
  it.each(cases)('$name', ({ bytes, expected }) => {
    expect(decodeElsysUplink({ fPort: 5, bytes })).toEqual(expected)
  })
})
