import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { IngestRecord } from '../../lib/records.ts'
import { parseRules, parseRulesText } from '../definitions/load.ts'
import { rulesFor } from '../definitions/resolve.ts'
import type { RulesConfig } from '../definitions/schema.ts'
import { RULE_KINDS } from '../kinds/index.ts'
import {
  advanceDevices,
  advanceTimers,
  emptyDeviceState,
  MAX_FIRINGS_PER_RUN,
  newOutput,
  nextDue,
  parseTimerId,
  runInit,
  runRecord,
  timerId,
  type DeviceContext,
  type DeviceRuleState,
  type DeviceRunOutput,
  type FiredTimer,
} from './device-run.ts'
import { hubOfflineKey, type HubStatus } from './evaluate.ts'
import type { RuleKind, Subject, AnyRuleKind } from './types.ts'

const T0 = Date.UTC(2026, 0, 6, 10, 0)
const MIN = 60_000
/** T0 + `m` minutes. */
const at = (m: number) => T0 + m * MIN

const subject = (deviceId: string, deviceType: string, over: Partial<Subject> = {}): Subject => ({
  tenant: 't',
  deviceId,
  deviceType,
  site: 's1',
  timeZone: 'Europe/London',
  ...over,
})

function ev(s: Subject, eventType: string, receivedAt: number, ts = receivedAt): IngestRecord {
  return { kind: 'event', tenant: s.tenant, deviceId: s.deviceId, site: s.site, deviceType: s.deviceType, timeZone: s.timeZone, ts, receivedAt, eventType }
}

function tm(s: Subject, metrics: Record<string, number>, receivedAt: number, ts = receivedAt): IngestRecord {
  return { kind: 'telemetry', tenant: s.tenant, deviceId: s.deviceId, site: s.site, deviceType: s.deviceType, timeZone: s.timeZone, ts, receivedAt, metrics }
}

const ctxOf = (config: RulesConfig, s: Subject, hubs?: Record<string, HubStatus>): DeviceContext => ({ subject: s, rules: rulesFor(config, s), hubs })

/** A device registered at `when`: its context and state after runInit (the init output is dropped). */
function registered(config: RulesConfig, s: Subject, when = T0): { ctx: DeviceContext; state: DeviceRuleState } {
  const ctx = ctxOf(config, s)
  const state = emptyDeviceState()
  runInit(ctx, state, when, newOutput())
  return { ctx, state }
}

const clone = (state: DeviceRuleState): DeviceRuleState => structuredClone(state)

// --- the shipped device-health pack -----------------------------------------------------------------

const HEALTH = parseRulesText('{tenant: t, packs: [device-health]}', { source: 'device-run.test' })
const HUB = subject('hub-1', 'hub')
const ENV = subject('env-1', 'environment-sensor')
const DOOR = subject('door-1', 'door-sensor')
/** The hub's H01 alert is the hub-offline alert, keyed by when its silence began. */
const hubKey = (since: number, suffix = '') => `${hubOfflineKey('t', 'hub-1', since)}${suffix}`

// --- test kinds --------------------------------------------------------------------------------------

/**
 * Arms `at:<m>` at registration + m minutes; raises (key = timer name) when one fires. Records:
 * `probe.ping` raises, `probe.bump` changes state, `probe.same` re-arms its timers at the times they
 * had, `probe.cancel` disarms them.
 */
const alarmKind: RuleKind<{ minutes: number[] }, { n: number; since: number }> = {
  kind: 'alarm',
  description: 'test: timers at fixed offsets from registration',
  params: z.strictObject({ minutes: z.array(z.number()).default([]) }),
  init: (p, _s, now) => ({ state: { n: 0, since: now }, actions: p.minutes.map((m) => ({ type: 'arm' as const, timer: `at:${m}`, at: now + m * MIN })) }),
  onRecord: (s, r, p, _subject, now) => {
    const type = r.kind === 'event' ? r.eventType : ''
    if (type === 'probe.ping') return { state: s, actions: [{ type: 'raise', key: `ping:${r.ts}`, occurredAt: r.ts, facts: { now } }] }
    if (type === 'probe.bump') return { state: { ...s, n: s.n + 1 }, actions: [] }
    if (type === 'probe.same') return { state: s, actions: p.minutes.map((m) => ({ type: 'arm' as const, timer: `at:${m}`, at: s.since + m * MIN })) }
    if (type === 'probe.cancel') return { state: s, actions: p.minutes.map((m) => ({ type: 'disarm' as const, timer: `at:${m}` })) }
    return { state: s, actions: [] }
  },
  onTimer: (s, timer, _p, _subject, now) => ({ state: { ...s, n: s.n + 1 }, actions: [{ type: 'raise', key: timer, occurredAt: now, facts: { now } }] }),
}

