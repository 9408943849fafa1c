import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { IngestRecord } from '../../lib/records.ts'
import { parseRules } from '../definitions/load.ts'
import { rulesFor } from '../definitions/resolve.ts'
import { RULE_KINDS } from '../kinds/index.ts'
import { evaluate, hubOfflineKey, type EngineEvent, type EvaluateInput } from './evaluate.ts'
import type { RuleKind, Subject, AnyRuleKind } from './types.ts'

const T0 = Date.UTC(2026, 0, 6, 10, 0)
const MIN = 60_000

const config = parseRules({
  tenant: 'acme',
  packs: ['responder', 'device-health'],
  overrides: [{ rule: 'R08', resident: 'res-9', priority: 'P1' }],
})

const subject = (over: Partial<Subject> = {}): Subject => ({ tenant: 'acme', deviceId: 'door-1', deviceType: 'door-sensor', site: 'flat-1', timeZone: 'Europe/London', ...over })

function event(s: Subject, eventType: string, ts: number): EngineEvent {
  const record: IngestRecord = { kind: 'event', tenant: s.tenant, deviceId: s.deviceId, site: s.site, deviceType: s.deviceType, timeZone: s.timeZone, ts, receivedAt: ts, eventType }
  return { type: 'record', record }
}

function step(s: Subject, ev: EngineEvent, now: number, states: Record<string, unknown> = {}, hubs?: EvaluateInput['hubs']) {
  return evaluate({ subject: s, rules: rulesFor(config, s), states, event: ev, now, hubs })
}

describe('evaluate: init', () => {
  it('initialises every rule with no state, arming absence timers from registration', () => {
    const hub = subject({ deviceId: 'hub-1', deviceType: 'hub' })
    const out = step(hub, { type: 'init' }, T0)
    expect(Object.keys(out.states).sort()).toEqual(['H01', 'H02', 'H03', 'H03-failed', 'H03-level', 'H05', 'H06'].sort())
    expect(out.timers).toEqual([{ ruleId: 'H01', timer: 'silence', at: T0 + 45 * MIN }])
    expect(out.raise).toEqual([])
  })

  it('calls init only for rules with no state, before the event', () => {
    const hub = subject({ deviceId: 'hub-1', deviceType: 'hub' })
    const first = step(hub, { type: 'init' }, T0)
    const again = step(hub, { type: 'init' }, T0 + MIN, first.states)
    expect(again).toEqual({ states: {}, timers: [], raise: [], clear: [], errors: [] })
    // a record for a device never initialised: init, then the record (the heartbeat moves the absence clock)
    const beat = step(hub, event(hub, 'status.heartbeat', T0 + 5 * MIN), T0 + 5 * MIN)
    expect(beat.timers).toEqual([{ ruleId: 'H01', timer: 'silence', at: T0 + 5 * MIN + 45 * MIN }])
  })

  it('returns only the states that changed', () => {
    const door = subject()
    const init = step(door, { type: 'init' }, T0)
    const out = step(door, event(door, 'door.closed', T0 + MIN), T0 + MIN, init.states)
    expect(out.states).toEqual({})
  })
})

