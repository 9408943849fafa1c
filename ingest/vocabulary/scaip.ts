/**
 * SCAIP (CLC/TS 50134-9) code lists → canonical events. Codes and meanings from
 * docs/domain.md A3 (`caruhome/scaip-gateway: scaip_gateway/spec.py`); the alarm device
 * mapping follows B0.
 *
 * A status code with `event: null` is known and accepted but raises no event (its code is kept
 * with the record). An alarm code (0009 automatic, 0010 manual) takes its event from the device
 * type `dty`; without a `dty` it takes `event` (B0: the automatic alarm of a fall detector, the
 * manual alarm of a personal trigger), so an alarm is never lost for want of a device type. With a
 * `dty` that has no alarm event it becomes `alarm.unclassified`.
 */
import type { EventType } from '../../lib/event-types.ts'

export interface ScaipStatusCode {
  meaning: string
  event: EventType | null
  /** 0009/0010: the event comes from the device type (`SCAIP_DEVICE_TYPES`). */
  alarm?: true
}

export const SCAIP_STATUS_CODES: Readonly<Record<string, ScaipStatusCode>> = {
  '0009': { meaning: 'automatic alarm', event: 'fall.detected', alarm: true },
  '0010': { meaning: 'manual alarm', event: 'pendant.pressed', alarm: true },
  '0014': { meaning: 'battery failure', event: 'battery.failed' },
  '0015': { meaning: 'battery OK', event: 'battery.ok' },
  '0016': { meaning: 'battery low', event: 'battery.low' },
  '0022': { meaning: 'closed too long', event: null },
  '0023': { meaning: 'IP connection failure', event: 'link.lost' },
  '0024': { meaning: 'mobile network failure', event: 'link.lost' },
  '0025': { meaning: 'POTS (analogue line) failure', event: 'link.lost' },
  '0026': { meaning: 'primary link failure', event: 'link.lost' },
  '0027': { meaning: 'redundant link failure', event: 'link.lost' },
  '0065': { meaning: 'maintenance needed', event: 'device.fault' },
  '0066': { meaning: 'urgent maintenance needed', event: 'device.fault' },
  '0067': { meaning: 'malfunction', event: 'device.fault' },
  '0070': { meaning: 'normal state', event: null },
  '0077': { meaning: 'open too long', event: null },
  '0081': { meaning: 'pill not taken', event: 'pill.missed' },
  '0082': { meaning: 'pill reminder', event: null },
  '0083': { meaning: 'pill taken', event: 'pill.taken' },
  '0085': { meaning: 'power failure', event: 'mains.lost' },
  '0086': { meaning: 'power restored', event: 'mains.restored' },
  '0092': { meaning: 'automatic reset', event: null },
  '0093': { meaning: 'manual reset', event: null },
  '0094': { meaning: 'restoral', event: null },
  '0100': { meaning: 'temperature high', event: 'temperature.high' },
  '0101': { meaning: 'temperature low', event: 'temperature.low' },
  '0102': { meaning: 'test transmission, primary path', event: 'status.heartbeat' },
  '0103': { meaning: 'test transmission, redundant path', event: 'status.heartbeat' },
  '0104': { meaning: 'time out', event: null },
  '0110': { meaning: 'assistance', event: null },
  '0111': { meaning: 'intervention complete', event: null },
  '0112': { meaning: 'IP connection re-established', event: 'link.restored' },
  '0113': { meaning: 'mobile network re-established', event: 'link.restored' },
  '0114': { meaning: 'POTS re-established', event: 'link.restored' },
  '0115': { meaning: 'primary link re-established', event: 'link.restored' },
  '0116': { meaning: 'redundant link re-established', event: 'link.restored' },
  '0117': { meaning: 'lying in bed', event: null },
  '0119': { meaning: 'movement', event: 'motion.detected' },
  '0120': { meaning: 'occupancy', event: null },
  '0123': { meaning: 'radio test transmission missing', event: 'radio.supervision_lost' },
  '0124': { meaning: 'radio test transmission re-established', event: 'radio.supervision_restored' },
  '0125': { meaning: 'tamper alarm', event: 'tamper.detected' },
  '0126': { meaning: 'temperature rate-of-rise', event: 'temperature.rate_of_rise' },
}

export interface ScaipDeviceType {
  meaning: string
  /** The event of an alarm (stc 0009/0010) from this device type; null: `alarm.unclassified`. */
  alarmEvent: EventType | null
}

