/**
 * Job contracts of rule history (history-worker.ts):
 *   rules-history   job "read":    { tenant, deviceId, ruleId, request }   a rule's HistoryRequest
 *   rules-p<N>      job "history": { deviceId, ruleId, token, periods }     the summary, per period
 * Written by Lookout itself; read with a schema all the same (a few jobs per device, ever).
 */
import { z } from 'zod'

const epochMs = z.number().int().nonnegative()

export const HistoryRequestJob = z.object({
  tenant: z.string().min(1),
  deviceId: z.string().min(1),
  ruleId: z.string().min(1),
  request: z.object({
    token: epochMs,
    eventTypes: z.array(z.string().min(1)).min(1).readonly(),
    mergeMs: z.number().nonnegative(),
    periods: z.array(z.object({ start: epochMs, end: epochMs })).max(100).readonly(),
  }),
})
export type HistoryRequestJob = z.infer<typeof HistoryRequestJob>

export const HistoryAnswerJob = z.object({
  deviceId: z.string().min(1),
  ruleId: z.string().min(1),
  token: epochMs,
  periods: z.array(z.object({ episodes: z.number().int().nonnegative(), active: z.boolean() })).max(100).readonly(),
})
export type HistoryAnswerJob = z.infer<typeof HistoryAnswerJob>

export function readHistoryRequestJob(data: unknown): HistoryRequestJob | undefined {
  const parsed = HistoryRequestJob.safeParse(data)
  return parsed.success ? parsed.data : undefined
}

export function readHistoryAnswerJob(data: unknown): HistoryAnswerJob | undefined {
  const parsed = HistoryAnswerJob.safeParse(data)
  return parsed.success ? parsed.data : undefined
}
