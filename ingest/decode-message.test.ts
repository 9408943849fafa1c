import { describe, expect, it } from 'vitest'
import { routeFor } from './decode-message.ts'
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
