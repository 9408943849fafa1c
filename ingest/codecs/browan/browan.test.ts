import { describe, expect, it } from 'vitest'
import type { UplinkOutput } from '../types.ts'
import { BROWAN_CODECS } from './index.ts'
import { TBDW100 } from './tbdw100.ts'
import { TBHH100 } from './tbhh100.ts'
import { TBHV110 } from './tbhv110.ts'
import { TBWL100 } from './tbwl100.ts'

describe('Browan Tabs decoders beyond the device repository examples', () => {
  const cases: { name: string; decode: () => UplinkOutput; expected: UplinkOutput }[] = [
    {
      name: 'TBDW100 open door, lowest battery, coldest board, large count',
      decode: () => TBDW100.decodeUplink({ fPort: 100, bytes: [0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff] }),
      expected: { data: { status: 1, battery: 2.5, temperatureBoard: -32, time: 65535, count: 16777215 } },
    },
    {
      name: 'TBDW100 refuses a truncated frame',
      decode: () => TBDW100.decodeUplink({ fPort: 100, bytes: [0x01, 0xcb, 0x35, 0x00, 0x00, 0x8a, 0x3a] }),
      expected: { errors: ['payload too short: 7 bytes, expected at least 8'] },
    },
    {
      name: 'TBHH100 ignores reserved bit 7 of temperature and humidity',
      decode: () => TBHH100.decodeUplink({ fPort: 103, bytes: [0x00, 0x0b, 0xb5, 0xa2] }),
      expected: { data: { status: 0, battery: 3.6, temperature: 21, humidity: 34 } },
    },
    {
      name: 'TBHV110 temperature-changed flag is bit 4',
      decode: () => TBHV110.decodeUplink({ fPort: 103, bytes: [0x11, 0x0b, 0x35, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x36] }),
      expected: {
        data: { status: 1, tempHumidChanged: 1, iaqChanged: 0, battery: 3.6, temperatureBoard: 21, humidity: 30, eco2: 0, voc: 0, iaq: 0, temperature: 22 },
      },
    },
    {
      name: 'TBWL100 dry, temperature and humidity changed',
      decode: () => TBWL100.decodeUplink({ fPort: 106, bytes: [0x60, 0x0b, 0x36, 0x28, 0x36] }),
      expected: { data: { status: 0, temperatureChanged: 1, humidityChanged: 1, battery: 3.6, temperatureBoard: 22, humidity: 40, temperature: 22 } },
    },
    {
      name: 'TBWL100 refuses another FPort',
      decode: () => TBWL100.decodeUplink({ fPort: 100, bytes: [0x11, 0x0b, 0x36, 0x28, 0x36] }),
      expected: { errors: ['unknown FPort'] },
    },
  ]
  it.each(cases)('$name', ({ decode, expected }) => {
    expect(decode()).toEqual(expected)
  })

  it.each(BROWAN_CODECS.map((c) => ({ model: c.model, codec: c })))('$model never throws on empty or short input', ({ codec }) => {
    for (const fPort of [0, 100, 102, 103, 106, 147, 255]) {
      for (let length = 0; length < 12; length++) {
        const out = codec.decodeUplink({ fPort, bytes: Array.from({ length }, (_, i) => (i * 37 + fPort) & 0xff) })
        expect(out.data !== undefined || (out.errors?.length ?? 0) > 0).toBe(true)
      }
    }
  })
})
