/**
 * The live rule engine (rule workers, state and timers in a real Redis, alerts in the alert store)
 * against the replay harness: every shipped rule's scenarios, firing and quiet, must give the same
 * alerts, raised and resolved at the same times, through both. That covers every rule kind firing
 * and clearing, both daylight-saving nights (R07 on 2026-03-29, R08 on 2026-10-25) and the offline
 * hub (H01).
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { closeRedis, createRedis } from '../lib/redis.ts'
import { createRegistry } from '../registry/index.ts'
import { eventually, uniqueName } from './helpers/lookout.ts'
import { parseRulesText } from '../rules/definitions/load.ts'
import type { RulesConfig } from '../rules/definitions/schema.ts'
import { replay } from '../rules/engine/replay.ts'
import { parseEventsJsonl } from '../rules/engine/replay-input.ts'
import { SCENARIO_RULES_FILE, SCENARIOS, scenarioText } from '../rules/catalogue/scenarios.ts'
import { RULE_KINDS } from '../rules/kinds/index.ts'
import { canonical, fromReplay, runLive, startLiveRules, type LiveRules } from './helpers/live-rules.ts'
import type { IngestRecord } from '../lib/records.ts'
import type { ReplayDevice } from '../rules/engine/replay-input.ts'

const rulesText = readFileSync(SCENARIO_RULES_FILE, 'utf8')
const config: RulesConfig = parseRulesText(rulesText, { source: 'scenarios/rules.yaml' })

const cases = SCENARIOS.flatMap((s) => [
  { name: `${s.rule}.fires`, file: `${s.rule}.fires.jsonl`, until: s.firesUntil },
  { name: `${s.rule}.quiet`, file: `${s.rule}.quiet.jsonl`, until: s.quietUntil },
])

/** What each scenario raised and cleared live, by the kind of the rule that did it. */
const seenByKind = new Map<string, Set<'raise' | 'clear'>>()
const kindOf = new Map(config.rules.map((r) => [r.id, r.kind]))

describe('live rule workers reproduce the replay harness', () => {
  it.each(cases)('$name', async ({ file, until }) => {
    const input = parseEventsJsonl(scenarioText(file), [], file)
    const untilMs = until === undefined ? undefined : Date.parse(until)
    const expected = canonical(fromReplay(replay({ config, events: input.events, devices: input.devices, until: untilMs }).lines))
    const live = await startLiveRules()
    try {
      await live.install(rulesText, config.tenant)
      await runLive(live, config, input, untilMs)
      const got = canonical(await live.lines(config.tenant))
      expect(got).toEqual(expected)
      // the daylight-saving nights, live: R07's night window on the spring-forward night, R08's on the fall-back night
      if (file === 'R07.fires.jsonl') expect(got.filter((l) => l.rule === 'R07').map((l) => [l.action, l.at])).toContainEqual(['raise', '2026-03-29T05:15:00.000Z'])
      if (file === 'R08.fires.jsonl') expect(got.filter((l) => l.rule === 'R08').map((l) => [l.action, l.at])).toContainEqual(['raise', '2026-10-25T05:30:00.000Z'])
      for (const line of got) {
        // a hub's own absence alert is the hub-offline alert; its raise names the rule (clears carry no facts)
        const kind = line.rule === 'hub-offline' ? 'absence' : kindOf.get(line.rule)
        if (kind === undefined) continue
        const set = seenByKind.get(kind) ?? new Set()
        set.add(line.action)
        seenByKind.set(kind, set)
      }
    } finally {
      await live.close()
    }
  })

  it('saw every rule kind raise, and every kind that has a clear condition clear', () => {
    for (const kind of Object.keys(RULE_KINDS)) {
      expect(seenByKind.get(kind)?.has('raise'), `${kind} raised`).toBe(true)
      expect(seenByKind.get(kind)?.has('clear'), `${kind} cleared`).toBe(true)
    }
  })
})