/** Arms `fuse` at registration + 10 min, then throws on every record and timer (and in init with failInit). */
const boomKind: RuleKind<{ failInit: boolean }, { armed: boolean }> = {
  kind: 'boom',
  description: 'test: a kind that throws',
  params: z.strictObject({ failInit: z.boolean().default(false) }),
  init: (p, _s, now) => {
    if (p.failInit) throw new Error('kaput: init')
    return { state: { armed: true }, actions: [{ type: 'arm', timer: 'fuse', at: now + 10 * MIN }] }
  },
  onRecord: () => {
    throw new Error('kaput: record')
  },
  onTimer: () => {
    throw new Error('kaput: timer')
  },
}

/** Arms `again` at registration; each firing re-arms it at the same time, `limit` firings in all (none: forever). */
const loopKind: RuleKind<{ limit?: number | undefined }, { n: number }> = {
  kind: 'loop',
  description: 'test: re-arms at the same time',
  params: z.strictObject({ limit: z.number().int().positive().optional() }),
  init: (_p, _s, now) => ({ state: { n: 0 }, actions: [{ type: 'arm', timer: 'again', at: now }] }),
  onRecord: (s) => ({ state: s, actions: [] }),
  onTimer: (s, _t, p, _subject, now) => {
    const n = s.n + 1
    return { state: { n }, actions: p.limit === undefined || n < p.limit ? [{ type: 'arm', timer: 'again', at: now }] : [] }
  },
}

const own = (id: string, kind: string, deviceTypes: string[], params: Record<string, unknown>) => ({ id, kind, title: id, description: 'test rule', priority: 'P3', appliesTo: { deviceTypes }, params })

const TEST = parseRules(
  {
    tenant: 't',
    rules: [
      own('a-late', 'alarm', ['door-sensor'], { minutes: [30] }),
      own('b-early', 'alarm', ['door-sensor', 'bed-sensor'], { minutes: [10, 20] }),
      own('c-tie', 'alarm', ['door-sensor'], { minutes: [20] }),
      own('m-alarm', 'alarm', ['motion-sensor'], { minutes: [10] }),
      own('m-boom', 'boom', ['motion-sensor'], {}),
      own('bed-boom', 'boom', ['bed-sensor'], { failInit: true }),
      own('loop', 'loop', ['pendant'], {}),
      own('loop-3', 'loop', ['pull-cord'], { limit: 3 }),
      own('loop-max', 'loop', ['fall-detector'], { limit: MAX_FIRINGS_PER_RUN }),
      own('loop-over', 'loop', ['chair-sensor'], { limit: MAX_FIRINGS_PER_RUN + 1 }),
    ],
  },
  {
    source: 'device-run.test',
    kinds: new Map<string, AnyRuleKind>([...RULE_KINDS, ['alarm', alarmKind], ['boom', boomKind], ['loop', loopKind]]),
  },
)
const ALARMS = subject('door-1', 'door-sensor')
const BOOM = subject('motion-1', 'motion-sensor')
const BED = subject('bed-1', 'bed-sensor')

const brief = (out: DeviceRunOutput) => ({
  fired: out.fired.map((f) => `${f.ruleId}/${f.timer}@${(f.at - T0) / MIN}`),
  raise: out.raise.map((r) => `${r.dedupeKey}@${(r.raisedAt - T0) / MIN}`),
  clear: out.clear.map((c) => `${c.dedupeKey}@${(c.at - T0) / MIN}`),
})

// -----------------------------------------------------------------------------------------------------