describe('evaluate: alerts', () => {
  const night = Date.UTC(2026, 0, 6, 23, 30)

  it('turns a raise into an alert candidate with a deterministic dedupe key, the rule\'s title and priority, and its facts', () => {
    const door = subject({ resident: 'res-9' })
    const out = step(door, event(door, 'door.opened', night), night + 40)
    expect(out.raise).toEqual([
      {
        rule: 'R08',
        priority: 'P1',
        title: 'Door opened at night',
        tenant: 'acme',
        deviceId: 'door-1',
        site: 'flat-1',
        deviceType: 'door-sensor',
        occurredAt: night,
        raisedAt: night + 40,
        dedupeKey: `acme|door-1|R08|${night}`,
        facts: { eventType: 'door.opened' },
      },
    ])
  })

  it('gives the same dedupe key when the same record is evaluated again (a retried job)', () => {
    const door = subject()
    const a = step(door, event(door, 'door.opened', night), night + 40)
    const b = step(door, event(door, 'door.opened', night), night + 9_000)
    expect(b.raise.map((c) => c.dedupeKey)).toEqual(a.raise.map((c) => c.dedupeKey))
  })

  it('sends a timer only to the rule that armed it, and turns its clear into the same dedupe key', () => {
    const bed = subject({ deviceId: 'bed-1', deviceType: 'bed-sensor' })
    const exit = step(bed, event(bed, 'bed.exited', night), night)
    expect(exit.timers).toEqual([{ ruleId: 'R07', timer: 'deadline', at: night + 45 * MIN }])
    const states = exit.states
    const fired = step(bed, { type: 'timer', ruleId: 'R07', timer: 'deadline' }, night + 45 * MIN, states)
    expect(fired.raise.map((c) => [c.rule, c.dedupeKey, c.occurredAt])).toEqual([['R07', `acme|bed-1|R07|${night}`, night + 45 * MIN]])
    const back = step(bed, event(bed, 'bed.entered', night + 60 * MIN), night + 60 * MIN, { ...states, ...fired.states })
    expect(back.clear).toEqual([{ dedupeKey: `acme|bed-1|R07|${night}`, at: night + 60 * MIN }])
  })

  it('cancels a timer whose rule no longer applies to the subject', () => {
    const bed = subject({ deviceId: 'bed-1', deviceType: 'bed-sensor' })
    expect(step(bed, { type: 'timer', ruleId: 'R99', timer: 'deadline' }, night).timers).toEqual([{ ruleId: 'R99', timer: 'deadline', at: null }])
  })

  it('gives an escalated episode key its escalation\'s priority', () => {
    const c = parseRules({ tenant: 'acme', packs: ['facilities'], overrides: [{ rule: 'F12', enabled: true }] })
    const outlet = subject({ deviceId: 'outlet-1', deviceType: 'water-temperature-sensor' })
    const rule = rulesFor(c, outlet).find((r) => r.id === 'F12')!
    expect(rule.escalations).toEqual([{ keySuffix: ':repeated', priority: 'P2' }])
    const kind: RuleKind<unknown, null> = {
      kind: 'legionella-draw',
      description: '',
      params: z.unknown(),
      init: () => ({ state: null, actions: [] }),
      onRecord: () => ({ state: null, actions: [{ type: 'raise', key: '1', occurredAt: T0 }, { type: 'raise', key: '1:repeated', occurredAt: T0 }] }),
      onTimer: () => ({ state: null, actions: [] }),
    }
    const out = evaluate({ subject: outlet, rules: [{ ...rule, impl: kind }], states: { F12: null }, event: event(outlet, 'water.flow_started', T0), now: T0 })
    expect(out.raise.map((c) => c.priority)).toEqual(['P3', 'P2'])
  })
})

describe('evaluate: a kind that throws', () => {
  const boom: RuleKind<Record<string, never>, { n: number }> = {
    kind: 'boom',
    description: 'throws on records',
    params: z.strictObject({}),
    init: () => ({ state: { n: 0 }, actions: [{ type: 'arm', timer: 't', at: T0 + MIN }] }),
    onRecord: () => {
      throw new Error('kaput')
    },
    onTimer: (s) => ({ state: s, actions: [] }),
  }
  const kinds = new Map<string, AnyRuleKind>([...RULE_KINDS, ['boom', boom]])
  const c = parseRules(
    {
      tenant: 'acme',
      packs: ['responder'],
      rules: [{ id: 'acme-boom', kind: 'boom', title: 'Boom', description: 'test', priority: 'P3', appliesTo: { deviceTypes: ['door-sensor'] }, params: {} }],
    },
    { kinds },
  )

  it('reports it, keeps its state and timers as they were, and lets the other rules run', () => {
    const door = subject()
    const night = Date.UTC(2026, 0, 6, 23, 30)
    const out = evaluate({ subject: door, rules: rulesFor(c, door), states: {}, event: event(door, 'door.opened', night), now: night })
    expect(out.errors).toEqual([{ ruleId: 'acme-boom', message: 'kaput', error: expect.any(Error) }])
    expect(out.states['acme-boom']).toBeUndefined()
    expect(out.timers).toEqual([])
    expect(out.raise.map((r) => r.rule)).toEqual(['R08'])
  })
})

