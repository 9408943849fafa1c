/**
 * The one engine step, shared by the live rule workers and the replay harness (`lookout rules test`):
 * given a subject, its resolved rules, their states and one event (a record, a timer firing, or
 * registration), it returns the states that changed, the timers to set or cancel, and the alerts to
 * raise or clear. Pure: the caller loads and stores states and timers, and hands alerts to the store.
 *
 * 1. A rule with no state is initialised first (`init`: arms absence timers from registration).
 * 2. The event goes to the rules: a record to every rule, a timer to the rule that armed it, `init`
 *    to none beyond step 1.
 * 3. Actions become outputs: `raise` → an AlertCandidate with dedupe key
 *    `${tenant}|${deviceId}|${ruleId}|${key}` (raising is idempotent by that key), `clear` → the
 *    same key, `arm`/`disarm` → a timer change (`at: null` cancels).
 * 4. Inhibition: when a rule of an absence kind raises for a subject behind a hub that is itself
 *    silent (hubs[hub].lastSeenAt missing, or not after the device's silence start, the raise's
 *    `silentSinceMs` fact), it raises instead one `hub-offline` alert (P2) for the hub, keyed
 *    `${tenant}|${hub}|hub-offline|<hubs[hub].lastSeenAt, or "unknown">`: N devices behind an
 *    offline hub give one alert, not N. Absence rules of the hub itself (a subject of device type
 *    `hub`) raise and clear under `${tenant}|${hub}|hub-offline|<episode key>`; the interval absence
 *    keys an episode by its silence start, so when lastSeenAt is what the hub's own absence rule
 *    counts as last seen (its record's receivedAt, or its registration) both are one alert, and it
 *    is resolved when the hub reports again. Without `hubs` nothing is inhibited.
 */
import type { IngestRecord } from '../../lib/records.ts'
import type { ResolvedRule } from '../definitions/resolve.ts'
import { HUB_OFFLINE_RULE, type AlertCandidate, type Priority } from '../types.ts'
import type { RuleAction, Step, Subject } from './types.ts'

export type EngineEvent = { type: 'record'; record: IngestRecord } | { type: 'timer'; ruleId: string; timer: string } | { type: 'init' }

export interface HubStatus {
  /** The time of the hub's last record, as its own absence rule counts it; undefined: never seen. */
  lastSeenAt?: number | undefined
}

export interface EvaluateInput {
  subject: Subject
  rules: readonly ResolvedRule[]
  /** Per rule id, its state from the last step; undefined or absent: none yet (init runs). */
  states: Readonly<Record<string, unknown>>
  event: EngineEvent
  /** Decision time, epoch ms: the record's receipt, or the timer's due time. */
  now: number
  /** Hub liveness, for inhibition; leave out to turn inhibition off. */
  hubs?: Readonly<Record<string, HubStatus>> | undefined
}

export interface TimerChange {
  ruleId: string
  timer: string
  /** Epoch ms to (re)arm at; null cancels. */
  at: number | null
}

export interface AlertClear {
  dedupeKey: string
  at: number
}

export interface RuleFailure {
  ruleId: string
  message: string
  /** What the rule kind threw, for the worker's log (`{ err }` keeps its stack). */
  error: unknown
}

export interface EvaluateResult {
  /** Only the states that changed (or were created): a kind that returns a new object counts as a change. */
  states: Record<string, unknown>
  /** The final change per (rule, timer), in the order first touched. */
  timers: TimerChange[]
  raise: AlertCandidate[]
  clear: AlertClear[]
  /** Rules whose kind threw: their state and timers are left as they were; other rules are unaffected. */
  errors: RuleFailure[]
}

/** Rule kinds whose raises mean "no records came" (absence, and inactivity: no motion) and are inhibited behind a silent hub. */
export const HUB_INHIBITED_KINDS: ReadonlySet<string> = new Set(['absence', 'inactivity'])
export const HUB_DEVICE_TYPE = 'hub'
export const HUB_OFFLINE_TITLE = 'Hub offline'
/** Device/link health, technical, same shift (docs/domain.md B0; H01 for a hub is P2). */
export const HUB_OFFLINE_PRIORITY: Priority = 'P2'

export function dedupeKeyOf(tenant: string, deviceId: string, ruleId: string, key: string): string {
  return `${tenant}|${deviceId}|${ruleId}|${key}`
}

export function hubOfflineKey(tenant: string, hub: string, silentSince: number | undefined): string {
  return dedupeKeyOf(tenant, hub, HUB_OFFLINE_RULE, silentSince === undefined ? 'unknown' : String(silentSince))
}

/** When the device fell silent, as an absence raise tells it: its `silentSinceMs` fact, else when the episode began. */
export function silenceStartOf(action: Extract<RuleAction, { type: 'raise' }>): number {
  const fact = action.facts?.silentSinceMs
  return typeof fact === 'number' ? fact : action.occurredAt
}

/** The rule's priority, or an escalation's for an episode key ending with its suffix. */
export function priorityOf(rule: Pick<ResolvedRule, 'priority' | 'escalations'>, key: string): Priority {
  return rule.escalations.find((e) => key.endsWith(e.keySuffix))?.priority ?? rule.priority
}

