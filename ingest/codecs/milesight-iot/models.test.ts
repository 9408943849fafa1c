/**
 * Records the device repository examples do not cover, with bytes from Milesight's published
 * uplink tables (the CT10x periodic and basic-information examples) or built from them.
 */
import { describe, expect, it } from 'vitest'
import type { Codec, UplinkOutput } from '../types.ts'
import { am307 } from './am307.ts'
import { ct101 } from './ct101.ts'
import { em300Di } from './em300-di.ts'
import { MILESIGHT_CODECS } from './index.ts'
import { ws101 } from './ws101.ts'
import { ws202 } from './ws202.ts'
import { ws301 } from './ws301.ts'

const cases: { name: string; codec: Codec; bytes: number[]; expected: UplinkOutput }[] = [
  {
    name: 'ct101 periodic report: total charge, current, cable temperature',
    codec: ct101,
    bytes: [0x03, 0x97, 0x73, 0x02, 0x00, 0x00, 0x04, 0x98, 0x00, 0x19, 0x09, 0x67, 0x34, 0x01],
    expected: { data: { total_current: 6.27, current: 64, temperature: 30.8 } },
  },
  {
    name: 'ct101 current collection failure is dropped with a warning',
    codec: ct101,
    bytes: [0x04, 0x98, 0xff, 0xff, 0x09, 0x67, 0xfd, 0xff],
    expected: { data: {}, warnings: ['current: collection failed', 'temperature: over range'] },
  },
  {
    name: 'ct101 alarm release flags',
    codec: ct101,
    bytes: [0x84, 0x98, 0xb8, 0x0b, 0xd0, 0x07, 0xc4, 0x09, 0x0a],
    expected: {
      data: {
        current_max: 30,
        current_min: 20,
        current: 25,
        current_alarm: {
          current_threshold_alarm: 'no',
          current_threshold_alarm_release: 'yes',
          current_over_range_alarm: 'no',
          current_over_range_alarm_release: 'yes',
        },
      },
    },
  },
  {
    name: 'basic information after joining',
    codec: ct101,
    bytes: [
      0xff, 0x0b, 0xff, 0xff, 0x01, 0x01, 0xff, 0xff, 0x01, 0x01, 0xff, 0x16, 0x67, 0x46, 0xd4, 0x80, 0x16, 0x30, 0x00, 0x14, 0xff,
      0x09, 0x01, 0x40, 0xff, 0x0a, 0x01, 0x14, 0xff, 0x0f, 0x00,
    ],
    expected: {
      data: {
        device_status: 'on',
        protocol_version: 'v1',
        tsl_version: 'v1.1',
        sn: '6746d48016300014',
        hardware_version: 'v1.4',
        firmware_version: 'v1.14',
        lorawan_class: 'Class A',
      },
    },
  },
  { name: 'am307 PIR trigger and light level', codec: am307, bytes: [0x05, 0x00, 0x01, 0x06, 0xcb, 0x02], expected: { data: { pir: 'trigger', light_level: 2 } } },
  { name: 'em300-di digital input level', codec: em300Di, bytes: [0x05, 0x00, 0x01], expected: { data: { gpio: 'on' } } },
  {
    name: 'em300-di pulse count above 2^31 stays positive',
    codec: em300Di,
    bytes: [0x05, 0xc8, 0x00, 0x00, 0x00, 0x80],
    expected: { data: { pulse: 2147483648 } },
  },
  { name: 'ws101 long press with battery', codec: ws101, bytes: [0x01, 0x75, 0x64, 0xff, 0x2e, 0x02], expected: { data: { battery: 100, button: 'long' } } },
  { name: 'ws101 double press', codec: ws101, bytes: [0xff, 0x2e, 0x03], expected: { data: { button: 'double' } } },
  { name: 'ws101 undocumented press type', codec: ws101, bytes: [0xff, 0x2e, 0x07], expected: { data: { button: 'unknown' } } },
  { name: 'ws202 idle in daylight', codec: ws202, bytes: [0x03, 0x00, 0x00, 0x04, 0x00, 0x01], expected: { data: { pir: 'idle', light: 'light' } } },
  { name: 'ws301 closed and installed', codec: ws301, bytes: [0x03, 0x00, 0x00, 0x04, 0x00, 0x00], expected: { data: { door: 'closed', install: 'yes' } } },
]

describe('Milesight records beyond the device repository examples', () => {
  it.each(cases)('$name', ({ codec, bytes, expected }) => {
    expect(codec.decodeUplink({ bytes, fPort: 85 })).toEqual(expected)
  })
})

describe('MILESIGHT_CODECS', () => {
  it('has one codec per model, named milesight-iot/<model>', () => {
    const models = MILESIGHT_CODECS.map((c) => c.model)
    expect(new Set(models).size).toBe(models.length)
    for (const model of models) expect(model).toMatch(/^milesight-iot\/[a-z0-9-]+$/)
  })
})
