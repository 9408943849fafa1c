import { describe, expect, it } from 'vitest'
import { BUTTON_ALARMS, eventOnDevice } from './button-alarms.ts'
import { isKnownEventType } from './event-types.ts'
import { DEVICE_TYPES } from './device-types.ts'

describe('eventOnDevice (a button press is the alarm of the device it is fitted as)', () => {
  const cases: [deviceType: string, eventType: string, expected: string][] = [
    ['pendant', 'button.pressed', 'pendant.pressed'],
    ['pull-cord', 'button.pressed', 'pullcord.pulled'],
    // not life-safety: a doorbell, a daily "I am up" button, a smoke alarm's test button
    ['activity-sensor', 'button.pressed', 'button.pressed'],
    ['door-sensor', 'button.pressed', 'button.pressed'],
    ['smoke-alarm', 'button.pressed', 'button.pressed'],
    ['hub', 'button.pressed', 'button.pressed'],
    ['environment-sensor', 'button.pressed', 'button.pressed'],
    // only a press is mapped
    ['pendant', 'pendant.pressed', 'pendant.pressed'],
    ['pendant', 'status.heartbeat', 'status.heartbeat'],
    ['pendant', 'battery.low', 'battery.low'],
    ['pull-cord', 'pendant.pressed', 'pendant.pressed'],
    ['activity-sensor', 'pendant.pressed', 'pendant.pressed'],
    ['pendant', 'button.pressed.long', 'button.pressed.long'],
    // a type Lookout does not know, or a name from Object.prototype, is not a life-safety type
    ['toString', 'button.pressed', 'button.pressed'],
    ['', 'button.pressed', 'button.pressed'],
  ]
  it.each(cases)('%s: %s → %s', (deviceType, eventType, expected) => {
    expect(eventOnDevice(deviceType, eventType)).toBe(expected)
  })

  it('maps only device types Lookout knows, to canonical event types', () => {
    for (const [deviceType, event] of Object.entries(BUTTON_ALARMS)) {
      expect(DEVICE_TYPES).toContain(deviceType)
      expect(isKnownEventType(event!)).toBe(true)
    }
  })
})
