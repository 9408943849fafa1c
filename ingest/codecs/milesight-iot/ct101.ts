import { type ChannelRecord } from './frame.ts'
import { int16, uint16, uint32, uint8 } from './little-endian.ts'
import { milesightCodec } from './codec.ts'

/** The device's marker for a reading it failed to take; the value is dropped and a warning given. */
const COLLECTION_FAILED = 0xffff
const TEMPERATURE_OVER_RANGE = 0xfffd

/** Charge since the counter last wrapped, Ah, uint32 in hundredths. */
const totalCurrent: ChannelRecord = {
  channel: 0x03,
  type: 0x97,
  size: 4,
  read: (value) => ({ data: { total_current: uint32(value) / 100 } }),
}

/** Present current, A, uint16 in hundredths. */
const current: ChannelRecord = {
  channel: 0x04,
  type: 0x98,
  size: 2,
  read: (value) => {
    if (uint16(value) === COLLECTION_FAILED) return { data: {}, warnings: ['current: collection failed'] }
    return { data: { current: uint16(value) / 100 } }
  },
}

/** Cable temperature, °C, int16 in tenths; two raw values are markers, not temperatures. */
const temperature: ChannelRecord = {
  channel: 0x09,
  type: 0x67,
  size: 2,
  read: (value) => {
    if (uint16(value) === COLLECTION_FAILED) return { data: {}, warnings: ['temperature: collection failed'] }
    if (uint16(value) === TEMPERATURE_OVER_RANGE) return { data: {}, warnings: ['temperature: over range'] }
    return { data: { temperature: int16(value) / 10 } }
  },
}

/**
 * A threshold or over-range alarm: max, min and latest current (A, uint16 in hundredths) since the
 * last report, then one byte of flags, bit 0 threshold alarm, bit 1 its release, bit 2 over-range
 * alarm, bit 3 its release.
 */
const currentAlarm: ChannelRecord = {
  channel: 0x84,
  type: 0x98,
  size: 7,
  read: (value) => {
    const flags = uint8(value, 6)
    return {
      data: {
        current_max: uint16(value, 0) / 100,
        current_min: uint16(value, 2) / 100,
        current: uint16(value, 4) / 100,
        current_alarm: {
          current_threshold_alarm: flag(flags, 0),
          current_threshold_alarm_release: flag(flags, 1),
          current_over_range_alarm: flag(flags, 2),
          current_over_range_alarm_release: flag(flags, 3),
        },
      },
    }
  },
}

function flag(flags: number, bit: number): 'yes' | 'no' {
  return (flags >> bit) & 1 ? 'yes' : 'no'
}

export const ct101 = milesightCodec('ct101', 'Milesight CT101 current transformer: current, total charge, alarms, cable temperature', [
  totalCurrent,
  current,
  temperature,
  currentAlarm,
])
