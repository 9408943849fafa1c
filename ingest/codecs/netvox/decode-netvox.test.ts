import { describe, expect, it } from 'vitest'
import type { UplinkInput, UplinkOutput } from '../types.ts'
import { NETVOX_CODECS } from './index.ts'
import { R311W } from './r311w.ts'
import { R718AB } from './r718ab.ts'
import { R718CE } from './r718ce.ts'

describe('Netvox decoders beyond the device repository examples', () => {
  const cases: { name: string; decode: (input: UplinkInput) => UplinkOutput; input: UplinkInput; expected: UplinkOutput }[] = [
    {
      name: 'R718AB negative temperature and the low-battery flag',
      decode: R718AB.decodeUplink,
      input: { fPort: 6, bytes: [0x01, 0x13, 0x01, 0x9f, 0xff, 0x39, 0x1a, 0x9e, 0x00, 0x00, 0x00] },
      expected: { data: { Device: 'R718AB', Volt: 3.1, LowBattery: true, Temp: -1.99, Humi: 68.14 } },
    },
    {
      name: 'R718CE negative probe temperature',
      decode: R718CE.decodeUplink,
      input: { fPort: 6, bytes: [0x01, 0x94, 0x01, 0x36, 0xff, 0xec, 0x00, 0x00, 0x00, 0x00, 0x00] },
      expected: { data: { Device: 'R718CE', Volt: 3.6, Temp: -20 } },
    },
    {
      name: 'configuration failure status',
      decode: R311W.decodeUplink,
      input: { fPort: 7, bytes: [0x81, 0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00] },
      expected: { data: { Cmd: 'ConfigReportRsp', Device: 'R311W', Status: 'Failure' } },
    },
    {
      name: 'refuses another device type',
      decode: R311W.decodeUplink,
      input: { fPort: 6, bytes: [0x01, 0x32, 0x01, 0x1e, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00] },
      expected: { errors: ['device type 0x32 is not a R311W (0x06)'] },
    },
    {
      name: 'refuses a truncated frame',
      decode: R311W.decodeUplink,
      input: { fPort: 6, bytes: [0x01, 0x06, 0x01, 0x1e] },
      expected: { errors: ['payload too short: 4 bytes, expected 11'] },
    },
    {
      name: 'refuses an unknown report type',
      decode: R311W.decodeUplink,
      input: { fPort: 6, bytes: [0x01, 0x06, 0x05, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00] },
      expected: { errors: ['unknown report type 0x05'] },
    },
    {
      name: 'refuses a command another model answers',
      decode: R311W.decodeUplink,
      input: { fPort: 7, bytes: [0x84, 0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00] },
      expected: { errors: ['unknown command 0x84'] },
    },
    {
      name: 'refuses an unknown FPort',
      decode: R718AB.decodeUplink,
      input: { fPort: 42, bytes: [0x01] },
      expected: { errors: ['unknown FPort'] },
    },
  ]
  it.each(cases)('$name', ({ decode, input, expected }) => {
    expect(decode(input)).toEqual(expected)
  })

  it.each(NETVOX_CODECS.map((c) => ({ model: c.model, codec: c })))('$model never throws on empty or short input', ({ codec }) => {
    for (const fPort of [0, 6, 7, 255]) {
      for (let length = 0; length < 13; length++) {
        const out = codec.decodeUplink({ fPort, bytes: Array.from({ length }, (_, i) => (i * 53 + fPort) & 0xff) })
        expect(out.data !== undefined || (out.errors?.length ?? 0) > 0).toBe(true)
      }
    }
  })
})