describe('timerId / parseTimerId', () => {
  it.each([
    ['H01', 'silence'],
    ['F12', 'repeat:critical'],
    ['a:b', 'c'],
    ['a', 'b:c'],
    ['rule.with-dots_1', 'x:y:z'],
    ['R1', ''],
    ['R1', 'a\u0000b'],
  ])('round-trips rule %j timer %j', (ruleId, timer) => {
    expect(parseTimerId(timerId(ruleId, timer))).toEqual({ ruleId, timer })
  })

  it('keeps ids apart that a ":" separator would merge', () => {
    expect(timerId('a:b', 'c')).not.toBe(timerId('a', 'b:c'))
  })
})

describe('nextDue', () => {
  it.each<[string, Record<string, number>, number | undefined]>([
    ['no timers', {}, undefined],
    ['one', { [timerId('H01', 'silence')]: at(45) }, at(45)],
    ['the earliest of several', { x: at(30), y: at(10), z: at(20) }, at(10)],
    ['0 is a time, not none', { x: 0, y: 5 }, 0],
  ])('%s', (_name, timers, expected) => {
    expect(nextDue({ states: {}, timers, clock: 0 })).toBe(expected)
  })
})

describe('runInit', () => {
  it.each<[string, Subject, [ruleId: string, timer: string, minutes: number][]]>([
    ['a hub: H01 at +45 min (3 × 15)', HUB, [['H01', 'silence', 45]]],
    ['a LoRaWAN sensor: H09 at +60 min (2 × 30)', ENV, [['H09', 'silence', 60]]],
    ['a door sensor: no absence rule, no timer', DOOR, []],
  ])('arms absence timers from the registration time: %s', (_name, s, timers) => {
    const ctx = ctxOf(HEALTH, s)
    const state = emptyDeviceState()
    const out = newOutput()
    runInit(ctx, state, T0, out)
    expect(state.timers).toEqual(Object.fromEntries(timers.map(([r, t, m]) => [timerId(r, t), at(m)])))
    expect(nextDue(state)).toBe(timers.length === 0 ? undefined : at(Math.min(...timers.map(([, , m]) => m))))
    expect(state.seen).toBe(T0)
    expect(state.clock).toBe(T0)
    expect([...out.changedStates].sort()).toEqual(ctx.rules.map((r) => r.id).sort())
    expect(out.timersChanged).toBe(timers.length > 0)
    expect(out).toMatchObject({ raise: [], clear: [], errors: [], fired: [] })
  })

  it.each<[string, number]>([
    ['at the same time', T0],
    ['later, before anything is due', at(10)],
  ])('is idempotent: a second runInit %s re-arms nothing and changes no state', (_name, when) => {
    const { ctx, state } = registered(HEALTH, HUB)
    const before = clone(state)
    const out = newOutput()
    runInit(ctx, state, when, out)
    expect(state).toEqual({ ...before, clock: when })
    expect(state.seen).toBe(T0)
    expect(out.changedStates.size).toBe(0)
    expect(out.timersChanged).toBe(false)
    expect(out).toMatchObject({ raise: [], clear: [], errors: [], fired: [] })
  })

  it('a later runInit first fires the timers due by then (at their due times), and keeps seen', () => {
    const { ctx, state } = registered(HEALTH, HUB)
    const out = newOutput()
    runInit(ctx, state, at(50), out)
    expect(brief(out)).toEqual({ fired: ['H01/silence@45'], raise: [`${hubKey(T0)}@45`], clear: [] })
    expect(state.clock).toBe(at(50))
    expect(state.seen).toBe(T0)
  })

  it('keeps the seen and clock of a device whose record was evaluated before its registration', () => {
    const ctx = ctxOf(HEALTH, HUB)
    const state = emptyDeviceState()
    runRecord(ctx, state, ev(HUB, 'status.heartbeat', at(5)), newOutput())
    const out = newOutput()
    runInit(ctx, state, T0, out)
    expect(state).toMatchObject({ seen: at(5), clock: at(5), timers: { [timerId('H01', 'silence')]: at(50) } })
    expect(out.changedStates.size).toBe(0)
    expect(out.timersChanged).toBe(false)
  })
})

