/**
 * Immediate rules: one event of a listed type raises one alert at once (R01-R03 pendant, pull-cord,
 * fall, smoke; R05/F11 flood), optionally only inside a local daily window (R08: front door opened
 * 22:00-06:00). A telemetry value can also fire it (F11: LoRa leak sensors report `leak` = 1): that
 * path is edge-triggered, raising once when the value becomes true and clearing when it is false
 * again (F11 "auto-clear on normal"). Sources: docs/domain.md B0, B1 (R01-R08), B4 (F11).
 *
 * - The raise key is the record's ts, so a resent event or reading raises nothing twice.
 * - The window is read at `record.ts` (when it happened, in the subject's zone), not at the decision
 *   time: a door opened at 05:59 and delivered at 06:01 still fires.
 * - Events are never ignored for being late (a delayed pendant press is still an alarm); metric
 *   readings older than the last one seen are ignored, since the edge depends on their order.
 * - With a window, the metric edge fires only if it happens inside the window; a condition that became
 *   true outside it is remembered (no alert) and still needs to turn false before it can fire again.
 * - Event alerts are not cleared by this kind (they are resolved by people); metric alerts are.
 */
import { z } from 'zod'
import type { IngestRecord } from '../../lib/records.ts'
import { unchanged, type RuleAction, type RuleKind, type Step, type Subject } from '../engine/types.ts'
import { LocalWindow, inWindow } from '../time.ts'
import { finite, isTs, objectError, metricName, metricOf, zoneOf } from './common-metric.ts'

/** The event-type rule ingest applies (ingest/device-payloads.ts): dotted lower-case words. */
const EventTypeName = z
  .string({ error: 'eventTypes must be event type names, e.g. "door.opened"' })
  .max(64, 'eventTypes entries are at most 64 characters')
  .regex(/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*){1,3}$/, 'eventTypes entries must be dotted lower-case words, e.g. "pendant.pressed"')

const MetricCondition = z
  .strictObject(
    {
      name: metricName('metric.name'),
      equals: finite('metric.equals').optional(),
      above: finite('metric.above').optional(),
    },
    objectError('metric must be an object { name, equals } or { name, above }'),
  )
  .superRefine((m, ctx) => {
    if ((m.equals === undefined) === (m.above === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['equals'], message: 'metric needs exactly one of equals or above' })
    }
  })

export const ImmediateParams = z.strictObject(
  {
    eventTypes: z
      .array(EventTypeName, { error: 'eventTypes must be a list of event types' })
      .min(1, 'eventTypes needs at least one event type')
      .max(32, 'eventTypes lists at most 32 event types'),
    window: LocalWindow.optional(),
    metric: MetricCondition.optional(),
  },
  objectError('params must be an object { eventTypes, window?, metric? }'),
)
export type ImmediateParams = z.infer<typeof ImmediateParams>

export interface ImmediateState {
  /** ts of the last metric reading taken into account; older readings are ignored. */
  lastMetricTs: number | null
  /** Whether the metric condition held at that reading. */
  metricOn: boolean
  /** The open metric alert, if the edge that made it true raised one. */
  metricKey: string | null
}

function empty(): ImmediateState {
  return { lastMetricTs: null, metricOn: false, metricKey: null }
}

/** State from storage as is, or empty if it is not the shape this kind writes (never throws). */
function read(state: unknown): ImmediateState {
  const s = state as Partial<ImmediateState> | null
  if (s === null || typeof s !== 'object') return empty()
  const ok = (s.lastMetricTs === null || isTs(s.lastMetricTs)) && typeof s.metricOn === 'boolean' && (s.metricKey === null || typeof s.metricKey === 'string')
  return ok ? (s as ImmediateState) : empty()
}

function onEvent(state: ImmediateState, record: IngestRecord & { kind: 'event' }, params: ImmediateParams, subject: Subject): Step<ImmediateState> {
  if (!params.eventTypes.includes(record.eventType) || !isTs(record.ts)) return unchanged(state)
  if (params.window !== undefined && !inWindow(record.ts, zoneOf(subject), params.window)) return unchanged(state)
  return { state, actions: [{ type: 'raise', key: String(record.ts), occurredAt: record.ts, facts: { eventType: record.eventType } }] }
}

function onMetric(state: ImmediateState, record: IngestRecord, params: ImmediateParams, subject: Subject): Step<ImmediateState> {
  const metric = params.metric
  if (metric === undefined) return unchanged(state)
  const value = metricOf(record, metric.name)
  if (value === undefined) return unchanged(state)
  const ts = record.ts
  if (state.lastMetricTs !== null && ts <= state.lastMetricTs) return unchanged(state)
  const on = metric.equals !== undefined ? value === metric.equals : value > (metric.above ?? Number.POSITIVE_INFINITY)
  const actions: RuleAction[] = []
  let key = state.metricKey
  if (on && !state.metricOn) {
    if (params.window === undefined || inWindow(ts, zoneOf(subject), params.window)) {
      key = String(ts)
      const facts: Record<string, number> = metric.equals !== undefined ? { value, equals: metric.equals } : { value, above: metric.above ?? 0 }
      actions.push({ type: 'raise', key, occurredAt: ts, facts })
    }
  } else if (!on && state.metricOn) {
    if (key !== null) actions.push({ type: 'clear', key, at: ts })
    key = null
  }
  return { state: { lastMetricTs: ts, metricOn: on, metricKey: key }, actions }
}

export const immediateKind: RuleKind<ImmediateParams, ImmediateState> = {
  kind: 'immediate',
  description: 'Raises at once on a listed event type (optionally only inside a local daily window), or on the edge of a telemetry value becoming true, clearing when it is false again.',
  params: ImmediateParams,
  init: () => ({ state: empty(), actions: [] }),
  onRecord(state, record, params, subject) {
    const s = read(state)
    if (record === null || typeof record !== 'object') return unchanged(s)
    if (record.kind === 'event') return onEvent(s, record, params, subject)
    return onMetric(s, record, params, subject)
  },
  onTimer: (state) => unchanged(read(state)),
}
