import { type ChannelRecord } from './frame.ts'
import { uint8 } from './little-endian.ts'
import { milesightCodec } from './codec.ts'
import { battery, humidity, pressure, stateReading, temperature, uint16Reading } from './records.ts'

/** Light level as one of six bands (0 darkest … 5 brightest); the AM307 has no lux sensor. */
const lightLevel: ChannelRecord = {
  channel: 0x06,
  type: 0xcb,
  size: 1,
  read: (value) => ({ data: { light_level: uint8(value) } }),
}

/**
 * The AM307 reports PIR as a state (0x05 0x00) and light as a level band (0x06 0xcb). The older
 * AM100-series PIR activity count (0x05 0x6a) and illuminance triple (0x06 0x65) are not AM307
 * records; the device repository's example 1 ends in a 0x05 0x6a record and expects it dropped.
 */
export const am307 = milesightCodec(
  'am307',
  'Milesight AM307 indoor ambience: temperature, humidity, PIR, light level, CO2, TVOC, pressure, battery',
  [
    battery,
    temperature(0x03),
    humidity(0x04),
    stateReading(0x05, 'pir', ['idle', 'trigger']),
    lightLevel,
    uint16Reading(0x07, 'co2'),
    uint16Reading(0x08, 'tvoc'),
    pressure(0x09),
  ],
)