describe('runRecord: the device\'s due timers first', () => {
  // hub registered at 10:00: H01 MISSING due 10:45, CRITICAL 11:30 (6 × 15)
  it.each<{ name: string; received: number; fired: string[]; raise: string[]; clear: string[]; next: number }>([
    { name: 'received before the due time: re-armed, no raise', received: 44, fired: [], raise: [], clear: [], next: 89 },
    {
      name: 'received at the due time: the timer first, then the record clears',
      received: 45,
      fired: ['H01/silence@45'],
      raise: [`${hubKey(T0)}@45`],
      clear: [`${hubKey(T0)}@45`],
      next: 90,
    },
    {
      name: 'due 10:45, received 10:50: raised at 10:45, cleared by the record at 10:50',
      received: 50,
      fired: ['H01/silence@45'],
      raise: [`${hubKey(T0)}@45`],
      clear: [`${hubKey(T0)}@50`],
      next: 95,
    },
    {
      name: 'two levels due: earliest first, each at its due time',
      received: 100,
      fired: ['H01/silence@45', 'H01/silence@90'],
      raise: [`${hubKey(T0)}@45`, `${hubKey(T0, ':critical')}@90`],
      clear: [`${hubKey(T0)}@100`, `${hubKey(T0, ':critical')}@100`],
      next: 145,
    },
  ])('$name', ({ received, fired, raise, clear, next }) => {
    const { ctx, state } = registered(HEALTH, HUB)
    const out = newOutput()
    runRecord(ctx, state, ev(HUB, 'status.heartbeat', at(received)), out)
    expect(brief(out)).toEqual({ fired, raise, clear })
    expect(out.raise.every((r) => r.occurredAt === r.raisedAt)).toBe(true)
    expect(state.timers).toEqual({ [timerId('H01', 'silence')]: at(next) })
    expect(state).toMatchObject({ clock: at(received), seen: at(received) })
    expect(out.errors).toEqual([])
  })

  it('fires every rule\'s due timers earliest first, each with now = its due time, then the record at its receipt', () => {
    const { ctx, state } = registered(TEST, ALARMS)
    const out = newOutput()
    runRecord(ctx, state, ev(ALARMS, 'probe.ping', at(40)), out)
    expect(out.fired).toEqual<FiredTimer[]>([
      { ruleId: 'b-early', timer: 'at:10', at: at(10) },
      { ruleId: 'b-early', timer: 'at:20', at: at(20) },
      { ruleId: 'c-tie', timer: 'at:20', at: at(20) },
      { ruleId: 'a-late', timer: 'at:30', at: at(30) },
    ])
    expect(out.raise.map((r) => [r.rule, r.dedupeKey.split('|')[3], (r.raisedAt - T0) / MIN, ((r.facts?.now as number) - T0) / MIN])).toEqual([
      ['b-early', 'at:10', 10, 10],
      ['b-early', 'at:20', 20, 20],
      ['c-tie', 'at:20', 20, 20],
      ['a-late', 'at:30', 30, 30],
      ['a-late', `ping:${at(40)}`, 40, 40],
      ['b-early', `ping:${at(40)}`, 40, 40],
      ['c-tie', `ping:${at(40)}`, 40, 40],
    ])
    expect(state.timers).toEqual({})
    expect(state.clock).toBe(at(40))
  })
})

