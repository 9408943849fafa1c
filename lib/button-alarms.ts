/**
 * A button press is the alarm of the device it is fitted as. LoRaWAN button decoders (Browan
 * TBPB100, Milesight WS101: docs/vocabulary.md) know only that a button was pressed and give the
 * generic `button.pressed`; on a device registered as a pendant it is a pendant press, on a
 * pull-cord a pull, so the manual alarm (R01) raises whatever transport and decoder the press came
 * through. On any other device type it stays `button.pressed`: a doorbell, a daily "I am up" button.
 *
 * Every press counts, short, long or double (decoders give all three as `button.pressed`): a
 * person in distress may not manage the "right" press, and an unneeded alarm call costs a call.
 *
 * Mapped where a device's events enter Lookout, both places with this function: ingest
 * (ingest/decode-message.ts) and the replay of `lookout rules test` (rules/engine/replay-input.ts),
 * so the stored point, the rules and a replay all see the same event.
 * See docs/decisions/0011-button-events-by-device-type.md.
 */
import type { EventType } from './event-types.ts'
import type { DeviceType } from './device-types.ts'

export const BUTTON_PRESSED = 'button.pressed' satisfies EventType

/** The event a button press is on each life-safety device type; other types keep `button.pressed`. */
export const BUTTON_ALARMS: Readonly<Partial<Record<DeviceType, EventType>>> = {
  pendant: 'pendant.pressed',
  'pull-cord': 'pullcord.pulled',
}

/** The event type as the device's type means it: a button press on a pendant is a pendant press. */
export function eventOnDevice(deviceType: string, eventType: string): string {
  if (eventType !== BUTTON_PRESSED || !Object.hasOwn(BUTTON_ALARMS, deviceType)) return eventType
  return BUTTON_ALARMS[deviceType as DeviceType] ?? eventType
}
