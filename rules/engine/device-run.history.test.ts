/**
 * The device step's side of stored history (historyWanted, runHistory): which rules ask for their
 * history when they start, and how an answer is folded in. The baseline's own part is
 * rules/kinds/baseline-history.test.ts; the InfluxDB read is test/rules-history.test.ts.
 */
import { describe, expect, it } from 'vitest'
import type { IngestRecord } from '../../lib/records.ts'
import { parseRulesText } from '../definitions/load.ts'
import { rulesFor } from '../definitions/resolve.ts'
import type { RulesConfig } from '../definitions/schema.ts'
import { emptyDeviceState, historyWanted, newOutput, runHistory, runInit, runRecord, type DeviceContext, type DeviceRuleState } from './device-run.ts'
import type { Subject } from './types.ts'

const T0 = Date.UTC(2026, 0, 6, 10, 0)
const MIN = 60_000
/** T0 + `m` minutes. */
const at = (m: number) => T0 + m * MIN

const subject = (deviceId: string, deviceType: string): Subject => ({ tenant: 't', deviceId, deviceType, site: 's1', timeZone: 'Europe/London' })

function ev(s: Subject, eventType: string, receivedAt: number): IngestRecord {
  return { kind: 'event', tenant: s.tenant, deviceId: s.deviceId, site: s.site, deviceType: s.deviceType, timeZone: s.timeZone, ts: receivedAt, receivedAt, eventType }
}

const ctxOf = (config: RulesConfig, s: Subject): DeviceContext => ({ subject: s, rules: rulesFor(config, s) })

/** A device registered at T0: its context and state after runInit. */
function registered(config: RulesConfig, s: Subject): { ctx: DeviceContext; state: DeviceRuleState } {
  const ctx = ctxOf(config, s)
  const state = emptyDeviceState()
  runInit(ctx, state, T0, newOutput())
  return { ctx, state }
}

const clone = (state: DeviceRuleState): DeviceRuleState => structuredClone(state)

describe('history for rules that start (historyWanted, runHistory)', () => {
  const BATH = subject('bath-1', 'motion-sensor')
  const R15_ON = parseRulesText('{tenant: t, packs: [responder], overrides: [{ rule: R15, device: bath-1, enabled: true }]}', { source: 'r15' })
  const R15_OFF = parseRulesText('{tenant: t, packs: [responder]}', { source: 'r15-off' })
  const periods = Array.from({ length: 28 }, () => ({ episodes: 1, active: true }))

  it('a baseline that starts at registration asks for the nights before then; the other rules ask nothing', () => {
    const ctx = ctxOf(R15_ON, BATH)
    const state = emptyDeviceState()
    const out = newOutput()
    runInit(ctx, state, at(0), out)
    expect([...out.historyStarted]).toEqual(['R15'])
    const wanted = historyWanted(ctx, state, out)
    expect(wanted.map((w) => w.ruleId)).toEqual(['R15'])
    expect(wanted[0]!.request.token).toBe(at(0))
    expect(wanted[0]!.request.periods).toHaveLength(28)
  })

  it('nothing is asked by a run that started no rule', () => {
    const { ctx, state } = registered(R15_ON, BATH)
    const out = newOutput()
    runRecord(ctx, state, ev(BATH, 'motion.detected', at(5)), out)
    expect(out.historyStarted.size).toBe(0)
    expect(historyWanted(ctx, state, out)).toEqual([])
  })

  it('a baseline whose stored state could not be read starts again, and asks again from then', () => {
    const { ctx, state } = registered(R15_ON, BATH)
    runHistory(ctx, state, 'R15', T0, { periods }, newOutput())
    state.states.R15 = { v: 99 }
    const out = newOutput()
    runRecord(ctx, state, ev(BATH, 'motion.detected', at(30)), out)
    expect(historyWanted(ctx, state, out).map((w) => [w.ruleId, w.request.token])).toEqual([['R15', at(30)]])
  })

  it('a baseline enabled by a rules change asks, from the time of the change', () => {
    const { state } = registered(R15_OFF, BATH)
    expect(state.states.R15).toBeUndefined()
    const out = newOutput()
    runInit(ctxOf(R15_ON, BATH), state, at(60), out)
    expect(historyWanted(ctxOf(R15_ON, BATH), state, out).map((w) => [w.ruleId, w.request.token])).toEqual([['R15', at(60)]])
  })

  it('folds the answer into the rule that asked, once, with no alert and no timer change', () => {
    const { ctx, state } = registered(R15_ON, BATH)
    const timers = { ...state.timers }
    const out = newOutput()
    runHistory(ctx, state, 'R15', T0, { periods }, out)
    expect((state.states.R15 as { history: number[] }).history).toEqual(Array<number>(14).fill(1))
    expect([...out.changedStates]).toEqual(['R15'])
    expect(out.raise).toEqual([])
    expect(out.timersChanged).toBe(false)
    expect(state.timers).toEqual(timers)
    const again = newOutput()
    runHistory(ctx, state, 'R15', T0, { periods: periods.map(() => ({ episodes: 9, active: true })) }, again)
    expect(again.changedStates.size).toBe(0)
    expect((state.states.R15 as { history: number[] }).history).toEqual(Array<number>(14).fill(1))
  })

  it.each([
    { name: 'a rule that no longer applies', rules: R15_OFF, ruleId: 'R15', token: T0 },
    { name: 'a rule restarted since it asked', rules: R15_ON, ruleId: 'R15', token: T0 - 1 },
    { name: 'a rule whose kind reads no history', rules: R15_ON, ruleId: 'R01', token: T0 },
    { name: 'an unknown rule', rules: R15_ON, ruleId: 'nope', token: T0 },
  ])('ignores an answer for $name', ({ rules, ruleId, token }) => {
    const { state } = registered(R15_ON, BATH)
    const before = clone(state)
    const out = newOutput()
    runHistory(ctxOf(rules, BATH), state, ruleId, token, { periods }, out)
    expect(state).toEqual(before)
    expect(out.changedStates.size).toBe(0)
  })
})
