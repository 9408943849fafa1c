import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { parseRules } from '../definitions/load.ts'
import { RULE_KINDS } from '../kinds/index.ts'
import type { RuleKind, AnyRuleKind } from './types.ts'
import { replay, type ReplayLine } from './replay.ts'
import { parseDevicesJson, parseEventsJsonl, type ReplayDevice } from './replay-input.ts'

const own = (id: string, kind: string, deviceTypes: string[], params: unknown, priority = 'P2') => ({ id, kind, title: id, description: 'test rule', priority, appliesTo: { deviceTypes }, params })

const config = parseRules({
  tenant: 'acme',
  packs: ['device-health'],
  rules: [
    own('bed-night', 'sequence', ['bed-sensor'], { first: ['bed.exited'], then: ['bed.entered'], withinMinutes: 45, window: { start: '22:00', end: '06:00' } }),
    own('door-night', 'immediate', ['door-sensor'], { eventTypes: ['door.opened'], window: { start: '22:00', end: '06:00' } }),
    own('morning', 'absence', ['motion-sensor'], { window: { start: '06:00', end: '09:00' }, match: { eventTypes: ['motion.detected'] } }),
  ],
})

function run(jsonl: string, options: { until?: string; devices?: ReplayDevice[] } = {}): ReplayLine[] {
  const input = parseEventsJsonl(jsonl, options.devices ?? [])
  return replay({ config, events: input.events, devices: input.devices, until: options.until === undefined ? undefined : Date.parse(options.until) }).lines
}
const brief = (lines: ReplayLine[]) => lines.map((l) => `${l.at} ${l.action} ${l.rule} ${l.deviceId}`)
const lines = (...objects: object[]) => objects.map((o) => JSON.stringify(o)).join('\n')

describe('replay: the simulated clock', () => {
  it('fires timers with no further events, up to --until', () => {
    const out = run(lines({ ts: '2026-01-06T10:00:00Z', deviceId: 'env-1', deviceType: 'environment-sensor', metrics: { humidity: 50 } }), { until: '2026-01-07T12:00:00Z' })
    expect(brief(out)).toEqual(['2026-01-06T11:00:00.000Z raise H09 env-1', '2026-01-07T10:00:00.000Z raise H09 env-1'])
  })

  it('runs on 2 days after the last event by default', () => {
    const out = run(lines({ ts: '2026-01-06T10:00:00Z', deviceId: 'env-1', deviceType: 'environment-sensor', metrics: { humidity: 50 } }))
    expect(out.map((l) => l.at)).toEqual(['2026-01-06T11:00:00.000Z', '2026-01-07T10:00:00.000Z'])
    const short = run(lines({ ts: '2026-01-06T10:00:00Z', deviceId: 'env-1', deviceType: 'environment-sensor', metrics: { humidity: 50 } }), { until: '2026-01-06T10:59:59Z' })
    expect(short).toEqual([])
  })

  it('fires every timer due before an event first, in due-time order, each at its due time', () => {
    const out = run(
      lines(
        { ts: '2026-01-05T23:00:00Z', deviceId: 'bed-1', deviceType: 'bed-sensor', type: 'bed.exited' },
        { ts: '2026-01-05T22:50:00Z', deviceId: 'bed-2', deviceType: 'bed-sensor', type: 'bed.exited' },
        { ts: '2026-01-05T23:50:00Z', deviceId: 'door-1', deviceType: 'door-sensor', type: 'door.opened' },
      ),
      { until: '2026-01-06T00:00:00Z' },
    )
    expect(brief(out)).toEqual([
      '2026-01-05T23:35:00.000Z raise bed-night bed-2',
      '2026-01-05T23:45:00.000Z raise bed-night bed-1',
      '2026-01-05T23:50:00.000Z raise door-night door-1',
    ])
  })

  it('fires timers due at the same time in device order (the devices file, then first line), whatever order they were armed in', () => {
    const exit = (deviceId: string) => ({ ts: '2026-01-05T23:00:00Z', deviceId, deviceType: 'bed-sensor', type: 'bed.exited' })
    const devices = parseDevicesJson('[{"deviceId":"bed-2","deviceType":"bed-sensor"}]')
    const listed = run(lines(exit('bed-1'), exit('bed-2')), { devices, until: '2026-01-06T00:00:00Z' })
    expect(brief(listed)).toEqual(['2026-01-05T23:45:00.000Z raise bed-night bed-2', '2026-01-05T23:45:00.000Z raise bed-night bed-1'])
    const byLine = run(lines(exit('bed-1'), exit('bed-2')), { until: '2026-01-06T00:00:00Z' })
    expect(brief(byLine)).toEqual(['2026-01-05T23:45:00.000Z raise bed-night bed-1', '2026-01-05T23:45:00.000Z raise bed-night bed-2'])
  })

  it('takes events in ts order, keeping file order for equal times', () => {
    const out = run(
      lines(
        { ts: '2026-01-05T23:30:00Z', deviceId: 'door-1', deviceType: 'door-sensor', type: 'door.opened' },
        { ts: '2026-01-05T23:10:00Z', deviceId: 'door-2', deviceType: 'door-sensor', type: 'door.opened' },
        { ts: '2026-01-05T23:10:00Z', deviceId: 'door-3', deviceType: 'door-sensor', type: 'door.opened' },
      ),
      { until: '2026-01-06T00:00:00Z' },
    )
    expect(out.map((l) => l.deviceId)).toEqual(['door-2', 'door-3', 'door-1'])
  })

  it('decides at receivedAt, never moving the clock back', () => {
    const out = run(
      lines(
        { ts: '2026-01-05T23:00:00Z', receivedAt: '2026-01-05T23:20:00Z', deviceId: 'door-1', deviceType: 'door-sensor', type: 'door.opened' },
        { ts: '2026-01-05T23:05:00Z', deviceId: 'door-2', deviceType: 'door-sensor', type: 'door.opened' },
      ),
      { until: '2026-01-06T00:00:00Z' },
    )
    expect(out.map((l) => [l.deviceId, l.at, l.occurredAt])).toEqual([
      ['door-1', '2026-01-05T23:20:00.000Z', '2026-01-05T23:00:00.000Z'],
      ['door-2', '2026-01-05T23:20:00.000Z', '2026-01-05T23:05:00.000Z'],
    ])
  })

  it('replays no event after --until', () => {
    const out = run(lines({ ts: '2026-01-05T23:00:00Z', deviceId: 'door-1', deviceType: 'door-sensor', type: 'door.opened' }, { ts: '2026-01-06T01:00:00Z', deviceId: 'door-1', type: 'door.opened' }), { until: '2026-01-06T00:00:00Z' })
    expect(out.map((l) => l.at)).toEqual(['2026-01-05T23:00:00.000Z'])
  })
})

