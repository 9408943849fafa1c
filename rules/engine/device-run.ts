/**
 * One device's rules, stepped in memory: the live rule workers load a device's stored state, run its
 * inputs (records, due timers, registration) through evaluate() here, and write the result back in
 * one atomic commit. Pure: no I/O, no clock; the decision times come with the inputs.
 *
 * Order and time, as the replay harness (replay.ts) has them:
 * - Before a record is evaluated, every timer of the device due at or before the record's receipt
 *   fires first, earliest first, each with now = its due time (never before the device's clock).
 * - A record is evaluated with now = its receipt (never before the device's clock).
 * - The device's clock only moves forward.
 * - `seen` is the latest receipt of a record that came from the device itself (not one Lookout
 *   wrote, such as device.disconnected), else its registration: for a hub, what its own absence rule
 *   counts as last seen, and what inhibition compares the devices behind it with.
 * - Registration (or a rules change) drops the state and timers of rules that no longer apply, so a
 *   rule enabled again later starts afresh (its absence timer armed again).
 */
import type { IngestRecord } from '../../lib/records.ts'
import type { ResolvedRule } from '../definitions/resolve.ts'
import { fromDevice } from '../kinds/evidence.ts'
import type { AlertCandidate } from '../types.ts'
import { evaluate, type AlertClear, type EngineEvent, type HubStatus, type RuleFailure } from './evaluate.ts'
import type { HistoryData, HistoryRequest, HistorySource, Subject } from './types.ts'

/** What is stored per device between steps. */
export interface DeviceRuleState {
  /** Per rule id, the kind's state. */
  states: Record<string, unknown>
  /** Per timer id (timerId(ruleId, timer)), its due time, epoch ms. */
  timers: Record<string, number>
  /** The last decision time; 0 before the first. */
  clock: number
  /** See the header; undefined: never seen and not registered. */
  seen?: number | undefined
}

export interface FiredTimer {
  ruleId: string
  timer: string
  /** When it was due, epoch ms (its decision time). */
  at: number
}

/** What a run produced, in order. */
export interface DeviceRunOutput {
  raise: AlertCandidate[]
  clear: AlertClear[]
  errors: (RuleFailure & { at: number })[]
  fired: FiredTimer[]
  /** Rule ids whose state changed (to write back). */
  changedStates: Set<string>
  /** Rule ids whose state began waiting for stored history in this run (a rule started, or its state was rebuilt). */
  historyStarted: Set<string>
  /** Rule ids whose state was dropped (the rule no longer applies). */
  removedStates: Set<string>
  /** Whether the timers changed (to write back). */
  timersChanged: boolean
}

export interface DeviceContext {
  subject: Subject
  rules: readonly ResolvedRule[]
  /** Hub liveness for inhibition, by hub id. */
  hubs?: Readonly<Record<string, HubStatus>> | undefined
}

const SEP = '\u0000'

export function timerId(ruleId: string, timer: string): string {
  return `${ruleId}${SEP}${timer}`
}

export function parseTimerId(id: string): { ruleId: string; timer: string } {
  const i = id.indexOf(SEP)
  return { ruleId: id.slice(0, i), timer: id.slice(i + 1) }
}

export function emptyDeviceState(): DeviceRuleState {
  return { states: {}, timers: {}, clock: 0 }
}

export function newOutput(): DeviceRunOutput {
  return { raise: [], clear: [], errors: [], fired: [], changedStates: new Set(), historyStarted: new Set(), removedStates: new Set(), timersChanged: false }
}

/** The earliest due time of the device's timers, or undefined when none is armed. */
export function nextDue(state: DeviceRuleState): number | undefined {
  let min: number | undefined
  for (const at of Object.values(state.timers)) if (min === undefined || at < min) min = at
  return min
}

/** Timers one device may fire in one run before it is taken for a kind re-arming in a loop. */
export const MAX_FIRINGS_PER_RUN = 10_000

const HISTORY_RULES = new WeakMap<readonly ResolvedRule[], ReadonlyMap<string, HistorySource<unknown, unknown>>>()

/** The rules whose kind reads stored history, by id (usually none: the baselines are opt-in). */
function historyRules(rules: readonly ResolvedRule[]): ReadonlyMap<string, HistorySource<unknown, unknown>> {
  let found = HISTORY_RULES.get(rules)
  if (found === undefined) {
    found = new Map(rules.flatMap((r) => (r.impl.history === undefined ? [] : [[r.id, r.impl.history as HistorySource<unknown, unknown>] as const])))
    HISTORY_RULES.set(rules, found)
  }
  return found
}

