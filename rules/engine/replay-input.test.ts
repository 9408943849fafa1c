import { describe, expect, it } from 'vitest'
import { LookoutError } from '../../lib/errors.ts'
import { parseDevicesJson, parseEventsJsonl } from './replay-input.ts'

const T = (iso: string) => Date.parse(iso)

function failure(run: () => unknown): string {
  try {
    run()
  } catch (err) {
    expect(err).toBeInstanceOf(LookoutError)
    expect((err as LookoutError).code).toBe('REPLAY_INPUT_INVALID')
    return (err as Error).message
  }
  throw new Error('expected REPLAY_INPUT_INVALID')
}

describe('parseEventsJsonl', () => {
  it('reads events and telemetry, skipping blank and # lines, and takes devices from the lines', () => {
    const text = [
      '# a night',
      '{"ts":"2026-01-05T22:10:00Z","deviceId":"bed-1","deviceType":"bed-sensor","type":"bed.exited","hub":"hub-1","resident":"res-1"}',
      '',
      '{"ts":"2026-01-05T22:15:00Z","receivedAt":"2026-01-05T22:15:02Z","deviceId":"env-1","deviceType":"environment-sensor","site":"flat-2","timeZone":"Europe/Dublin","metrics":{"humidity":72}}',
      '{"ts":1767651300000,"deviceId":"bed-1","type":"bed.entered"}',
    ].join('\n')
    const { events, devices } = parseEventsJsonl(text, [], 'night.jsonl')
    expect(events).toEqual([
      { line: 2, deviceId: 'bed-1', ts: T('2026-01-05T22:10:00Z'), receivedAt: undefined, eventType: 'bed.exited', metrics: undefined },
      { line: 4, deviceId: 'env-1', ts: T('2026-01-05T22:15:00Z'), receivedAt: T('2026-01-05T22:15:02Z'), eventType: undefined, metrics: { humidity: 72 } },
      { line: 5, deviceId: 'bed-1', ts: 1767651300000, receivedAt: undefined, eventType: 'bed.entered', metrics: undefined },
    ])
    expect(devices).toEqual([
      { deviceId: 'bed-1', deviceType: 'bed-sensor', site: 'unassigned', timeZone: 'Europe/London', hub: 'hub-1', resident: 'res-1' },
      { deviceId: 'env-1', deviceType: 'environment-sensor', site: 'flat-2', timeZone: 'Europe/Dublin' },
    ])
  })

  it("reads a button press as ingest hands it on: a pendant's or pull-cord's is its alarm, another device's stays a press", () => {
    const devices = parseDevicesJson('[{"deviceId":"cord-1","deviceType":"pull-cord"}]')
    const text = [
      '{"ts":"2026-01-05T10:00:00Z","deviceId":"pendant-1","deviceType":"pendant","type":"button.pressed"}',
      '{"ts":"2026-01-05T10:01:00Z","deviceId":"cord-1","type":"button.pressed"}',
      '{"ts":"2026-01-05T10:02:00Z","deviceId":"bell-1","deviceType":"activity-sensor","type":"button.pressed"}',
      '{"ts":"2026-01-05T10:03:00Z","deviceId":"pendant-1","type":"status.heartbeat"}',
    ].join('\n')
    expect(parseEventsJsonl(text, devices).events.map((e) => [e.deviceId, e.eventType])).toEqual([
      ['pendant-1', 'pendant.pressed'],
      ['cord-1', 'pullcord.pulled'],
      ['bell-1', 'button.pressed'],
      ['pendant-1', 'status.heartbeat'],
    ])
  })

  it('uses a devices file for devices the lines do not describe', () => {
    const devices = parseDevicesJson('[{"deviceId":"bed-1","deviceType":"bed-sensor","site":"flat-1","registeredAt":"2026-01-01T00:00:00Z"}]')
    const input = parseEventsJsonl('{"ts":"2026-01-05T22:10:00Z","deviceId":"bed-1","type":"bed.exited","site":"flat-1"}', devices)
    expect(input.devices).toEqual([{ deviceId: 'bed-1', deviceType: 'bed-sensor', site: 'flat-1', timeZone: 'Europe/London', hub: undefined, resident: undefined, registeredAt: T('2026-01-01T00:00:00Z') }])
  })

  const bad: { name: string; text: string; message: string }[] = [
    { name: 'not JSON', text: '{"ts":', message: 'events.jsonl line 1: not valid JSON' },
    { name: 'no deviceType on a new device', text: '{"ts":"2026-01-05T22:10:00Z","deviceId":"bed-1","type":"bed.exited"}', message: 'events.jsonl line 1: deviceType: required on the first line of device "bed-1"' },
    { name: 'an unknown device type', text: '{"ts":"2026-01-05T22:10:00Z","deviceId":"bed-1","deviceType":"bed","type":"bed.exited"}', message: 'events.jsonl line 1: deviceType: expected one of' },
    { name: 'a time without a zone', text: '{"ts":"2026-01-05T22:10:00","deviceId":"bed-1","deviceType":"bed-sensor","type":"bed.exited"}', message: 'events.jsonl line 1: ts: ' },
    { name: 'no ts', text: '{"deviceId":"bed-1","deviceType":"bed-sensor","type":"bed.exited"}', message: 'events.jsonl line 1: ts: ' },
    { name: 'both type and metrics', text: '{"ts":"2026-01-05T22:10:00Z","deviceId":"env-1","deviceType":"environment-sensor","type":"x.y","metrics":{"humidity":1}}', message: 'give exactly one of "type" (an event) and "metrics" (telemetry)' },
    { name: 'neither type nor metrics', text: '{"ts":"2026-01-05T22:10:00Z","deviceId":"env-1","deviceType":"environment-sensor"}', message: 'give exactly one of "type"' },
    { name: 'a metric that is not a number', text: '{"ts":"2026-01-05T22:10:00Z","deviceId":"env-1","deviceType":"environment-sensor","metrics":{"humidity":"high"}}', message: 'metrics.humidity: expected a number, got "high"' },
    { name: 'a misspelt field', text: '{"ts":"2026-01-05T22:10:00Z","deviceId":"bed-1","deviceType":"bed-sensor","typ":"bed.exited"}', message: 'typ: unknown field (did you mean "type"?)' },
    { name: 'a bad time zone', text: '{"ts":"2026-01-05T22:10:00Z","deviceId":"bed-1","deviceType":"bed-sensor","timeZone":"Mars/Olympus","type":"bed.exited"}', message: 'timeZone: a time zone is an IANA name' },
    { name: 'receivedAt before ts', text: '{"ts":"2026-01-05T22:10:00Z","receivedAt":"2026-01-05T22:09:00Z","deviceId":"bed-1","deviceType":"bed-sensor","type":"bed.exited"}', message: 'receivedAt: before ts' },
  ]
  it.each(bad)('rejects $name with the line number', ({ text, message }) => {
    expect(failure(() => parseEventsJsonl(text, [], 'events.jsonl'))).toContain(message)
  })

  it('names the line of a later problem and the line a conflicting field was given on', () => {
    const text = [
      '{"ts":"2026-01-05T22:10:00Z","deviceId":"bed-1","deviceType":"bed-sensor","site":"flat-1","type":"bed.exited"}',
      '# comment',
      '{"ts":"2026-01-05T22:20:00Z","deviceId":"bed-1","site":"flat-2","type":"bed.entered"}',
    ].join('\n')
    expect(failure(() => parseEventsJsonl(text, [], 'events.jsonl'))).toBe('events.jsonl line 3: site: "flat-2" differs from "flat-1" given for device "bed-1" on line 1')
  })
})