describe('advanceTimers', () => {
  it.each<[string, number]>([
    ['at registration', T0],
    ['a minute before', at(44)],
    ['1 ms before', at(45) - 1],
  ])('with until before any due time changes nothing: %s', (_name, until) => {
    const { ctx, state } = registered(HEALTH, HUB)
    const before = clone(state)
    const out = newOutput()
    advanceTimers(ctx, state, until, out)
    expect(state).toEqual(before)
    expect(out.timersChanged).toBe(false)
    expect(out.changedStates.size).toBe(0)
    expect(out).toMatchObject({ fired: [], raise: [], clear: [], errors: [] })
  })

  it('fires a timer due exactly at until, moving the clock to its due time (not to until)', () => {
    const { ctx, state } = registered(HEALTH, HUB)
    const out = newOutput()
    advanceTimers(ctx, state, at(45), out)
    expect(brief(out)).toEqual({ fired: ['H01/silence@45'], raise: [`${hubKey(T0)}@45`], clear: [] })
    const later = newOutput()
    advanceTimers(ctx, state, at(60), later)
    expect(later.fired).toEqual([])
    expect(state.clock).toBe(at(45))
    expect(state.seen).toBe(T0)
  })

  it.each<[string, string[]]>([
    ['armed in rule order', ['b-early', 'c-tie']],
    ['armed against rule order', ['c-tie', 'b-early']],
  ])('breaks ties by rule order: %s', (_name, insertion) => {
    const { ctx, state } = registered(TEST, ALARMS)
    state.timers = Object.fromEntries(insertion.map((r) => [timerId(r, 'at:20'), at(20)]))
    const out = newOutput()
    advanceTimers(ctx, state, at(20), out)
    expect(out.fired.map((f) => f.ruleId)).toEqual(['b-early', 'c-tie'])
  })

  it.each<[string, string[]]>([
    ['armed in name order', ['at:20', 'at:20b']],
    ['armed against name order', ['at:20b', 'at:20']],
  ])('breaks ties within a rule by timer name: %s', (_name, insertion) => {
    const { ctx, state } = registered(TEST, ALARMS)
    state.timers = Object.fromEntries(insertion.map((t) => [timerId('b-early', t), at(20)]))
    const out = newOutput()
    advanceTimers(ctx, state, at(20), out)
    expect(out.fired.map((f) => f.timer)).toEqual(['at:20', 'at:20b'])
  })

  it('puts a timer of a rule that no longer applies before the rules at the same due time', () => {
    const { ctx, state } = registered(TEST, ALARMS)
    state.timers = { [timerId('b-early', 'at:20')]: at(20), [timerId('gone', 'x')]: at(20) }
    const out = newOutput()
    advanceTimers(ctx, state, at(20), out)
    expect(out.fired.map((f) => f.ruleId)).toEqual(['gone', 'b-early'])
  })

  it('drops the timer of a rule that no longer applies, without evaluating anything', () => {
    const { ctx, state } = registered(HEALTH, HUB)
    state.timers[timerId('gone', 'x:y')] = at(10)
    const before = clone(state)
    const out = newOutput()
    advanceTimers(ctx, state, at(10), out)
    expect(out.fired).toEqual([{ ruleId: 'gone', timer: 'x:y', at: at(10) }])
    expect(state.timers).toEqual({ [timerId('H01', 'silence')]: at(45) })
    expect(state.states).toEqual(before.states)
    expect(out).toMatchObject({ raise: [], clear: [], errors: [], timersChanged: true })
    expect(out.changedStates.size).toBe(0)
  })
})

describe('advanceDevices (several devices on one timeline, as the replay drives them)', () => {
  const door = (id: string) => registered(TEST, subject(id, 'door-sensor'))

  it('fires by due time across devices; at the same due time, the device given first; afterFire after each', () => {
    const one = door('door-1')
    const two = door('door-2')
    const runs = [
      { ...two, out: newOutput() },
      { ...one, out: newOutput() },
    ]
    const order: string[] = []
    advanceDevices(runs, at(20), (run) => order.push(`${run.ctx.subject.deviceId} ${run.out.fired.at(-1)!.ruleId}/${run.out.fired.at(-1)!.timer}`))
    expect(order).toEqual(['door-2 b-early/at:10', 'door-1 b-early/at:10', 'door-2 b-early/at:20', 'door-2 c-tie/at:20', 'door-1 b-early/at:20', 'door-1 c-tie/at:20'])
  })

  it('gives the same device state as advancing each device alone', () => {
    const together = [door('door-1'), door('door-2')].map((d) => ({ ...d, out: newOutput() }))
    advanceDevices(together, at(45))
    for (const run of together) {
      const alone = door(run.ctx.subject.deviceId)
      const out = newOutput()
      advanceTimers(alone.ctx, alone.state, at(45), out)
      expect(run.state).toEqual(alone.state)
      expect(run.out.fired).toEqual(out.fired)
    }
  })

  it('caps the firings of each device, not of the call', () => {
    const loops = [1, 2].map((n) => ({ ...registered(TEST, subject(`cord-${n}`, 'fall-detector')), out: newOutput() }))
    advanceDevices(loops, T0)
    expect(loops.map((r) => r.out.fired.length)).toEqual([MAX_FIRINGS_PER_RUN, MAX_FIRINGS_PER_RUN])
  })
})