describe('evaluate: inhibition behind a silent hub', () => {
  const c = parseRules({ tenant: 'acme', packs: ['device-health'] })
  const silentSince = T0
  const sensors = [1, 2, 3, 4, 5].map((n) => subject({ deviceId: `env-${n}`, deviceType: 'environment-sensor', hub: 'hub-1' }))

  /** Each sensor's last reading at T0, then its H09 timer fires at T0 + 60 min. */
  function silence(hubs: EvaluateInput['hubs']) {
    return sensors.flatMap((s) => {
      const rules = rulesFor(c, s)
      const seen = evaluate({ subject: s, rules, states: {}, event: { type: 'record', record: { kind: 'telemetry', tenant: 'acme', deviceId: s.deviceId, site: s.site, deviceType: s.deviceType, timeZone: s.timeZone, ts: silentSince, receivedAt: silentSince, metrics: { humidity: 50 } } }, now: silentSince, hubs })
      const fired = evaluate({ subject: s, rules, states: seen.states, event: { type: 'timer', ruleId: 'H09', timer: 'silence' }, now: silentSince + 60 * MIN, hubs })
      return fired.raise
    })
  }
  const uniqueKeys = (raises: { dedupeKey: string }[]) => [...new Set(raises.map((r) => r.dedupeKey))]

  it('gives one hub-offline alert for 5 silent devices when the hub fell silent first', () => {
    const raises = silence({ 'hub-1': { lastSeenAt: silentSince - 10 * MIN } })
    expect(uniqueKeys(raises)).toEqual([hubOfflineKey('acme', 'hub-1', silentSince - 10 * MIN)])
    expect(uniqueKeys(raises)).toEqual([`acme|hub-1|hub-offline|${silentSince - 10 * MIN}`])
    expect(raises[0]).toMatchObject({ rule: 'hub-offline', priority: 'P2', title: 'Hub offline', deviceId: 'hub-1', deviceType: 'hub', occurredAt: silentSince - 10 * MIN })
    expect(raises[0]?.facts).toEqual({ silentSinceMs: silentSince - 10 * MIN, firstSilentDevice: 'env-1', inhibitedRule: 'H09' })
  })

  it('counts a hub last seen exactly when the devices fell silent as silent with them', () => {
    expect(uniqueKeys(silence({ 'hub-1': { lastSeenAt: silentSince } }))).toEqual([`acme|hub-1|hub-offline|${silentSince}`])
  })

  it('treats a hub never seen as silent (key "unknown")', () => {
    expect(uniqueKeys(silence({}))).toEqual(['acme|hub-1|hub-offline|unknown'])
  })

  it('gives 5 device alerts when the hub is online', () => {
    const raises = silence({ 'hub-1': { lastSeenAt: silentSince + 30 * MIN } })
    expect(raises.map((r) => [r.rule, r.deviceId])).toEqual(sensors.map((s) => ['H09', s.deviceId]))
    expect(uniqueKeys(raises)).toHaveLength(5)
  })

  it('inhibits nothing without hub knowledge', () => {
    expect(silence(undefined).map((r) => r.rule)).toEqual(['H09', 'H09', 'H09', 'H09', 'H09'])
  })

  it('raises and clears the hub\'s own absence as the same hub-offline alert', () => {
    const hub = subject({ deviceId: 'hub-1', deviceType: 'hub' })
    const rules = rulesFor(c, hub)
    const seen = evaluate({ subject: hub, rules, states: {}, event: event(hub, 'status.heartbeat', silentSince - 10 * MIN), now: silentSince - 10 * MIN, hubs: {} })
    const fired = evaluate({ subject: hub, rules, states: seen.states, event: { type: 'timer', ruleId: 'H01', timer: 'silence' }, now: silentSince + 35 * MIN, hubs: {} })
    expect(fired.raise.map((r) => [r.rule, r.dedupeKey, r.facts?.rule])).toEqual([['hub-offline', `acme|hub-1|hub-offline|${silentSince - 10 * MIN}`, 'H01']])
    const back = evaluate({ subject: hub, rules, states: { ...seen.states, ...fired.states }, event: event(hub, 'status.heartbeat', silentSince + 50 * MIN), now: silentSince + 50 * MIN, hubs: {} })
    expect(back.clear).toEqual([{ dedupeKey: `acme|hub-1|hub-offline|${silentSince - 10 * MIN}`, at: silentSince + 50 * MIN }])
  })

  it('does not inhibit rules of other kinds behind a silent hub', () => {
    const leak = subject({ deviceId: 'leak-1', deviceType: 'leak-sensor', hub: 'hub-1' })
    const cf = parseRules({ tenant: 'acme', packs: ['facilities'] })
    const out = evaluate({ subject: leak, rules: rulesFor(cf, leak), states: {}, event: event(leak, 'flood.detected', T0), now: T0, hubs: {} })
    expect(out.raise.map((r) => r.rule)).toEqual(['F11'])
  })
})