export const SCAIP_DEVICE_TYPES: Readonly<Record<string, ScaipDeviceType>> = {
  '0003': { meaning: 'personal trigger', alarmEvent: 'pendant.pressed' },
  '0004': { meaning: 'fixed trigger (pull-cord)', alarmEvent: 'pullcord.pulled' },
  '0005': { meaning: 'fall detector', alarmEvent: 'fall.detected' },
  '0006': { meaning: 'personal attack', alarmEvent: 'panic.pressed' },
  '0007': { meaning: 'panic button', alarmEvent: 'panic.pressed' },
  '0010': { meaning: 'activity detector', alarmEvent: null },
  '0011': { meaning: 'pill dispenser', alarmEvent: null },
  '0012': { meaning: 'bed monitor', alarmEvent: 'bed.exited' },
  '0013': { meaning: 'mat sensor', alarmEvent: null },
  '0014': { meaning: 'door sensor', alarmEvent: 'door.opened' },
  '0015': { meaning: 'wandering sensor', alarmEvent: 'door.opened' },
  '0016': { meaning: 'enuresis', alarmEvent: null },
  '0017': { meaning: 'epilepsy', alarmEvent: 'epilepsy.detected' },
  '0018': { meaning: 'occupancy', alarmEvent: null },
  '0019': { meaning: 'heart-rate', alarmEvent: null },
  '0020': { meaning: 'environmental monitor', alarmEvent: null },
  '0021': { meaning: 'gas', alarmEvent: 'gas.detected' },
  '0022': { meaning: 'lighting-circuit monitor', alarmEvent: null },
  '0023': { meaning: 'smoke', alarmEvent: 'smoke.detected' },
  '0024': { meaning: 'heating-system monitor', alarmEvent: null },
  '0025': { meaning: 'heat', alarmEvent: 'heat.detected' },
  '0026': { meaning: 'carbon monoxide', alarmEvent: 'co.detected' },
  '0027': { meaning: 'bogus-caller switch', alarmEvent: 'panic.pressed' },
  '0028': { meaning: 'intruder', alarmEvent: null },
  '0029': { meaning: 'boundary', alarmEvent: 'door.opened' },
  '0030': { meaning: 'automatic man-down', alarmEvent: 'fall.detected' },
  '0031': { meaning: 'system monitor', alarmEvent: null },
  '0032': { meaning: 'comms-link monitor', alarmEvent: null },
  '0033': { meaning: 'flood', alarmEvent: 'flood.detected' },
  '0034': { meaning: 'bath sensor', alarmEvent: 'flood.detected' },
  '0038': { meaning: 'tamper', alarmEvent: 'tamper.detected' },
  '0040': { meaning: 'router', alarmEvent: null },
  '0041': { meaning: 'power supply', alarmEvent: null },
  '0044': { meaning: 'chair monitor', alarmEvent: 'chair.exited' },
  '0046': { meaning: 'elevator (lift) alarm unit', alarmEvent: null },
  '0047': { meaning: 'fire alarm system', alarmEvent: 'smoke.detected' },
  '0048': { meaning: 'local unit (its own alarm button)', alarmEvent: 'pendant.pressed' },
  '0051': { meaning: 'tracking device', alarmEvent: null },
}

/** SCAIP message types (`mty`); `PI` is the heartbeat (A5). */
export const SCAIP_MESSAGE_TYPES: Readonly<Record<string, { meaning: string; event: EventType | null }>> = {
  ME: { meaning: 'message', event: null },
  RE: { meaning: 'reset', event: null },
  IN: { meaning: 'information', event: null },
  PI: { meaning: 'heartbeat (ping)', event: 'status.heartbeat' },
}

/**
 * The event for a status code, or undefined when the code is not in the table (the caller
 * rejects it). null: known, no event.
 */
export function scaipStatusEvent(stc: string, dty?: string): EventType | null | undefined {
  if (!Object.hasOwn(SCAIP_STATUS_CODES, stc)) return undefined
  const code = SCAIP_STATUS_CODES[stc] as ScaipStatusCode
  if (code.alarm !== true || dty === undefined) return code.event
  const device = Object.hasOwn(SCAIP_DEVICE_TYPES, dty) ? SCAIP_DEVICE_TYPES[dty] : undefined
  return device?.alarmEvent ?? 'alarm.unclassified'
}
