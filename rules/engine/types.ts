/**
 * The rule engine's contract. A rule kind is a small pure evaluator: it takes its state, an input
 * (a record or a timer firing), its parameters, the subject and the current time, and returns its
 * next state and the actions the engine must carry out. No I/O, no clock, no randomness: the same
 * inputs always give the same outputs, which is what makes restarts, retries and the replay
 * harness (`lookout rules test`) agree with the live path.
 *
 * State must be plain JSON (it is kept in Redis between events) and small (bounded by the
 * parameters, never by the number of events).
 */
import type { z } from 'zod'
import type { IngestRecord } from '../../lib/records.ts'

/** What one rule instance is evaluated for: a device, and through it its site and resident. */
export interface Subject {
  tenant: string
  deviceId: string
  deviceType: string
  site: string
  /** IANA zone of the site or resident; windows such as 22:00-06:00 are read in it. */
  timeZone: string
  /** The hub or gateway the device reports through: its absence alerts are inhibited while the hub is offline. */
  hub?: string | undefined
  /** An opaque resident id (never a name). */
  resident?: string | undefined
}

/**
 * - raise: open an alert for an episode. `key` names the episode within (rule, device), e.g. the
 *   time it began; raising the same key twice is a no-op (retries, restarts).
 * - clear: the episode `key` is over; its alert is resolved (kept, marked resolved).
 * - arm: (re)schedule this rule's timer `timer` for this device at `at` (epoch ms); one time per name.
 * - disarm: cancel the timer `timer`.
 * `facts` are numbers or short codes that explain the decision (e.g. { value: 72.5, limit: 70 });
 * never free text or personal data.
 */
export type RuleAction =
  | { type: 'raise'; key: string; occurredAt: number; facts?: Record<string, number | string | boolean> | undefined }
  | { type: 'clear'; key: string; at: number }
  | { type: 'arm'; timer: string; at: number }
  | { type: 'disarm'; timer: string }

export interface Step<S> {
  state: S
  actions: RuleAction[]
}

/**
 * History a kind asks for when it starts on a device that may already have data in InfluxDB (a
 * baseline enabled for a resident who has been monitored for weeks): per period, the device's
 * episodes of matching events and whether it sent anything, over periods that all ended by `token`
 * (the time the state started). Only these summaries travel in job payloads, never event times.
 */
export interface HistoryRequest {
  /** Identifies the state that asked: the answer is applied only to that state. */
  token: number
  /** Event types counted. */
  eventTypes: readonly string[]
  /** Events less than this long after the previous one continue its episode (0: every event counts). */
  mergeMs: number
  /** Periods, oldest first, each [start, end) in epoch ms. */
  periods: readonly { start: number; end: number }[]
}

/** The answer, per period of the request in its order. */
export interface HistoryData {
  periods: readonly { episodes: number; active: boolean }[]
}

export interface HistorySource<P, S> {
  /** The token of the history this state still waits for, or undefined (cheap: called whenever the state changes). */
  pending(state: S): number | undefined
  /** What a state just started needs, or undefined. */
  wanted(state: S, params: P, subject: Subject): HistoryRequest | undefined
  /** The state with the history folded in; unchanged when `token` is not the state's. */
  apply(state: S, params: P, subject: Subject, token: number, data: HistoryData): S
}

/**
 * A rule kind whatever its params and state: the catalogue holds kinds of many shapes side by side,
 * and each kind checks its own params (zod) and keeps its own state, so nothing outside it reads them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: P and S differ per kind
export type AnyRuleKind = RuleKind<any, any>

export interface RuleKind<P, S> {
  /** e.g. 'threshold'; the `kind` field of a rule definition. */
  kind: string
  description: string
  /** Validates a rule definition's `params` (clear messages, paths point at the bad field). */
  params: z.ZodType<P>
  /** State for a subject that has none yet: called at registration, so timers are armed from then. */
  init(params: P, subject: Subject, now: number): Step<S>
  /** A record of this subject (events and telemetry, in the device's order). `now` is the decision time; `record.ts` when it happened. */
  onRecord(state: S, record: IngestRecord, params: P, subject: Subject, now: number): Step<S>
  /** A timer this rule armed has come due (`now` ≥ its time). */
  onTimer(state: S, timer: string, params: P, subject: Subject, now: number): Step<S>
  /** Kinds over long windows may start from the history already stored (see HistoryRequest). */
  history?: HistorySource<P, S> | undefined
}

/** Helper for kinds: a step that changes nothing. */
export function unchanged<S>(state: S): Step<S> {
  return { state, actions: [] }
}
