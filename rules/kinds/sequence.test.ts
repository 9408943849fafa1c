import { describe, expect, it } from 'vitest'
import { sequenceKind } from './sequence.ts'
import { at, event, HOUR, type Input, type Logged, MIN, simulate, SUBJECT } from './simulate.testing.ts'

/** R07: out of bed and not back within 45 min, for exits between 22:00 and 06:00. */
const R07 = { first: ['bed.exited'], then: ['bed.entered'], withinMinutes: 45, window: { start: '22:00', end: '06:00' } }
const out = (ts: number, now?: number) => ({ record: event('bed.exited', ts), ...(now === undefined ? {} : { now }) })
const back = (ts: number, now?: number) => ({ record: event('bed.entered', ts), ...(now === undefined ? {} : { now }) })

describe('sequenceKind params', () => {
  it.each([
    { params: { ...R07, withinMinutes: 0 }, path: 'withinMinutes', message: /withinMinutes must be more than 0/ },
    { params: { ...R07, first: [] }, path: 'first', message: /first needs at least one event type/ },
    { params: { ...R07, then: ['bed.exited'] }, path: 'then', message: /then must not repeat an event type of first/ },
    { params: { ...R07, window: { start: '22:00' } }, path: 'window.end', message: /./ },
    { params: { first: ['bed.exited'], withinMinutes: 45 }, path: 'then', message: /then must be a list of event types/ },
  ])('rejects $path', ({ params, path, message }) => {
    const r = sequenceKind.params.safeParse(params)
    expect(r.error?.issues.find((i) => i.path.join('.') === path)?.message).toMatch(message)
  })
})

