import { describe, it, expect } from 'vitest'
import { errorsTopic, integrationErrorsTopic, publishChannelFor } from './topics.ts'

const DEVICE = 'pendant-001'

describe('publishChannelFor', () => {
  const cases: { name: string; topic: string; expected: 'events' | 'telemetry' | 'status' | 'senml' | undefined }[] = [
    { name: 'maps the device own status topic to status', topic: 'devices/pendant-001/status', expected: 'status' },
    { name: 'maps the device own senml topic to senml', topic: 'devices/pendant-001/senml', expected: 'senml' },
    { name: 'refuses another device status topic', topic: 'devices/pendant-002/status', expected: undefined },
    { name: 'maps the device own events topic to events', topic: 'devices/pendant-001/events', expected: 'events' },
    { name: 'maps the device own telemetry topic to telemetry', topic: 'devices/pendant-001/telemetry', expected: 'telemetry' },
    { name: 'refuses another device events topic', topic: 'devices/pendant-002/events', expected: undefined },
    { name: 'refuses a device id that merely starts with this one', topic: 'devices/pendant-0011/events', expected: undefined },
    { name: 'refuses a device id that this one merely starts with', topic: 'devices/pendant-00/events', expected: undefined },
    { name: 'refuses the device own errors topic', topic: 'devices/pendant-001/errors', expected: undefined },
    { name: 'refuses an extra level after events', topic: 'devices/pendant-001/events/extra', expected: undefined },
    { name: 'refuses a trailing slash', topic: 'devices/pendant-001/events/', expected: undefined },
    { name: 'refuses a missing channel level', topic: 'devices/pendant-001', expected: undefined },
    { name: 'refuses an empty channel level', topic: 'devices/pendant-001/', expected: undefined },
    { name: 'refuses a leading slash', topic: '/devices/pendant-001/events', expected: undefined },
    { name: 'refuses a channel in another case', topic: 'devices/pendant-001/Events', expected: undefined },
    { name: 'refuses the single-level wildcard as channel', topic: 'devices/pendant-001/+', expected: undefined },
    { name: 'refuses the multi-level wildcard as channel', topic: 'devices/pendant-001/#', expected: undefined },
    { name: 'refuses a wildcard in place of the device id', topic: 'devices/+/events', expected: undefined },
    { name: 'refuses a different root', topic: 'device/pendant-001/events', expected: undefined },
  ]
  it.each(cases)('$name', ({ topic, expected }) => {
    expect(publishChannelFor(topic, DEVICE)).toBe(expected)
  })
})

describe('errorsTopic', () => {
  it('is devices/<id>/errors', () => {
    expect(errorsTopic(DEVICE)).toBe('devices/pendant-001/errors')
  })
})

describe('integrationErrorsTopic', () => {
  it('is integrations/<id>/errors', () => {
    expect(integrationErrorsTopic('abc123def456')).toBe('integrations/abc123def456/errors')
  })
})