const T0 = Date.parse('2026-11-20T10:00:00Z')
const MIN = 60_000
const telemetry = (tenant: string, deviceId: string, deviceType: string, at: number, metrics: Record<string, number>): IngestRecord => ({
  kind: 'telemetry',
  tenant,
  deviceId,
  site: 'site-1',
  deviceType,
  timeZone: 'Europe/London',
  ts: at,
  receivedAt: at,
  metrics,
})
const device = (deviceId: string, deviceType: ReplayDevice['deviceType'], hub?: string): ReplayDevice => ({ deviceId, deviceType, site: 'site-1', timeZone: 'Europe/London', hub })

describe('live rule workers', () => {
  let live: LiveRules
  beforeAll(async () => {
    live = await startLiveRules()
  })
  afterAll(async () => {
    await live.close()
  })

  it('fire absence timers for devices that never sent anything, from their registration (default packs, no rules file)', async () => {
    const tenant = 'council-never'
    await live.tick(T0)
    await live.register(tenant, [device('never-env', 'environment-sensor'), device('never-hub', 'hub')], T0)
    await live.tick(T0 + 44 * MIN)
    expect(await live.lines(tenant)).toEqual([])
    await live.tick(T0 + 45 * MIN)
    // H01 on a hub: 3 × 15 min after registration, as the hub-offline alert
    expect((await live.lines(tenant)).map((l) => [l.rule, l.deviceId, l.at])).toEqual([['hub-offline', 'never-hub', '2026-11-20T10:45:00.000Z']])
    await live.tick(T0 + 60 * MIN)
    // H09 on a LoRaWAN sensor: 2 × 30 min
    expect((await live.lines(tenant)).map((l) => [l.rule, l.deviceId, l.at])).toContainEqual(['H09', 'never-env', '2026-11-20T11:00:00.000Z'])
    // the timers fired once: ticking again at the same time raises nothing more
    const before = (await live.lines(tenant)).length
    await live.tick(T0 + 60 * MIN)
    expect(await live.lines(tenant)).toHaveLength(before)
  })

  it('raise one hub-offline alert, not one per device, when a hub and the five sensors behind it go silent; all resolve when they report again', async () => {
    const tenant = 'council-hub'
    const sensors = Array.from({ length: 5 }, (_, i) => device(`hubbed-env-${i}`, 'environment-sensor', 'hub-a'))
    await live.tick(T0)
    await live.register(tenant, [device('hub-a', 'hub'), ...sensors], T0)
    const report = async (at: number) => {
      await live.tick(at)
      await live.send([
        { kind: 'event', tenant, deviceId: 'hub-a', site: 'site-1', deviceType: 'hub', timeZone: 'Europe/London', ts: at, receivedAt: at, eventType: 'status.heartbeat' },
        ...sensors.map((s) => telemetry(tenant, s.deviceId, 'environment-sensor', at, { temperature: 20, humidity: 50 })),
      ])
    }
    await report(T0 + 5 * MIN)
    // time passes as it does live (a tick every few minutes here, every LOOKOUT_RULE_TICK_MS in production):
    // partitions tick on their own, so one big jump could let a sensor's timer run before the hub's
    for (let t = T0 + 10 * MIN; t <= T0 + 85 * MIN; t += 5 * MIN) await live.tick(t)
    // 85 min: the hub is missing (45 min) and every sensor is past its 60 min: one alert in all
    const missing = await live.lines(tenant)
    expect(missing.map((l) => [l.action, l.rule, l.deviceId, l.at])).toEqual([['raise', 'hub-offline', 'hub-a', '2026-11-20T10:50:00.000Z']])
    for (let t = T0 + 90 * MIN; t <= T0 + 4 * 60 * MIN; t += 5 * MIN) await live.tick(t)
    const silent = await live.lines(tenant)
    expect(silent.filter((l) => l.deviceId !== 'hub-a')).toEqual([])
    const hubAlerts = new Set(silent.filter((l) => l.action === 'raise').map((l) => l.alertId))
    // MISSING at 3 × 15 min after the hub's last heartbeat; the sensors' H09 (60 min) joined it instead of raising their own
    expect(silent.filter((l) => l.action === 'raise').map((l) => [l.rule, l.at])).toEqual([
      ['hub-offline', '2026-11-20T10:50:00.000Z'],
      ['hub-offline', '2026-11-20T11:35:00.000Z'], // CRITICAL at 6 ×: the same hub, escalated
    ])
    expect(hubAlerts.size).toBe(2)
    await report(T0 + 5 * 60 * MIN)
    const after = await live.lines(tenant)
    expect(after.filter((l) => l.action === 'clear').map((l) => l.alertId).sort()).toEqual([...hubAlerts].sort())
    expect((await live.alerts.list(tenant, { status: 'open', limit: 10 })).length).toBe(0)
  })

  it('apply each tenant its own rules: a tenant that turns R01 off gets no pendant alert, another tenant still does', async () => {
    const quiet = 'council-r01-off'
    const loud = 'council-r01-on'
    await live.install(`tenant: ${quiet}\npacks: [responder]\noverrides:\n  - { rule: R01, enabled: false }\n`, quiet)
    await live.tick(T0)
    await live.register(quiet, [device('press-off', 'pendant')], T0)
    await live.register(loud, [device('press-on', 'pendant')], T0)
    const press = (tenant: string, deviceId: string): IngestRecord => ({ kind: 'event', tenant, deviceId, site: 'site-1', deviceType: 'pendant', timeZone: 'Europe/London', ts: T0 + MIN, receivedAt: T0 + MIN, eventType: 'pendant.pressed' })
    await live.send([press(quiet, 'press-off'), press(loud, 'press-on')])
    expect(await live.lines(quiet)).toEqual([])
    expect((await live.lines(loud)).map((l) => [l.rule, l.priority, l.deviceId])).toEqual([['R01', 'P1', 'press-on']])
  })

  it('evaluate nothing for a record whose tenant is not its device\'s', async () => {
    await live.tick(T0)
    await live.register('council-wall-a', [device('wall-pendant', 'pendant')], T0)
    await live.send([{ kind: 'event', tenant: 'council-wall-b', deviceId: 'wall-pendant', site: 'site-1', deviceType: 'pendant', timeZone: 'Europe/London', ts: T0 + MIN, receivedAt: T0 + MIN, eventType: 'pendant.pressed' }])
    expect(await live.lines('council-wall-a')).toEqual([])
    expect(await live.lines('council-wall-b')).toEqual([])
  })
})

