/**
 * The device types Lookout knows, after the SCAIP device taxonomy (docs/domain.md B0) and the
 * built-environment sensors of the facilities rules. A type decides which rules apply by default.
 */
export const DEVICE_TYPES = [
  'pendant',
  'pull-cord',
  'fall-detector',
  'smoke-alarm',
  'heat-alarm',
  'co-alarm',
  'flood-detector',
  'bed-sensor',
  'chair-sensor',
  'door-sensor',
  'motion-sensor',
  'activity-sensor',
  'environment-sensor',
  'water-temperature-sensor',
  'leak-sensor',
  'energy-meter',
  'hub',
] as const

export type DeviceType = (typeof DEVICE_TYPES)[number]
