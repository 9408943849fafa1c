import { describe, expect, it } from 'vitest'
import type { UplinkOutput } from '../types.ts'
import { frameDecoder } from './frame.ts'
import { battery, humidity, temperature } from './records.ts'

const decode = frameDecoder([battery, temperature(0x03), humidity(0x04)])

describe('frameDecoder', () => {
  const cases: { name: string; bytes: number[]; expected: UplinkOutput }[] = [
    { name: 'decodes consecutive records', bytes: [0x01, 0x75, 0x5c, 0x03, 0x67, 0x34, 0x01], expected: { data: { battery: 92, temperature: 30.8 } } },
    { name: 'reads a negative temperature', bytes: [0x03, 0x67, 0x9c, 0xff], expected: { data: { temperature: -10 } } },
    { name: 'a later record of the same kind wins', bytes: [0x01, 0x75, 0x10, 0x01, 0x75, 0x11], expected: { data: { battery: 17 } } },
    { name: 'reports an empty payload as an error', bytes: [], expected: { errors: ['empty payload'] } },
    {
      name: 'stops silently at an unknown record, keeping what came before',
      bytes: [0x01, 0x75, 0x5c, 0x05, 0x6a, 0x49, 0x00, 0x03, 0x67, 0x34, 0x01],
      expected: { data: { battery: 92 } },
    },
    {
      name: 'reports a frame starting with an unknown record as an error',
      bytes: [0x06, 0x65, 0x1c, 0x00],
      expected: { errors: ['unknown record 0x06 0x65 at byte 0'] },
    },
    {
      name: 'keeps what was decoded before a truncated value and warns',
      bytes: [0x01, 0x75, 0x5c, 0x03, 0x67, 0x34],
      expected: { data: { battery: 92 }, warnings: ['truncated frame: record 0x03 0x67 at byte 3 needs 2 value bytes, 1 left'] },
    },
    {
      name: 'keeps what was decoded before a lone trailing byte and warns',
      bytes: [0x01, 0x75, 0x5c, 0x04],
      expected: { data: { battery: 92 }, warnings: ['truncated frame: a lone byte 0x04 at byte 3'] },
    },
    {
      name: 'reports a frame truncated inside its first record as an error',
      bytes: [0x03, 0x67],
      expected: { errors: ['truncated frame: record 0x03 0x67 at byte 0 needs 2 value bytes, 0 left'] },
    },
    { name: 'reports a single byte as an error', bytes: [0x01], expected: { errors: ['truncated frame: a lone byte 0x01 at byte 0'] } },
  ]
  it.each(cases)('$name', ({ bytes, expected }) => {
    expect(decode(bytes)).toEqual(expected)
  })

  it('refuses a table with the same record twice', () => {
    expect(() => frameDecoder([battery, battery])).toThrow('duplicate Milesight record 0x01 0x75')
  })
})
