/**
 * What the absence, sequence, baseline and water-hygiene kinds take as evidence: which records
 * count (a `match`), when a record happened for a rule's purposes, and the timer action that
 * follows from a due time. Pure.
 */
import { z } from 'zod'
import type { IngestRecord } from '../../lib/records.ts'
import type { RuleAction, Step } from '../engine/types.ts'
import { isTs, MetricName, metricOf } from './common-metric.ts'

/** A non-empty list of event types; `field` is named in the message. Types need not be canonical (a tenant's own dotted types are stored too). */
export function eventTypes(field: string) {
  return z
    .array(z.string({ error: `${field} must be a list of event types, e.g. ["motion.detected"]` }).min(1, `${field} cannot hold an empty event type`), {
      error: `${field} must be a list of event types, e.g. ["motion.detected"]`,
    })
    .min(1, `${field} needs at least one event type`)
}

/**
 * Which records count. Left out (or `{}`): any record from the device. With `eventTypes`, events of
 * those types; with `metrics`, telemetry carrying one of them; with both, either.
 */
export const Match = z.strictObject(
  {
    eventTypes: eventTypes('match.eventTypes').optional(),
    metrics: z
      .array(MetricName, { error: 'match.metrics must be a list of metric names, e.g. ["temperature"]' })
      .min(1, 'match.metrics needs at least one metric (leave it out to count events only)')
      .optional(),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'match must be an object with eventTypes and/or metrics' : undefined) },
)
export type Match = z.infer<typeof Match>

/**
 * Written by Lookout itself, not sent by the device: a disconnect or a registration is no evidence
 * that the device (or the person) is there, so it never resets an absence clock. (`device.connected`
 * is: the device itself connected.)
 */
export const NOT_FROM_DEVICE: readonly string[] = ['device.disconnected', 'device.registered']

/** Whether the record was produced by the device (see NOT_FROM_DEVICE). */
export function fromDevice(record: IngestRecord): boolean {
  if (record === null || typeof record !== 'object') return false
  if (record.kind === 'telemetry') return true
  return record.kind === 'event' && typeof record.eventType === 'string' && !NOT_FROM_DEVICE.includes(record.eventType)
}

/** Whether `record` counts under `match` (see Match). Odd input counts as no match. */
export function matches(record: IngestRecord, match: Match | undefined): boolean {
  if (!fromDevice(record)) return false
  if (match === undefined || (match.eventTypes === undefined && match.metrics === undefined)) return true
  if (record.kind === 'event') return match.eventTypes?.includes(record.eventType) ?? false
  return match.metrics?.some((m) => metricOf(record, m) !== undefined) ?? false
}

/** Whether `record` is an event of one of `types`. */
export function isEventOf(record: IngestRecord, types: readonly string[]): boolean {
  return record !== null && typeof record === 'object' && record.kind === 'event' && types.includes(record.eventType)
}

/**
 * When the record happened, for a rule: its `ts`, but never after the decision time `now` (a device
 * clock running fast must not push an episode into the future). undefined for an unusable ts.
 */
export function happenedAt(record: IngestRecord, now: number): number | undefined {
  if (record === null || typeof record !== 'object' || !isTs(record.ts)) return undefined
  return Math.min(record.ts, now)
}

/** When Lookout received the record (link evidence for heartbeat rules), never after `now`. */
export function receivedAt(record: IngestRecord, now: number): number | undefined {
  if (record === null || typeof record !== 'object' || !isTs(record.receivedAt)) return undefined
  return Math.min(record.receivedAt, now)
}

/** Arm `timer` at `at`, or cancel it when nothing is due. */
export function timerAction(timer: string, at: number | null): RuleAction {
  return at === null ? { type: 'disarm', timer } : { type: 'arm', timer, at }
}

/**
 * State from an older version, or damaged, is replaced by a fresh `init` (whose timer actions are
 * kept) rather than throwing mid-evaluation; `valid` says whether the stored state is usable.
 */
export function usable<S>(state: unknown, valid: (s: Record<string, unknown>) => boolean, fresh: () => Step<S>): Step<S> {
  if (state !== null && typeof state === 'object' && valid(state as Record<string, unknown>)) return { state: state as S, actions: [] }
  return fresh()
}
