/**
 * When a water outlet is drawn, for the Legionella kinds (HSE L8 / HSG274; docs/domain.md B4 F12,
 * F14, F15): a flow event (`water.flow_started` by default), or, for an outlet with only a pipe or outlet
 * temperature probe, a temperature change of at least `deltaC` between two consecutive readings at
 * most `withinSeconds` apart; the draw then started at the earlier reading. A hot outlet warms
 * when drawn (a rise); a cold outlet moves toward the mains temperature, up in summer and down in
 * winter (either sign).
 */
import { z } from 'zod'
import type { IngestRecord } from '../../lib/records.ts'
import { finite, metricOf } from './common-metric.ts'
import { eventTypes, isEventOf } from './evidence.ts'

export const DEFAULT_FLOW_START = ['water.flow_started']

/** The flow-start schema, with `defaultTypes` when eventTypes is left out. */
export function flowStart(defaultTypes: readonly string[] = DEFAULT_FLOW_START) {
  return z
    .strictObject(
      {
        eventTypes: eventTypes('flowStart.eventTypes').default([...defaultTypes]),
        temperatureChange: z
          .strictObject(
            {
              deltaC: finite('flowStart.temperatureChange.deltaC').positive('flowStart.temperatureChange.deltaC must be more than 0 °C').max(50, 'flowStart.temperatureChange.deltaC must be at most 50 °C'),
              withinSeconds: finite('flowStart.temperatureChange.withinSeconds')
                .positive('flowStart.temperatureChange.withinSeconds must be more than 0')
                .max(3600, 'flowStart.temperatureChange.withinSeconds must be at most 3600')
                .default(60),
            },
            { error: (issue) => (issue.code === 'invalid_type' ? 'flowStart.temperatureChange must be { "deltaC": 5, "withinSeconds": 60 }' : undefined) },
          )
          .optional(),
      },
      { error: (issue) => (issue.code === 'invalid_type' ? 'flowStart must be an object: { "eventTypes": [...], "temperatureChange": {...} }' : undefined) },
    )
    .prefault({})
}
export type FlowStart = z.infer<ReturnType<typeof flowStart>>

export interface Reading {
  ts: number
  value: number
}

/** When a draw started, if `record` (at `t`) shows one: the event's time, or the reading before a large enough change. */
export function drawStartOf(record: IngestRecord, t: number, flow: FlowStart, metric: string, prev: Reading | null, direction: 'rise' | 'either'): number | undefined {
  if (isEventOf(record, flow.eventTypes)) return t
  const change = flow.temperatureChange
  const value = metricOf(record, metric)
  if (change === undefined || prev === null || value === undefined) return undefined
  if (t <= prev.ts || t - prev.ts > change.withinSeconds * 1000) return undefined
  const delta = value - prev.value
  return (direction === 'rise' ? delta >= change.deltaC : Math.abs(delta) >= change.deltaC) ? prev.ts : undefined
}

/** The reading to compare the next one with: the newest seen. */
export function latestReading(prev: Reading | null, record: IngestRecord, t: number, metric: string): Reading | null {
  const value = metricOf(record, metric)
  if (value === undefined || (prev !== null && t <= prev.ts)) return prev
  return { ts: t, value }
}

export function isReading(value: unknown): value is Reading | null {
  return value === null || (typeof value === 'object' && typeof (value as Reading).ts === 'number' && typeof (value as Reading).value === 'number')
}