function isHubSubject(subject: Subject): boolean {
  return subject.deviceType === HUB_DEVICE_TYPE
}

export function evaluate(input: EvaluateInput): EvaluateResult {
  const { subject, rules, states, event, now, hubs } = input
  const out: EvaluateResult = { states: {}, timers: [], raise: [], clear: [], errors: [] }
  const timers = new Map<string, TimerChange>()

  /** The hub's own absence alert is the hub-offline alert (same key as the one inhibition raises). */
  const hubSelf = (rule: ResolvedRule, key: string): string | undefined =>
    HUB_INHIBITED_KINDS.has(rule.kind) && isHubSubject(subject) ? dedupeKeyOf(subject.tenant, subject.deviceId, HUB_OFFLINE_RULE, key) : undefined

  const apply = (rule: ResolvedRule, actions: readonly RuleAction[]): void => {
    for (const action of actions) {
      switch (action.type) {
        case 'arm':
        case 'disarm': {
          const id = `${rule.id}\u0000${action.timer}`
          const at = action.type === 'arm' ? action.at : null
          const existing = timers.get(id)
          if (existing) existing.at = at
          else {
            const change = { ruleId: rule.id, timer: action.timer, at }
            timers.set(id, change)
            out.timers.push(change)
          }
          break
        }
        case 'raise': {
          const hub = subject.hub
          if (hubs !== undefined && hub !== undefined && hub !== subject.deviceId && HUB_INHIBITED_KINDS.has(rule.kind) && !isHubSubject(subject)) {
            const hubSeen = hubs[hub]?.lastSeenAt
            if (hubSeen === undefined || hubSeen <= silenceStartOf(action)) {
              out.raise.push({
                rule: HUB_OFFLINE_RULE,
                priority: HUB_OFFLINE_PRIORITY,
                title: HUB_OFFLINE_TITLE,
                tenant: subject.tenant,
                deviceId: hub,
                site: subject.site,
                deviceType: HUB_DEVICE_TYPE,
                occurredAt: hubSeen ?? action.occurredAt,
                raisedAt: now,
                dedupeKey: hubOfflineKey(subject.tenant, hub, hubSeen),
                facts: { ...(hubSeen === undefined ? {} : { silentSinceMs: hubSeen }), firstSilentDevice: subject.deviceId, inhibitedRule: rule.id },
              })
              break
            }
          }
          const self = hubSelf(rule, action.key)
          out.raise.push({
            rule: self === undefined ? rule.id : HUB_OFFLINE_RULE,
            priority: priorityOf(rule, action.key),
            title: self === undefined ? rule.title : HUB_OFFLINE_TITLE,
            tenant: subject.tenant,
            deviceId: subject.deviceId,
            site: subject.site,
            deviceType: subject.deviceType,
            occurredAt: action.occurredAt,
            raisedAt: now,
            dedupeKey: self ?? dedupeKeyOf(subject.tenant, subject.deviceId, rule.id, action.key),
            ...(action.facts === undefined ? {} : { facts: { ...action.facts, ...(self === undefined ? {} : { rule: rule.id }) } }),
          })
          break
        }
        case 'clear': {
          out.clear.push({ dedupeKey: hubSelf(rule, action.key) ?? dedupeKeyOf(subject.tenant, subject.deviceId, rule.id, action.key), at: action.at })
          break
        }
      }
    }
  }

  const run = (rule: ResolvedRule, state: unknown, call: (state: unknown) => Step<unknown>): unknown => {
    const step = call(state)
    apply(rule, step.actions)
    return step.state
  }

  if (event.type === 'timer' && !rules.some((r) => r.id === event.ruleId)) {
    // the rule no longer applies to this subject (disabled, or its file changed): drop its timer
    const change = { ruleId: event.ruleId, timer: event.timer, at: null }
    out.timers.push(change)
    return out
  }

  for (const rule of rules) {
    const before = states[rule.id]
    const mark = { timers: out.timers.length, raise: out.raise.length, clear: out.clear.length }
    try {
      let state = before
      if (state === undefined) state = run(rule, state, () => rule.impl.init(rule.params, subject, now))
      if (event.type === 'record') state = run(rule, state, (s) => rule.impl.onRecord(s, event.record, rule.params, subject, now))
      else if (event.type === 'timer' && event.ruleId === rule.id) state = run(rule, state, (s) => rule.impl.onTimer(s, event.timer, rule.params, subject, now))
      if (state === undefined) throw new Error('returned no state')
      // a kind returns the very state object it was given when nothing changed (the contract's `unchanged`)
      if (state !== before) out.states[rule.id] = state
    } catch (err) {
      // undo this rule's partial output; the others go on
      out.timers.length = mark.timers
      out.raise.length = mark.raise
      out.clear.length = mark.clear
      for (const id of [...timers.keys()]) if (id.startsWith(`${rule.id}\u0000`)) timers.delete(id)
      out.errors.push({ ruleId: rule.id, message: err instanceof Error ? err.message : String(err), error: err })
    }
  }
  return out
}