describe('live rule workers starting up', () => {
  it('refuse a partition count other than the one the installation was started with', async () => {
    const prefix = uniqueName('rp')
    const first = await startLiveRules({ LOOKOUT_KEY_PREFIX: prefix, LOOKOUT_RULE_PARTITIONS: '2' })
    await first.close()
    await expect(startLiveRules({ LOOKOUT_KEY_PREFIX: prefix, LOOKOUT_RULE_PARTITIONS: '3' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('partitioned 2 ways: set it to 2'),
    })
  })

  it('start the rules of devices registered while no worker ran (no init job): their absence timers are armed', async () => {
    const prefix = uniqueName('rs')
    const redis = createRedis(inject('redisUrl'), { name: 'test-sweep' })
    const registeredAt = Date.now()
    try {
      await createRegistry(redis, prefix).addDevice({ deviceId: 'sweep-hub', tenant: 'council-sweep', type: 'hub' }, registeredAt)
      const live = await startLiveRules({ LOOKOUT_KEY_PREFIX: prefix })
      try {
        await eventually(async () => ((await redis.exists(`${prefix}:rs:sweep-hub`)) === 1 ? true : undefined), 10_000, 'rule state of the device')
        await live.drain()
        await live.tick(Date.now() + 46 * MIN)
        expect((await live.lines('council-sweep')).map((l) => [l.rule, l.deviceId])).toEqual([['hub-offline', 'sweep-hub']])
      } finally {
        await live.close()
      }
    } finally {
      await closeRedis(redis)
    }
  })
})