describe('the device clock never goes back', () => {
  it.each<{ name: string; received: number; ts: number; decided: number; clock: number }>([
    { name: 'a record received before the clock is evaluated at the clock', received: 30, ts: 30, decided: 60, clock: 60 },
    { name: 'a record received after the clock is evaluated at its receipt', received: 90, ts: 80, decided: 90, clock: 90 },
    { name: 'a record received at the clock', received: 60, ts: 60, decided: 60, clock: 60 },
  ])('$name', ({ received, ts, decided, clock }) => {
    const { ctx, state } = registered(TEST, BED)
    runRecord(ctx, state, ev(BED, 'probe.bump', at(60)), newOutput()) // b-early's timers fire at 10 and 20, the clock reaches 60
    expect(state.clock).toBe(at(60))
    const out = newOutput()
    runRecord(ctx, state, ev(BED, 'probe.ping', at(received), at(ts)), out)
    const ping = out.raise.find((r) => r.rule === 'b-early')!
    expect(ping).toMatchObject({ raisedAt: at(decided), occurredAt: at(ts), facts: { now: at(decided) } })
    expect(state.clock).toBe(at(clock))
  })

  it('a timer overdue from before the clock fires at the clock (its due time is still reported)', () => {
    const { ctx, state } = registered(TEST, ALARMS)
    runRecord(ctx, state, ev(ALARMS, 'probe.bump', at(5)), newOutput())
    state.clock = at(60) // e.g. re-armed in the past by a kind
    state.timers = { [timerId('a-late', 'late')]: at(50) }
    const out = newOutput()
    advanceTimers(ctx, state, at(55), out)
    expect(out.fired).toEqual([{ ruleId: 'a-late', timer: 'late', at: at(50) }])
    expect(out.raise.map((r) => [r.raisedAt, r.occurredAt])).toEqual([[at(60), at(60)]])
    expect(state.clock).toBe(at(60))
  })

  it('a registration older than the clock does not move it back', () => {
    const { ctx, state } = registered(HEALTH, HUB, at(30))
    const out = newOutput()
    runInit(ctx, state, T0, out)
    expect(state.clock).toBe(at(30))
    expect(state.timers).toEqual({ [timerId('H01', 'silence')]: at(75) })
  })
})

describe('seen', () => {
  it.each<[string, (s: Subject, t: number) => IngestRecord, boolean]>([
    ['telemetry', (s, t) => tm(s, { battery: 80 }, t), true],
    ['a heartbeat', (s, t) => ev(s, 'status.heartbeat', t), true],
    ['device.connected (the device itself connected)', (s, t) => ev(s, 'device.connected', t), true],
    ['device.disconnected (written by Lookout)', (s, t) => ev(s, 'device.disconnected', t), false],
    ['device.registered (written by Lookout)', (s, t) => ev(s, 'device.registered', t), false],
  ])('%s: updated %s', (_name, make, updates) => {
    const { ctx, state } = registered(HEALTH, HUB)
    runRecord(ctx, state, make(HUB, at(5)), newOutput())
    expect(state.seen).toBe(updates ? at(5) : T0)
    expect(state.clock).toBe(at(5))
    // and for a device never registered: no registration to fall back on
    const fresh = emptyDeviceState()
    runRecord(ctx, fresh, make(HUB, at(5)), newOutput())
    expect(fresh.seen).toBe(updates ? at(5) : undefined)
  })
})

