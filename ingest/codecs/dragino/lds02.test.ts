import { describe, expect, it } from 'vitest'
import type { UplinkInput, UplinkOutput } from '../types.ts'
import { decodeLds02Uplink } from './lds02.ts'

describe('decodeLds02Uplink', () => {
  const cases: { name: string; input: UplinkInput; expected: UplinkOutput }[] = [
    {
      name: 'a full frame: door open, alarm raised',
      input: { fPort: 10, bytes: [0x8b, 0x88, 0x01, 0x00, 0x00, 0x25, 0x00, 0x00, 0x0f, 0x01] },
      expected: { data: { DOOR_OPEN_STATUS: 1, BAT_V: 2.952, MOD: 1, DOOR_OPEN_TIMES: 37, LAST_DOOR_OPEN_DURATION: 15, ALARM: 1 } },
    },
    {
      name: 'a frame cut after the mode byte reads the rest as 0',
      input: { fPort: 10, bytes: [0x0b, 0x88, 0x01] },
      expected: { data: { DOOR_OPEN_STATUS: 0, BAT_V: 2.952, MOD: 1, DOOR_OPEN_TIMES: 0, LAST_DOOR_OPEN_DURATION: 0, ALARM: 0 } },
    },
    { name: 'refuses a frame without the mode byte', input: { fPort: 10, bytes: [0x0b, 0x88] }, expected: { errors: ['payload too short: 2 bytes, expected 10'] } },
    { name: 'refuses an unknown FPort', input: { fPort: 2, bytes: [0x0b, 0x88, 0x01] }, expected: { errors: ['unknown FPort'] } },
  ]
  it.each(cases)('$name', ({ input, expected }) => {
    expect(decodeLds02Uplink(input)).toEqual(expected)
  })
})