describe('replay: alerts as the store keeps them', () => {
  it('raises a dedupe key once and prints a clear only for an open alert', () => {
    const door = { deviceId: 'door-1', deviceType: 'door-sensor', type: 'door.opened', ts: '2026-01-05T23:00:00Z' }
    expect(run(lines(door, door), { until: '2026-01-06T00:00:00Z' })).toHaveLength(1)
  })

  it('prints the documented line shape', () => {
    const [line] = run(lines({ ts: '2026-01-05T23:00:00Z', deviceId: 'door-1', deviceType: 'door-sensor', type: 'door.opened' }), { until: '2026-01-06T00:00:00Z' })
    expect(line).toEqual({
      at: '2026-01-05T23:00:00.000Z',
      action: 'raise',
      rule: 'door-night',
      priority: 'P2',
      deviceId: 'door-1',
      dedupeKey: `acme|door-1|door-night|${Date.parse('2026-01-05T23:00:00Z')}`,
      occurredAt: '2026-01-05T23:00:00.000Z',
      facts: { eventType: 'door.opened' },
    })
  })
})

describe('replay: devices', () => {
  it('registers every known device at the start, so a device that never reports still fires', () => {
    const devices = parseDevicesJson('[{"deviceId":"hub-1","deviceType":"hub"}]')
    const out = run(lines({ ts: '2026-01-06T10:00:00Z', deviceId: 'door-1', deviceType: 'door-sensor', type: 'door.closed' }), { devices, until: '2026-01-06T11:00:00Z' })
    expect(brief(out)).toEqual(['2026-01-06T10:45:00.000Z raise hub-offline hub-1'])
  })

  it('registers a device at its registeredAt', () => {
    const devices = parseDevicesJson('[{"deviceId":"hub-1","deviceType":"hub","registeredAt":"2026-01-06T10:30:00Z"}]')
    const out = run(lines({ ts: '2026-01-06T10:00:00Z', deviceId: 'door-1', deviceType: 'door-sensor', type: 'door.closed' }), { devices, until: '2026-01-06T11:30:00Z' })
    expect(out.map((l) => l.at)).toEqual(['2026-01-06T11:15:00.000Z'])
  })

  it('gives one hub-offline alert for 5 sensors behind a silent hub, and 5 alerts when the hub keeps reporting', () => {
    const sensors = [1, 2, 3, 4, 5].map((n) => ({ ts: '2026-01-06T10:00:00Z', deviceId: `env-${n}`, deviceType: 'environment-sensor', hub: 'hub-1', metrics: { humidity: 50 } }))
    const hub = (ts: string) => ({ ts, deviceId: 'hub-1', deviceType: 'hub', type: 'status.heartbeat' })
    const offline = run(lines(hub('2026-01-06T09:55:00Z'), ...sensors), { until: '2026-01-06T11:05:00Z' })
    expect(brief(offline)).toEqual(['2026-01-06T10:40:00.000Z raise hub-offline hub-1'])
    const beats = ['10:00', '10:15', '10:30', '10:45', '11:00'].map((t) => hub(`2026-01-06T${t}:00Z`))
    const online = run(lines(...beats, ...sensors), { until: '2026-01-06T11:05:00Z' })
    expect(brief(online)).toEqual([1, 2, 3, 4, 5].map((n) => `2026-01-06T11:00:00.000Z raise H09 env-${n}`))
  })
})