describe('parseDevicesJson', () => {
  it('takes a list or { devices: [...] }, with defaults', () => {
    const list = '[{"deviceId":"hub-1","deviceType":"hub"}]'
    expect(parseDevicesJson(list)).toEqual(parseDevicesJson(`{"devices":${list}}`))
    expect(parseDevicesJson(list)).toEqual([{ deviceId: 'hub-1', deviceType: 'hub', site: 'unassigned', timeZone: 'Europe/London', hub: undefined, resident: undefined, registeredAt: undefined }])
  })

  const bad: { name: string; text: string; message: string }[] = [
    { name: 'not JSON', text: '[', message: 'devices.json: not valid JSON' },
    { name: 'not a list', text: '{"hub-1":{}}', message: 'devices.json: expected a JSON array of devices' },
    { name: 'a device without a type', text: '[{"deviceId":"hub-1"}]', message: 'devices.json devices[0]: deviceType: required' },
    { name: 'a device twice', text: '[{"deviceId":"hub-1","deviceType":"hub"},{"deviceId":"hub-1","deviceType":"hub"}]', message: 'devices.json devices[1]: device "hub-1" is listed twice' },
  ]
  it.each(bad)('rejects $name', ({ text, message }) => {
    expect(failure(() => parseDevicesJson(text, 'devices.json'))).toContain(message)
  })
})