describe('changedStates and timersChanged', () => {
  it.each<{ name: string; s: Subject; config: RulesConfig; advance?: number; record: (s: Subject) => IngestRecord; states: string[]; timers: boolean }>([
    { name: 'a heartbeat moves the hub\'s absence clock', s: HUB, config: HEALTH, record: (s) => ev(s, 'status.heartbeat', at(10)), states: ['H01'], timers: true },
    { name: 'device.disconnected is no evidence: nothing changes', s: HUB, config: HEALTH, record: (s) => ev(s, 'device.disconnected', at(10)), states: [], timers: false },
    { name: 'a heartbeat of a device with no timers', s: DOOR, config: HEALTH, record: (s) => ev(s, 'status.heartbeat', at(10)), states: [], timers: false },
    { name: 'a kind that raises but returns its state unchanged', s: ALARMS, config: TEST, record: (s) => ev(s, 'probe.ping', at(5)), states: [], timers: false },
    { name: 'a kind that returns a new state', s: ALARMS, config: TEST, record: (s) => ev(s, 'probe.bump', at(5)), states: ['a-late', 'b-early', 'c-tie'], timers: false },
    { name: 'timers fired before the record', s: ALARMS, config: TEST, record: (s) => ev(s, 'probe.ping', at(15)), states: ['b-early'], timers: true },
    { name: 'a timer re-armed at the time it had', s: ALARMS, config: TEST, record: (s) => ev(s, 'probe.same', at(5)), states: [], timers: false },
    { name: 'timers disarmed', s: ALARMS, config: TEST, record: (s) => ev(s, 'probe.cancel', at(5)), states: [], timers: true },
    { name: 'a timer re-armed after it fired', s: ALARMS, config: TEST, record: (s) => ev(s, 'probe.same', at(12)), states: ['b-early'], timers: true },
    { name: 'timers disarmed after they fired (nothing left to cancel)', s: ALARMS, config: TEST, advance: 30, record: (s) => ev(s, 'probe.cancel', at(31)), states: [], timers: false },
  ])('$name', ({ s, config, advance, record, states, timers }) => {
    const { ctx, state } = registered(config, s)
    if (advance !== undefined) advanceTimers(ctx, state, at(advance), newOutput())
    const out = newOutput()
    runRecord(ctx, state, record(s), out)
    expect([...out.changedStates].sort()).toEqual(states)
    expect(out.timersChanged).toBe(timers)
  })

  it('a record evaluated again (a retried job) changes nothing', () => {
    const { ctx, state } = registered(HEALTH, HUB)
    runRecord(ctx, state, ev(HUB, 'status.heartbeat', at(10)), newOutput())
    const before = clone(state)
    const out = newOutput()
    runRecord(ctx, state, ev(HUB, 'status.heartbeat', at(10)), out)
    expect(state).toEqual(before)
    expect(out.changedStates.size).toBe(0)
    expect(out.timersChanged).toBe(false)
  })

  it('the flags accumulate over the steps of one output', () => {
    const { ctx, state } = registered(HEALTH, HUB)
    const out = newOutput()
    runRecord(ctx, state, ev(HUB, 'status.heartbeat', at(10)), out)
    runRecord(ctx, state, ev(HUB, 'device.disconnected', at(20)), out)
    expect([...out.changedStates]).toEqual(['H01'])
    expect(out.timersChanged).toBe(true)
  })
})

describe('a kind that throws', () => {
  it('on a record: the error is recorded with its time, the other rules run, its state and timer stay', () => {
    const { ctx, state } = registered(TEST, BOOM)
    const boomState = state.states['m-boom']
    const out = newOutput()
    runRecord(ctx, state, ev(BOOM, 'probe.ping', at(5)), out)
    expect(out.errors).toEqual([{ ruleId: 'm-boom', message: 'kaput: record', error: expect.any(Error), at: at(5) }])
    expect(out.raise.map((r) => r.rule)).toEqual(['m-alarm'])
    expect(state.states['m-boom']).toBe(boomState)
    expect(out.changedStates.has('m-boom')).toBe(false)
    expect(state.timers).toEqual({ [timerId('m-alarm', 'at:10')]: at(10), [timerId('m-boom', 'fuse')]: at(10) })
  })

  it('on a timer: recorded at the due time, the other rule\'s timer at the same time fires, its state stays and its timer is spent', () => {
    const { ctx, state } = registered(TEST, BOOM)
    const boomState = state.states['m-boom']
    const out = newOutput()
    advanceTimers(ctx, state, at(12), out)
    expect(out.fired.map((f) => `${f.ruleId}/${f.timer}@${(f.at - T0) / MIN}`)).toEqual(['m-alarm/at:10@10', 'm-boom/fuse@10'])
    expect(out.errors).toEqual([{ ruleId: 'm-boom', message: 'kaput: timer', error: expect.any(Error), at: at(10) }])
    expect(out.raise.map((r) => [r.rule, r.raisedAt])).toEqual([['m-alarm', at(10)]])
    expect(state.states['m-boom']).toBe(boomState)
    expect([...out.changedStates]).toEqual(['m-alarm'])
    expect(state.timers).toEqual({})
  })

  it('in init: no state is stored for it (init is tried again with the next event); the other rules are initialised', () => {
    const ctx = ctxOf(TEST, BED)
    const state = emptyDeviceState()
    const out = newOutput()
    runInit(ctx, state, T0, out)
    expect(out.errors).toEqual([{ ruleId: 'bed-boom', message: 'kaput: init', error: expect.any(Error), at: T0 }])
    expect(Object.keys(state.states)).toEqual(['b-early'])
    expect(state.timers).toEqual({ [timerId('b-early', 'at:10')]: at(10), [timerId('b-early', 'at:20')]: at(20) })
    expect(state.seen).toBe(T0)
    const next = newOutput()
    runRecord(ctx, state, ev(BED, 'probe.ping', at(5)), next)
    expect(next.errors).toEqual([{ ruleId: 'bed-boom', message: 'kaput: init', error: expect.any(Error), at: at(5) }])
    expect(next.raise.map((r) => r.rule)).toEqual(['b-early'])
  })
})

