/**
 * Pack `device-health`: device and connection health for the TEC technical team, after
 * docs/domain.md B2 (H01-H11) with default priorities per B0 (device and link health: P2 or P3,
 * technical). Numbers marked [D] are Lookout's defaults.
 */
import { DEVICE_TYPES, type DeviceType } from '../../lib/device-types.ts'
import type { RuleDefinition } from '../definitions/schema.ts'

/** Devices that run on a battery (all but the mains-powered meter). */
const BATTERY_DEVICES: DeviceType[] = DEVICE_TYPES.filter((t) => t !== 'energy-meter')
/** Devices with a radio link that can be supervised or tampered with. */
const RADIO_DEVICES: DeviceType[] = DEVICE_TYPES.filter((t) => t !== 'hub' && t !== 'energy-meter')
/** LoRaWAN class-A building sensors (docs/domain.md A5: Netvox MaxTime 1800 s). */
const LORAWAN_SENSORS: DeviceType[] = ['environment-sensor', 'water-temperature-sensor', 'leak-sensor']

export const DEVICE_HEALTH_RULES: readonly RuleDefinition[] = [
  {
    id: 'H01',
    kind: 'absence',
    title: 'Heartbeat missing',
    description:
      'Nothing received for 3 × the expected 15-minute heartbeat (MISSING), a second alert at 6 × (CRITICAL); armed at registration, the next message restores. On a hub the alert is the hub-offline alert, shared with the devices behind it (docs/rules.md, inhibition). Source: docs/domain.md B2 H01 (Acticheck A5: heartbeat 15 min, warning at 45 min; [D] factors); P2.',
    priority: 'P2',
    appliesTo: { deviceTypes: ['hub'] },
    params: { expectedIntervalMinutes: 15, missingFactor: 3, criticalFactor: 6 },
  },
  {
    id: 'H02',
    kind: 'sequence',
    title: 'Mains power not restored',
    description: 'Mains lost and not restored within 4 hours [D] (backup battery ≈ 20 h); restored clears. Source: docs/domain.md B2 H02 (A4, A5; stc 0085/0086); P2.',
    priority: 'P2',
    appliesTo: { deviceTypes: ['hub'] },
    params: { first: ['mains.lost'], then: ['mains.restored'], withinMinutes: 240 },
  },
  {
    id: 'H03',
    kind: 'immediate',
    title: 'Battery low',
    description: 'The device reports a low battery: replace within 7 days [D]. Source: docs/domain.md B2 H03 (A3 stc 0016, A5); P3.',
    priority: 'P3',
    appliesTo: { deviceTypes: BATTERY_DEVICES },
    params: { eventTypes: ['battery.low'] },
  },
  {
    id: 'H03-failed',
    kind: 'immediate',
    title: 'Battery failed',
    description: 'The device reports a battery failure. Source: docs/domain.md B2 H03 (A3 stc 0014: "failure → P2").',
    priority: 'P2',
    appliesTo: { deviceTypes: BATTERY_DEVICES },
    params: { eventTypes: ['battery.failed'] },
  },
  {
    id: 'H03-level',
    kind: 'threshold',
    title: 'Battery below 20 %',
    description: 'Battery telemetry below 20 % → work order [D]; clears at 30 % (a new battery). Source: docs/domain.md B2 H03 (ChirpStack batteryLevel, codec battery %; "LoRa battery < 20 % → P3").',
    priority: 'P3',
    appliesTo: { deviceTypes: BATTERY_DEVICES },
    params: { metric: 'battery', below: 20, clearAt: 30 },
  },
  {
    id: 'H04',
    kind: 'immediate',
    title: 'Radio supervision lost',
    description: 'A pendant or sensor missed its radio test transmissions. Source: docs/domain.md B2 H04 (A3 stc 0123/0124); P2.',
    priority: 'P2',
    appliesTo: { deviceTypes: RADIO_DEVICES },
    params: { eventTypes: ['radio.supervision_lost'] },
  },
  {
    id: 'H05',
    kind: 'immediate',
    title: 'Communication path failure',
    description: 'The home unit lost a communication path (primary or secondary). Source: docs/domain.md B2 H05 (A3 stc 0023-0027/0112-0116); P2.',
    priority: 'P2',
    appliesTo: { deviceTypes: ['hub'] },
    params: { eventTypes: ['link.lost'] },
  },
  {
    id: 'H06',
    kind: 'immediate',
    title: 'Tamper',
    description: 'A device was opened or removed from its mount. Source: docs/domain.md B2 H06 (A3 stc 0125, dty 0038); P2.',
    priority: 'P2',
    appliesTo: { deviceTypes: [...DEVICE_TYPES] },
    params: { eventTypes: ['tamper.detected'] },
  },
  {
    id: 'H09',
    kind: 'absence',
    title: 'Sensor silent',
    description:
      'No uplink for 2 × MaxTime (MaxTime 30 min: 60 min) → MISSING; a second alert after 24 h → work order; the next uplink restores. Source: docs/domain.md B2 H09 (A5 Netvox config MinTime 900 s / MaxTime 1800 s; [D]); P3.',
    priority: 'P3',
    appliesTo: { deviceTypes: LORAWAN_SENSORS },
    params: { expectedIntervalMinutes: 30, missingFactor: 2, criticalFactor: 48 },
  },
  {
    id: 'H11',
    kind: 'immediate',
    title: 'Smoke or CO alarm fault',
    description: 'A smoke, heat or CO alarm reports a fault or end of life: repair or replace as soon as reasonably practicable. Source: docs/domain.md B2 H11 (Smoke & CO Regs 2022 via A6; stc 0065-0067); P2.',
    priority: 'P2',
    appliesTo: { deviceTypes: ['smoke-alarm', 'heat-alarm', 'co-alarm'] },
    params: { eventTypes: ['device.fault'] },
  },
]