describe('sequenceKind (R07 out of bed, not back within 45 min, 22:00-06:00)', () => {
  const cases: { name: string; params?: unknown; start: string; inputs: (start: number) => Input[]; log: (start: number) => Logged[] }[] = [
    {
      name: 'fires 45 min after an exit at 23:00, keyed by the exit; back in bed clears',
      start: '2026-11-21T23:00',
      inputs: (t) => [out(t), { until: t + HOUR }, back(t + 70 * MIN)],
      log: (t) => [
        ['raise', `${t}`, t + 45 * MIN],
        ['clear', `${t}`, t + 70 * MIN],
      ],
    },
    { name: 'does not fire when back in bed after 30 min', start: '2026-11-21T23:00', inputs: (t) => [out(t), back(t + 30 * MIN), { until: t + 3 * HOUR }], log: () => [] },
    { name: 'does not fire for an exit at 21:59 (before the window)', start: '2026-11-21T21:59', inputs: (t) => [out(t), { until: t + 3 * HOUR }], log: () => [] },
    { name: 'does not fire for an exit at 06:00 (the window end is exclusive)', start: '2026-11-22T06:00', inputs: (t) => [out(t), { until: t + 3 * HOUR }], log: () => [] },
    {
      name: 'fires for an exit at 05:50 even though the deadline (06:35) is after the window',
      start: '2026-11-22T05:50',
      inputs: (t) => [out(t), { until: t + 3 * HOUR }],
      log: (t) => [['raise', `${t}`, t + 45 * MIN]],
    },
    {
      name: 'across midnight: exit at 23:40, fires at 00:25',
      start: '2026-11-21T23:40',
      inputs: (t) => [out(t), { until: t + 3 * HOUR }],
      log: () => [['raise', `${at('2026-11-21T23:40')}`, at('2026-11-22T00:25')]],
    },
    {
      name: 'spring forward: exit 00:50 GMT, fires 45 real minutes later at 02:35 BST',
      start: '2026-03-29T00:50',
      inputs: (t) => [out(t), { until: t + 3 * HOUR }],
      log: (t) => [['raise', `${t}`, Date.UTC(2026, 2, 29, 1, 35)]],
    },
    {
      name: 'fall back: exit 01:30 BST (first pass), fires 45 real minutes later at 01:15 GMT',
      start: '2026-10-25T00:30Z',
      inputs: (t) => [out(t), { until: t + 3 * HOUR }],
      log: (t) => [['raise', `${t}`, Date.UTC(2026, 9, 25, 1, 15)]],
    },
    {
      name: 'a second exit while one is pending is ignored: the clock runs from the first',
      start: '2026-11-21T23:00',
      inputs: (t) => [out(t), out(t + 20 * MIN), { until: t + 50 * MIN }, back(t + HOUR)],
      log: (t) => [
        ['raise', `${t}`, t + 45 * MIN],
        ['clear', `${t}`, t + HOUR],
      ],
    },
    {
      name: 'a return older than the exit (out of order) does not end it',
      start: '2026-11-21T23:00',
      inputs: (t) => [out(t), back(t - 5 * MIN, t + MIN), { until: t + HOUR }],
      log: (t) => [['raise', `${t}`, t + 45 * MIN]],
    },
    {
      name: 'an exit arriving after its own return (out of order) is ignored',
      start: '2026-11-21T23:00',
      inputs: (t) => [back(t + 30 * MIN), out(t, t + 31 * MIN), { until: t + 2 * HOUR }],
      log: () => [],
    },
    {
      name: 'a timer 4 h late raises once, dated when it was due',
      start: '2026-11-21T23:00',
      inputs: (t) => [out(t), { outageUntil: t + 4 * HOUR }, { until: t + 8 * HOUR }],
      log: (t) => [['raise', `${t}`, t + 45 * MIN]],
    },
    {
      name: 'the return event was lost: the next night’s exit starts a new sequence',
      start: '2026-11-21T23:00',
      inputs: (t) => [out(t), { until: t + 24 * HOUR }, out(t + 24 * HOUR), { until: t + 26 * HOUR }],
      log: (t) => [
        ['raise', `${t}`, t + 45 * MIN],
        ['raise', `${t + 24 * HOUR}`, t + 24 * HOUR + 45 * MIN],
      ],
    },
    {
      name: 'without a window, any time of day',
      params: { first: ['chair.exited'], then: ['chair.entered'], withinMinutes: 30 },
      start: '2026-11-21T14:00',
      inputs: (t) => [{ record: event('chair.exited', t) }, { until: t + HOUR }, { record: event('chair.entered', t + 2 * HOUR) }],
      log: (t) => [
        ['raise', `${t}`, t + 30 * MIN],
        ['clear', `${t}`, t + 2 * HOUR],
      ],
    },
    {
      name: 'R09-style occupancy start/end events: occupied > 15 min at night',
      params: { first: ['occupancy.started'], then: ['occupancy.ended'], withinMinutes: 15, window: { start: '22:00', end: '06:00' } },
      start: '2026-11-22T02:00',
      inputs: (t) => [{ record: event('occupancy.started', t) }, { record: event('occupancy.ended', t + 20 * MIN) }],
      log: (t) => [
        ['raise', `${t}`, t + 15 * MIN],
        ['clear', `${t}`, t + 20 * MIN],
      ],
    },
  ]
  it.each(cases)('$name', ({ params, start, inputs, log }) => {
    const t = at(start)
    expect(simulate(sequenceKind, params ?? R07, t, inputs(t)).log).toEqual(log(t))
  })

  it('a return later than the deadline, processed before the late timer, raises what was due then clears (as a replay would)', () => {
    const p = sequenceKind.params.parse(R07)
    const t = at('2026-11-21T23:00')
    const s1 = sequenceKind.onRecord(sequenceKind.init(p, SUBJECT, t).state, event('bed.exited', t), p, SUBJECT, t)
    expect(s1.actions).toEqual([{ type: 'arm', timer: 'deadline', at: t + 45 * MIN }])
    const s2 = sequenceKind.onRecord(s1.state, event('bed.entered', t + 50 * MIN), p, SUBJECT, t + 50 * MIN)
    expect(s2.actions).toEqual([
      { type: 'raise', key: `${t}`, occurredAt: t + 45 * MIN, facts: { firstAtMs: t, withinMinutes: 45 } },
      { type: 'clear', key: `${t}`, at: t + 50 * MIN },
    ])
    // the late timer then finds nothing to do
    expect(sequenceKind.onTimer(s2.state, 'deadline', p, SUBJECT, t + 51 * MIN).actions).toEqual([])
  })

  it('a timer fired early re-arms for the pending deadline', () => {
    const p = sequenceKind.params.parse(R07)
    const t = at('2026-11-21T23:00')
    const s1 = sequenceKind.onRecord(sequenceKind.init(p, SUBJECT, t).state, event('bed.exited', t), p, SUBJECT, t)
    expect(sequenceKind.onTimer(s1.state, 'deadline', p, SUBJECT, t + 10 * MIN).actions).toEqual([{ type: 'arm', timer: 'deadline', at: t + 45 * MIN }])
  })
})
