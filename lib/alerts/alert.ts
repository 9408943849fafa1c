import { createHash } from 'node:crypto'
import { z } from 'zod'
import { PRIORITIES, type AlertCandidate } from '../../rules/index.ts'

export const ALERT_STATUSES = ['open', 'acknowledged'] as const

export const Alert = z.object({
  id: z.string(),
  tenant: z.string(),
  deviceId: z.string(),
  site: z.string(),
  deviceType: z.string(),
  rule: z.string(),
  priority: z.enum(PRIORITIES),
  title: z.string(),
  status: z.enum(ALERT_STATUSES),
  occurredAt: z.string(),
  raisedAt: z.string(),
  acknowledgedAt: z.string().optional(),
  /** The id of the API token that acknowledged it (tokens are per person or console seat). */
  acknowledgedBy: z.string().optional(),
})
export type Alert = z.infer<typeof Alert>

/** Deterministic, so a re-evaluated trigger maps to the alert it already raised. */
export function alertIdFor(dedupeKey: string): string {
  return `al_${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 24)}`
}

export function alertFrom(candidate: AlertCandidate): Alert {
  return {
    id: alertIdFor(candidate.dedupeKey),
    tenant: candidate.tenant,
    deviceId: candidate.deviceId,
    site: candidate.site,
    deviceType: candidate.deviceType,
    rule: candidate.rule,
    priority: candidate.priority,
    title: candidate.title,
    status: 'open',
    occurredAt: new Date(candidate.occurredAt).toISOString(),
    raisedAt: new Date(candidate.raisedAt).toISOString(),
  }
}