describe('MAX_FIRINGS_PER_RUN', () => {
  it.each<[string, Subject, number | 'throws']>([
    ['a kind that re-arms 3 times', subject('cord-1', 'pull-cord'), 3],
    [`exactly ${MAX_FIRINGS_PER_RUN} firings are allowed`, subject('fall-1', 'fall-detector'), MAX_FIRINGS_PER_RUN],
    ['one more throws', subject('chair-1', 'chair-sensor'), 'throws'],
    ['a kind that re-arms at the same time forever throws', subject('pendant-1', 'pendant'), 'throws'],
  ])('%s', (_name, s, expected) => {
    const { ctx, state } = registered(TEST, s)
    const out = newOutput()
    if (expected === 'throws') {
      expect(() => advanceTimers(ctx, state, T0, out)).toThrow(`more than ${MAX_FIRINGS_PER_RUN} timers fired for device ${s.deviceId}: a rule re-arms a timer in a loop`)
      return
    }
    advanceTimers(ctx, state, T0, out)
    expect(out.fired).toHaveLength(expected)
    expect(state.timers).toEqual({})
    expect(state.states).toMatchObject({ [ctx.rules[0]!.id]: { n: expected } })
  })

  it('guards the timers fired before a record too', () => {
    const { ctx, state } = registered(TEST, subject('pendant-1', 'pendant'))
    expect(() => runRecord(ctx, state, ev(ctx.subject, 'probe.ping', at(1)), newOutput())).toThrow(/re-arms a timer in a loop/)
  })
})


describe('runInit after a rules change', () => {
  it('drops the state and timers of a rule that no longer applies, so enabling it again arms it afresh', () => {
    const { state } = registered(HEALTH, ENV)
    expect(Object.keys(state.states)).toContain('H09')
    const off = parseRulesText('{tenant: t, packs: [device-health], overrides: [{ rule: H09, enabled: false }]}', { source: 'off' })
    const out = newOutput()
    runInit(ctxOf(off, ENV), state, at(10), out)
    expect(state.states.H09).toBeUndefined()
    expect(Object.keys(state.timers).filter((id) => id.startsWith('H09'))).toEqual([])
    expect([...out.removedStates]).toEqual(['H09'])
    expect(out.timersChanged).toBe(true)
    // enabled again a day later: armed from then (2 × 30 min), as for a new device
    runInit(ctxOf(HEALTH, ENV), state, at(24 * 60), newOutput())
    expect(nextDue(state)).toBe(at(24 * 60 + 60))
  })

  it('records a receipt older than the last one as no newer evidence: seen keeps the latest receipt', () => {
    const { ctx, state } = registered(HEALTH, HUB)
    runRecord(ctx, state, ev(HUB, 'status.heartbeat', at(20)), newOutput())
    runRecord(ctx, state, ev(HUB, 'status.heartbeat', at(10)), newOutput())
    expect(state.seen).toBe(at(20))
  })
})
