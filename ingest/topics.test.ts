import { describe, it, expect } from 'vitest'
import { errorsTopic, mayReceive, maySubscribe, publishChannelFor } from './topics.ts'

const DEVICE = 'pendant-001'

describe('publishChannelFor', () => {
  const cases: { name: string; topic: string; expected: 'events' | 'telemetry' | undefined }[] = [
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

describe('maySubscribe', () => {
  const cases: { name: string; topic: string; expected: boolean }[] = [
    { name: 'allows the device own errors topic', topic: 'devices/pendant-001/errors', expected: true },
    { name: 'refuses the device own events topic', topic: 'devices/pendant-001/events', expected: false },
    { name: 'refuses another device errors topic', topic: 'devices/pendant-002/errors', expected: false },
    { name: 'refuses a prefix-sharing device errors topic', topic: 'devices/pendant-0011/errors', expected: false },
    { name: 'refuses a single-level wildcard over devices', topic: 'devices/+/errors', expected: false },
    { name: 'refuses a multi-level wildcard under its own namespace', topic: 'devices/pendant-001/#', expected: false },
    { name: 'refuses the multi-level wildcard', topic: '#', expected: false },
    { name: 'refuses an extra level after errors', topic: 'devices/pendant-001/errors/x', expected: false },
  ]
  it.each(cases)('$name', ({ topic, expected }) => {
    expect(maySubscribe(topic, DEVICE)).toBe(expected)
  })
})

describe('mayReceive', () => {
  const cases: { name: string; topic: string; expected: boolean }[] = [
    { name: 'delivers the device own errors topic', topic: 'devices/pendant-001/errors', expected: true },
    { name: 'delivers another topic in the device own namespace', topic: 'devices/pendant-001/events', expected: true },
    { name: 'withholds another device errors topic', topic: 'devices/pendant-002/errors', expected: false },
    { name: 'withholds a prefix-sharing device topic', topic: 'devices/pendant-0011/errors', expected: false },
    { name: 'withholds the bare device level without a slash', topic: 'devices/pendant-001', expected: false },
    { name: 'withholds topics outside devices/', topic: '$SYS/broker/clients', expected: false },
  ]
  it.each(cases)('$name', ({ topic, expected }) => {
    expect(mayReceive(topic, DEVICE)).toBe(expected)
  })
})
