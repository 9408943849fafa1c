import { describe, expect, it } from 'vitest'
import type { Device } from '../registry/index.ts'
import { createMessageDecoder, routeFor, type Route } from './decode-message.ts'
import type { Principal } from './principals.ts'

const device: Principal = {
  kind: 'device',
  device: { deviceId: 'env-1', tenant: 'council-a', type: 'environment-sensor', site: 'flat-1', timeZone: 'Europe/London' },
}
const chirpstack: Principal = { kind: 'integration', integration: { integrationId: 'abcdefabcdef', tenant: 'council-a', kind: 'chirpstack' } }
const tts: Principal = { kind: 'integration', integration: { integrationId: 'abcdefabcdef', tenant: 'council-a', kind: 'tts' } }

describe('routeFor (the publish ACL)', () => {
  const cases: { name: string; principal: Principal; topic: string; expected: unknown }[] = [
    { name: 'a device publishes telemetry on its own topic', principal: device, topic: 'devices/env-1/telemetry', expected: { channel: 'telemetry' } },
    { name: 'a device publishes SenML on its own topic', principal: device, topic: 'devices/env-1/senml', expected: { channel: 'senml' } },
    { name: 'a device may not publish a ChirpStack uplink', principal: device, topic: 'application/app/device/24e124707c123456/event/up', expected: undefined },
    { name: 'a device may not publish for another device', principal: device, topic: 'devices/env-2/telemetry', expected: undefined },
    {
      name: 'a ChirpStack integration publishes uplinks, DevEUI lower-cased',
      principal: chirpstack,
      topic: 'application/5b7e0c2a-6f8e-4b0e-9a55-2f4f2c1d9e01/device/24E124707C123456/event/up',
      expected: { channel: 'chirpstack', topic: { applicationId: '5b7e0c2a-6f8e-4b0e-9a55-2f4f2c1d9e01', devEui: '24e124707c123456', event: 'up' } },
    },
    { name: 'a ChirpStack integration may not publish device topics', principal: chirpstack, topic: 'devices/env-1/telemetry', expected: undefined },
    { name: 'a ChirpStack integration may not use a short DevEUI', principal: chirpstack, topic: 'application/app/device/24e1/event/up', expected: undefined },
    { name: 'a ChirpStack integration may not publish TTS topics', principal: chirpstack, topic: 'v3/app@ttn/devices/eui-1/up', expected: undefined },
    { name: 'a TTS integration publishes uplinks', principal: tts, topic: 'v3/council-leak@ttn/devices/eui-24e124136d112233/up', expected: { channel: 'tts', topic: { applicationId: 'council-leak', tenantId: 'ttn', deviceId: 'eui-24e124136d112233', event: 'up' } } },
    {
      name: 'an event the network server sends but Lookout does not consume is allowed (acknowledged, skipped)',
      principal: chirpstack,
      topic: 'application/5b7e0c2a-6f8e-4b0e-9a55-2f4f2c1d9e01/device/24e124707c123456/event/txack',
      expected: { channel: 'chirpstack', topic: 'ignored' },
    },
    { name: 'a TTS integration may not publish to $SYS', principal: tts, topic: '$SYS/broker/x', expected: undefined },
  ]
  it.each(cases)('$name', ({ principal, topic, expected }) => {
    expect(routeFor(principal, topic)).toEqual(expected)
  })
})

describe('decode: a button press is the alarm of the device it is fitted as (lib/button-alarms.ts)', () => {
  const pendant: Device = { deviceId: 'pendant-9', tenant: 'council-a', type: 'pendant', site: 'flat-1', timeZone: 'Europe/London', devEui: '24e124538b000001', codec: 'milesight-iot/ws101' }
  const doorbell: Device = { ...pendant, deviceId: 'bell-9', type: 'activity-sensor', devEui: '24e124538b000002' }
  const byEui = new Map([pendant, doorbell].map((d) => [d.devEui!, d]))
  const decoder = createMessageDecoder({ maxPayloadBytes: 16384, deviceByDevEui: async (eui) => byEui.get(eui) })
  const asDevice = (d: Device): Principal => ({ kind: 'device', device: d })
  const up = (devEui: string) => ({
    route: { channel: 'chirpstack', topic: { applicationId: 'app', devEui, event: 'up' } } as Route,
    payload: Buffer.from(JSON.stringify({ deduplicationId: `d-${devEui}`, deviceInfo: { applicationId: 'app', devEui }, fPort: 85, data: Buffer.from([0xff, 0x2e, 0x02]).toString('base64') })),
  })
  const cases: { name: string; principal: Principal; route: Route; payload: Buffer; expected: string[] }[] = [
    { name: 'a pendant sends button.pressed in Lookout JSON', principal: asDevice(pendant), route: { channel: 'events' }, payload: Buffer.from('{"type":"button.pressed"}'), expected: ['pendant.pressed'] },
    { name: 'an activity sensor sends button.pressed in Lookout JSON', principal: asDevice(doorbell), route: { channel: 'events' }, payload: Buffer.from('{"type":"button.pressed"}'), expected: ['button.pressed'] },
    { name: "a pendant's SenML press", principal: asDevice(pendant), route: { channel: 'senml' }, payload: Buffer.from('[{"n":"button","vs":"short"}]'), expected: ['pendant.pressed'] },
    { name: "a WS101 pendant's long press over ChirpStack, decoded by the built-in codec", principal: chirpstack, ...up(pendant.devEui!), expected: ['pendant.pressed'] },
    { name: "a WS101 doorbell's long press over ChirpStack", principal: chirpstack, ...up(doorbell.devEui!), expected: ['button.pressed'] },
  ]
  it.each(cases)('$name', async ({ principal, route, payload, expected }) => {
    const decoded = await decoder.decode(principal, route, payload, Date.parse('2026-01-05T10:00:00Z'))
    expect(decoded.ok).toBe(true)
    expect(decoded.ok && decoded.records.flatMap((r) => (r.kind === 'event' ? [r.eventType] : []))).toEqual(expected)
  })
})
