/**
 * The rule clock, and one device's rules stepped in memory. The live rule workers load a device's
 * stored state, run its inputs (records, due timers, registration) through evaluate() here, and
 * write the result back in one atomic commit; the replay harness (replay.ts, `lookout rules test`)
 * and the rule-kind tests (kinds/simulate.testing.ts) drive the same functions. Pure: no I/O, no
 * clock; the decision times come with the inputs.
 *
 * Order and time:
 * - Before a record is evaluated, every timer of the device due at or before the record's receipt
 *   fires first, each with now = its due time (never before the device's clock).
 * - Timers fire in one order (see `timerBefore`): earliest due time first; at the same due time, the
 *   rule listed first in the device's resolved rules (ctx.rules; a timer of a rule that no longer
 *   applies comes before them, and is only dropped); then the timer's name, in code-unit order.
 *   Where several devices advance together (`advanceDevices`: the replay's timeline), the device
 *   given first goes first at the same due time; the live workers step each device on its own.
 * - A record is evaluated with now = its receipt (never before the device's clock).
 * - The device's clock only moves forward.
 * - A device fires at most MAX_FIRINGS_PER_RUN timers in one advance (live: one job; replay: up to
 *   its next input); more is taken for a kind re-arming a timer in a loop, and throws.
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

/** One device as the clock advances it. */
export interface DeviceRun {
  ctx: DeviceContext
  state: DeviceRuleState
  out: DeviceRunOutput
}

interface DueTimer {
  id: string
  at: number
  /** The rule's place in ctx.rules; -1: a rule that no longer applies. */
  rank: number
}

/** The timer order of the header: due time, then rule order, then timer name. */
function timerBefore(a: DueTimer, b: DueTimer): boolean {
  return a.at < b.at || (a.at === b.at && (a.rank < b.rank || (a.rank === b.rank && a.id < b.id)))
}

const RULE_ORDER = new WeakMap<readonly ResolvedRule[], ReadonlyMap<string, number>>()

function ruleOrder(rules: readonly ResolvedRule[]): ReadonlyMap<string, number> {
  let order = RULE_ORDER.get(rules)
  if (order === undefined) {
    order = new Map(rules.map((r, i) => [r.id, i]))
    RULE_ORDER.set(rules, order)
  }
  return order
}

/** The device's first timer due at or before `until`, in the timer order. */
function firstDue(run: DeviceRun, until: number): DueTimer | undefined {
  let best: DueTimer | undefined
  let order: ReadonlyMap<string, number> | undefined
  for (const [id, at] of Object.entries(run.state.timers)) {
    if (at > until) continue
    order ??= ruleOrder(run.ctx.rules)
    const due = { id, at, rank: order.get(parseTimerId(id).ruleId) ?? -1 }
    if (best === undefined || timerBefore(due, best)) best = due
  }
  return best
}

function fire(run: DeviceRun, due: DueTimer): void {
  const { ctx, state, out } = run
  delete state.timers[due.id]
  out.timersChanged = true
  const { ruleId, timer } = parseTimerId(due.id)
  state.clock = Math.max(state.clock, due.at)
  out.fired.push({ ruleId, timer, at: due.at })
  step(ctx, state, { type: 'timer', ruleId, timer }, state.clock, out)
}

/**
 * The clock: fires the timers of `runs` due at or before `until`, one at a time in the timer order
 * (header; at the same due time across devices, the order of `runs`), calling `afterFire` after
 * each. A device that fires more than MAX_FIRINGS_PER_RUN throws. The devices' clocks move to the
 * due times fired, not to `until`.
 */
export function advanceDevices(runs: readonly DeviceRun[], until: number, afterFire?: (run: DeviceRun) => void): void {
  const pending: { run: DeviceRun; due: DueTimer; fired: number }[] = []
  for (const run of runs) {
    const due = firstDue(run, until)
    if (due !== undefined) pending.push({ run, due, fired: 0 })
  }
  while (pending.length > 0) {
    let i = 0
    // across devices by due time alone: at the same time, the device given first
    for (let j = 1; j < pending.length; j++) if (pending[j]!.due.at < pending[i]!.due.at) i = j
    const p = pending[i]!
    if (++p.fired > MAX_FIRINGS_PER_RUN) throw new Error(`more than ${MAX_FIRINGS_PER_RUN} timers fired for device ${p.run.ctx.subject.deviceId}: a rule re-arms a timer in a loop`)
    fire(p.run, p.due)
    afterFire?.(p.run)
    const next = firstDue(p.run, until)
    if (next === undefined) pending.splice(i, 1)
    else p.due = next
  }
}

/** Fires the device's timers due at or before `until`, in the timer order (header). */
export function advanceTimers(ctx: DeviceContext, state: DeviceRuleState, until: number, out: DeviceRunOutput): void {
  // runs before every record: most of the time nothing is due, so look before building anything
  const first = nextDue(state)
  if (first !== undefined && first <= until) advanceDevices([{ ctx, state, out }], until)
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