function step(ctx: DeviceContext, state: DeviceRuleState, event: EngineEvent, now: number, out: DeviceRunOutput): void {
  const result = evaluate({ subject: ctx.subject, rules: ctx.rules, states: state.states, event, now, hubs: ctx.hubs })
  for (const [ruleId, s] of Object.entries(result.states)) {
    const history = historyRules(ctx.rules).get(ruleId)
    if (history !== undefined) {
      const token = history.pending(s)
      if (token !== undefined && token !== history.pending(state.states[ruleId])) out.historyStarted.add(ruleId)
    }
    state.states[ruleId] = s
    out.changedStates.add(ruleId)
  }
  for (const t of result.timers) {
    const id = timerId(t.ruleId, t.timer)
    if (t.at === null) {
      if (id in state.timers) {
        delete state.timers[id]
        out.timersChanged = true
      }
    } else if (state.timers[id] !== t.at) {
      state.timers[id] = t.at
      out.timersChanged = true
    }
  }
  out.raise.push(...result.raise)
  out.clear.push(...result.clear)
  for (const e of result.errors) out.errors.push({ ...e, at: now })
}

/** Fires the device's timers due at or before `until`, earliest first (ties: rule order). */
export function advanceTimers(ctx: DeviceContext, state: DeviceRuleState, until: number, out: DeviceRunOutput): void {
  // runs before every record: most of the time nothing is due, so look before building anything
  const first = nextDue(state)
  if (first === undefined || first > until) return
  const order = new Map(ctx.rules.map((r, i) => [r.id, i]))
  for (let n = 0; ; n++) {
    let best: { id: string; at: number; rank: number } | undefined
    for (const [id, at] of Object.entries(state.timers)) {
      if (at > until) continue
      const rank = order.get(parseTimerId(id).ruleId) ?? -1
      if (!best || at < best.at || (at === best.at && rank < best.rank)) best = { id, at, rank }
    }
    if (!best) return
    if (n >= MAX_FIRINGS_PER_RUN) throw new Error(`more than ${MAX_FIRINGS_PER_RUN} timers fired for device ${ctx.subject.deviceId}: a rule re-arms a timer in a loop`)
    delete state.timers[best.id]
    out.timersChanged = true
    const { ruleId, timer } = parseTimerId(best.id)
    state.clock = Math.max(state.clock, best.at)
    out.fired.push({ ruleId, timer, at: best.at })
    step(ctx, state, { type: 'timer', ruleId, timer }, state.clock, out)
  }
}

/** A record of the device: its due timers first, then the record at its receipt. */
export function runRecord(ctx: DeviceContext, state: DeviceRuleState, record: IngestRecord, out: DeviceRunOutput): void {
  advanceTimers(ctx, state, record.receivedAt, out)
  state.clock = Math.max(state.clock, record.receivedAt)
  step(ctx, state, { type: 'record', record }, state.clock, out)
  if (fromDevice(record)) state.seen = Math.max(state.seen ?? record.receivedAt, record.receivedAt)
}

/** Registration (or a rules change): rules with no state yet are initialised, arming their timers from `at`. */
export function runInit(ctx: DeviceContext, state: DeviceRuleState, at: number, out: DeviceRunOutput): void {
  const applies = new Set(ctx.rules.map((r) => r.id))
  for (const ruleId of Object.keys(state.states)) {
    if (applies.has(ruleId)) continue
    delete state.states[ruleId]
    out.changedStates.delete(ruleId)
    out.historyStarted.delete(ruleId)
    out.removedStates.add(ruleId)
  }
  for (const id of Object.keys(state.timers)) {
    if (applies.has(parseTimerId(id).ruleId)) continue
    delete state.timers[id]
    out.timersChanged = true
  }
  advanceTimers(ctx, state, at, out)
  state.clock = Math.max(state.clock, at)
  step(ctx, state, { type: 'init' }, state.clock, out)
  if (state.seen === undefined) state.seen = state.clock
}

/** The history the rules started in this run want from InfluxDB (their kind's HistorySource), by rule id. */
export function historyWanted(ctx: DeviceContext, state: DeviceRuleState, out: DeviceRunOutput): { ruleId: string; request: HistoryRequest }[] {
  if (out.historyStarted.size === 0) return []
  const wanted: { ruleId: string; request: HistoryRequest }[] = []
  for (const rule of ctx.rules) {
    if (!out.historyStarted.has(rule.id) || rule.impl.history === undefined) continue
    const request = rule.impl.history.wanted(state.states[rule.id], rule.params, ctx.subject)
    if (request !== undefined) wanted.push({ ruleId: rule.id, request })
  }
  return wanted
}

/**
 * History read for a rule's state (historyWanted): folded in by its kind when the state is still the
 * one that asked (`token`); otherwise (the rule was restarted, disabled, or the history was applied
 * already) nothing changes. Decides nothing by itself: no alert, no timer.
 */
export function runHistory(ctx: DeviceContext, state: DeviceRuleState, ruleId: string, token: number, data: HistoryData, out: DeviceRunOutput): void {
  const rule = ctx.rules.find((r) => r.id === ruleId)
  const before = state.states[ruleId]
  if (rule?.impl.history === undefined || before === undefined) return
  const after = rule.impl.history.apply(before, rule.params, ctx.subject, token, data)
  if (after === before) return
  state.states[ruleId] = after
  out.changedStates.add(ruleId)
}
