import { describe, expect, it } from 'vitest'
import { dueInWindow, inactivityKind } from './inactivity.ts'
import { at, event, HOUR, type Input, LONDON, type Logged, simulate } from './simulate.testing.ts'

const R14 = { match: { eventTypes: ['motion.detected'] } }
const DAY_WINDOW = { start: '08:00', end: '21:00' }
const NIGHT = { start: '22:00', end: '06:00' }
const motion = (local: string) => ({ record: event('motion.detected', at(local)) })

describe('dueInWindow counts only time inside the local window', () => {
  const cases: { name: string; since: string; hours: number; window: typeof DAY_WINDOW; due: number }[] = [
    { name: 'from inside the window', since: '2026-11-21T09:00', hours: 4, window: DAY_WINDOW, due: at('2026-11-21T13:00') },
    { name: 'from before the window', since: '2026-11-21T06:00', hours: 4, window: DAY_WINDOW, due: at('2026-11-21T12:00') },
    { name: 'carried over the evening: 2 h by 21:00, 2 h the next morning', since: '2026-11-21T19:00', hours: 4, window: DAY_WINDOW, due: at('2026-11-22T10:00') },
    { name: 'exactly at the window end', since: '2026-11-21T17:00', hours: 4, window: DAY_WINDOW, due: at('2026-11-21T21:00') },
    { name: 'more than one window (20 h)', since: '2026-11-21T08:00', hours: 20, window: DAY_WINDOW, due: at('2026-11-22T15:00') },
    { name: 'night across midnight', since: '2026-11-21T23:00', hours: 5, window: NIGHT, due: at('2026-11-22T04:00') },
    { name: 'spring-forward night is 7 h: 8 h needs 1 h of the next night', since: '2026-03-28T22:00', hours: 8, window: NIGHT, due: at('2026-03-29T23:00') },
    { name: 'fall-back night is 9 h: 8 h end at 05:00 GMT', since: '2026-10-24T22:00', hours: 8, window: NIGHT, due: Date.UTC(2026, 9, 25, 5, 0) },
  ]
  it.each(cases)('$name', ({ since, hours, window, due }) => {
    expect(dueInWindow(at(since), hours * HOUR, LONDON, window)).toBe(due)
  })
})

describe('inactivityKind (R14: no motion for 4 h between 08:00-21:00)', () => {
  it('parses R14 defaults', () => {
    expect(inactivityKind.params.parse({})).toEqual({ inactiveMinutes: 240, window: DAY_WINDOW })
  })
  it.each([
    { params: { inactiveMinutes: 0 }, path: 'inactiveMinutes', message: /inactiveMinutes must be more than 0/ },
    { params: { inactiveMinutes: 20_000 }, path: 'inactiveMinutes', message: /inactiveMinutes must be at most 10080/ },
    { params: { window: { start: '08:00', end: '08:00' } }, path: 'window', message: /different start and end/ },
  ])('rejects $params naming $path', ({ params, path, message }) => {
    const r = inactivityKind.params.safeParse(params)
    expect(r.error?.issues.find((i) => i.path.join('.') === path)?.message).toMatch(message)
  })

  const cases: { name: string; start: string; inputs: Input[]; log: Logged[] }[] = [
    {
      name: 'fires for a sensor that never reported: registered 07:00, 4 h counted from 08:00',
      start: '2026-11-21T07:00',
      inputs: [{ until: at('2026-11-21T20:00') }],
      log: [['raise', `${at('2026-11-21T07:00')}`, at('2026-11-21T12:00')]],
    },
    {
      name: 'does not fire with motion every 3 hours',
      start: '2026-11-21T07:00',
      inputs: [motion('2026-11-21T09:00'), motion('2026-11-21T12:00'), motion('2026-11-21T15:00'), motion('2026-11-21T18:00'), { until: at('2026-11-22T08:00') }],
      log: [],
    },
    {
      name: 'fires at 10:00 after last motion at 19:00 (the night does not count); motion clears',
      start: '2026-11-21T18:00',
      inputs: [motion('2026-11-21T19:00'), { until: at('2026-11-22T10:30') }, motion('2026-11-22T10:30'), { until: at('2026-11-22T14:00') }],
      log: [
        ['raise', `${at('2026-11-21T19:00')}`, at('2026-11-22T10:00')],
        ['clear', `${at('2026-11-21T19:00')}`, at('2026-11-22T10:30')],
      ],
    },
    {
      name: 'motion at night restarts the clock (it is activity), then 4 h from 08:00',
      start: '2026-11-21T19:30',
      inputs: [motion('2026-11-21T20:00'), motion('2026-11-22T02:00'), { until: at('2026-11-22T13:00') }],
      log: [['raise', `${at('2026-11-22T02:00')}`, at('2026-11-22T12:00')]],
    },
    {
      name: 'a timer a day late raises once, dated when it was due',
      start: '2026-11-21T07:00',
      inputs: [motion('2026-11-21T09:00'), { outageUntil: at('2026-11-22T18:00') }, { until: at('2026-11-23T20:00') }],
      log: [['raise', `${at('2026-11-21T09:00')}`, at('2026-11-21T13:00')]],
    },
    {
      name: 'on the spring-forward day the window is read in local time (fires 12:00 BST)',
      start: '2026-03-29T00:30',
      inputs: [{ until: at('2026-03-29T20:00') }],
      log: [['raise', `${at('2026-03-29T00:30')}`, Date.UTC(2026, 2, 29, 11, 0)]],
    },
    {
      name: 'on the fall-back day the window is read in local time (fires 12:00 GMT)',
      start: '2026-10-25T00:30',
      inputs: [{ until: at('2026-10-25T20:00') }],
      log: [['raise', `${at('2026-10-25T00:30')}`, Date.UTC(2026, 9, 25, 12, 0)]],
    },
    {
      name: 'other event types do not count as activity',
      start: '2026-11-21T07:00',
      inputs: [{ record: event('battery.low', at('2026-11-21T10:00')) }, { until: at('2026-11-21T13:00') }],
      log: [['raise', `${at('2026-11-21T07:00')}`, at('2026-11-21T12:00')]],
    },
  ]
  it.each(cases)('$name', ({ start, inputs, log }) => {
    expect(simulate(inactivityKind, R14, at(start), inputs).log).toEqual(log)
  })

  it('raises with silentSinceMs for hub inhibition', () => {
    const run = simulate(inactivityKind, R14, at('2026-11-21T07:00'), [{ until: at('2026-11-21T13:00') }])
    expect(run.raises[0]?.facts).toEqual({ silentSinceMs: at('2026-11-21T07:00'), neverSeen: true, inactiveMinutes: 240 })
  })
})
