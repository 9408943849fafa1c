/**
 * Canonical event types: the one vocabulary every source maps to (Lookout JSON, SenML, LoRaWAN
 * codecs, SCAIP status codes) and the rules match on. Sources: docs/domain.md A3 (SCAIP
 * status codes), B0 (device taxonomy), B1/B2 (rule inputs).
 *
 * Devices may send other dotted types (Lookout JSON accepts them); those are stored and can be used
 * by a tenant's own rules, but no shipped rule matches them.
 */
export const EVENT_TYPES = {
  // life-safety alarms (B0, P1/P2 by default)
  'pendant.pressed': 'Personal trigger pressed (SCAIP dty 0003, stc 0010)',
  'pullcord.pulled': 'Pull-cord pulled (dty 0004)',
  'panic.pressed': 'Panic button (dty 0007)',
  'fall.detected': 'Fall detector automatic alarm (dty 0005, stc 0009)',
  'smoke.detected': 'Smoke alarm (dty 0023)',
  'heat.detected': 'Heat alarm (dty 0025)',
  'co.detected': 'Carbon monoxide alarm (dty 0026)',
  'gas.detected': 'Gas alarm (dty 0021)',
  'flood.detected': 'Flood detector (dty 0033)',
  'epilepsy.detected': 'Epilepsy sensor alarm (dty 0017)',
  'temperature.rate_of_rise': 'Temperature rate-of-rise alarm (stc 0126)',
  'temperature.high': 'Temperature high alarm (stc 0100)',
  'temperature.low': 'Temperature low alarm (stc 0101)',
  // activity (B1)
  'door.opened': 'Door or window contact opened',
  'door.closed': 'Door or window contact closed',
  'bed.exited': 'Out of bed',
  'bed.entered': 'Back in bed',
  'chair.exited': 'Out of chair',
  'chair.entered': 'Back in chair',
  'motion.detected': 'Motion (PIR) detected',
  'button.pressed': 'Generic button press (for example a daily OK button); on a pendant or pull-cord it is that device\'s alarm, pendant.pressed or pullcord.pulled (lib/button-alarms.ts)',
  'pill.taken': 'Pill taken (stc 0083)',
  'pill.missed': 'Pill not taken (stc 0081)',
  'water.flow_started': 'Water outlet draw started',
  'water.flow_stopped': 'Water outlet draw stopped',
  // device and link health (B2)
  'status.heartbeat': 'Heartbeat / test transmission (SCAIP mty PI, stc 0102/0103)',
  'battery.low': 'Battery low (stc 0016)',
  'battery.ok': 'Battery OK (stc 0015)',
  'battery.failed': 'Battery failure (stc 0014)',
  'mains.lost': 'Mains power failure (stc 0085)',
  'mains.restored': 'Mains power restored (stc 0086)',
  'link.lost': 'Communication path failure (stc 0023-0027)',
  'link.restored': 'Communication path re-established (stc 0112-0116)',
  'radio.supervision_lost': 'Radio test transmission missing (stc 0123)',
  'radio.supervision_restored': 'Radio test transmission re-established (stc 0124)',
  'tamper.detected': 'Tamper alarm (stc 0125, dty 0038)',
  'device.fault': 'Malfunction or maintenance needed (stc 0065-0067)',
  'alarm.unclassified': 'Alarm (SCAIP stc 0009/0010) from a device type with no specific event type; the stc and dty are kept with the record',
  // LoRaWAN network server events (ChirpStack join and log events)
  'lorawan.joined': 'The device joined the LoRaWAN network (OTAA); a rejoin often means a reboot or battery change',
  'lorawan.join_failed': 'The network server rejected a join (ChirpStack log OTAA)',
  'lorawan.codec_failed': "The network server's payload codec failed on an uplink (ChirpStack log UPLINK_CODEC)",
  'lorawan.frame_counter_reset': 'Uplink frame counter reset or rolled over: reboot, replacement or replay (ChirpStack log UPLINK_F_CNT_RESET)',
  'lorawan.mic_failed': 'Uplink failed its message integrity check: wrong keys or a forged frame (ChirpStack log UPLINK_MIC)',
  // recorded by Lookout itself
  'device.connected': 'The device connected to the broker (recorded by Lookout)',
  'device.disconnected': 'The device disconnected or its keep-alive expired (recorded by Lookout)',
  'device.registered': 'The device was registered (recorded by Lookout; arms absence timers)',
} as const satisfies Record<string, string>

export type EventType = keyof typeof EVENT_TYPES
export const EVENT_TYPE_NAMES = Object.keys(EVENT_TYPES) as EventType[]

export function isKnownEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_TYPES, type)
}