describe('replay: local time across daylight-saving nights (Europe/London)', () => {
  const exit = (ts: string) => ({ ts, deviceId: 'bed-1', deviceType: 'bed-sensor', type: 'bed.exited' })

  const cases: { name: string; ts: string; expected: string[] }[] = [
    // spring forward, 29 March 2026: 01:00 GMT becomes 02:00 BST
    { name: 'spring: 00:50 GMT out of bed is due 45 real minutes later (02:35 BST)', ts: '2026-03-29T00:50:00Z', expected: ['2026-03-29T01:35:00.000Z'] },
    { name: 'spring: 05:30 BST (04:30 UTC) is inside the night', ts: '2026-03-29T04:30:00Z', expected: ['2026-03-29T05:15:00.000Z'] },
    { name: 'spring: 06:30 BST (05:30 UTC) is after it', ts: '2026-03-29T05:30:00Z', expected: [] },
    // fall back, 25 October 2026: 02:00 BST becomes 01:00 GMT
    { name: 'autumn: 01:30 BST (00:30 UTC), the first 01:30, is inside the night', ts: '2026-10-25T00:30:00Z', expected: ['2026-10-25T01:15:00.000Z'] },
    { name: 'autumn: 05:30 GMT (05:30 UTC) is inside the night', ts: '2026-10-25T05:30:00Z', expected: ['2026-10-25T06:15:00.000Z'] },
    { name: 'autumn, the day before: 05:30 UTC is 06:30 BST, after the night', ts: '2026-10-24T05:30:00Z', expected: [] },
    { name: 'autumn: 21:30 GMT (21:30 UTC) is before the night', ts: '2026-10-25T21:30:00Z', expected: [] },
  ]
  it.each(cases)('$name', ({ ts, expected }) => {
    expect(run(lines(exit(ts))).filter((l) => l.rule === 'bed-night').map((l) => l.at)).toEqual(expected)
  })

  it('ends a 06:00-09:00 local window at 09:00 BST on the spring-forward day and at 09:00 GMT after the autumn change', () => {
    const motion = (ts: string) => ({ ts, deviceId: 'pir-1', deviceType: 'motion-sensor', type: 'motion.detected' })
    const spring = run(lines(motion('2026-03-28T20:00:00Z')), { until: '2026-03-29T12:00:00Z' })
    expect(spring.filter((l) => l.rule === 'morning').map((l) => [l.at, l.dedupeKey.split('|')[3]])).toEqual([['2026-03-29T08:00:00.000Z', '2026-03-29']])
    const autumn = run(lines(motion('2026-10-24T20:00:00Z')), { until: '2026-10-25T12:00:00Z' })
    expect(autumn.filter((l) => l.rule === 'morning').map((l) => [l.at, l.dedupeKey.split('|')[3]])).toEqual([['2026-10-25T09:00:00.000Z', '2026-10-25']])
  })
})

describe('replay: input', () => {
  it('needs events or --until', () => {
    expect(() => replay({ config, events: [], devices: [] })).toThrow(expect.objectContaining({ code: 'REPLAY_INPUT_INVALID' }))
  })
})

describe('replay: the firing cap', () => {
  it('stops a rule that re-arms a timer in a loop, as the live clock does', () => {
    const loop: RuleKind<Record<string, never>, null> = {
      kind: 'loop',
      description: 'test: re-arms at the same time',
      params: z.strictObject({}),
      init: (_p, _s, now) => ({ state: null, actions: [{ type: 'arm', timer: 'again', at: now }] }),
      onRecord: (s) => ({ state: s, actions: [] }),
      onTimer: (s, _t, _p, _subject, now) => ({ state: s, actions: [{ type: 'arm', timer: 'again', at: now }] }),
    }
    const looping = parseRules({ tenant: 'acme', rules: [own('loop', 'loop', ['door-sensor'], {})] }, { kinds: new Map<string, AnyRuleKind>([...RULE_KINDS, ['loop', loop]]) })
    const input = parseEventsJsonl(lines({ ts: '2026-01-05T23:00:00Z', deviceId: 'door-1', deviceType: 'door-sensor', type: 'door.opened' }))
    expect(() => replay({ config: looping, events: input.events, devices: input.devices })).toThrow(/door-1: a rule re-arms a timer in a loop/)
  })
})
