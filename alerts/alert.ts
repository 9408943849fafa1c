import { createHash } from 'node:crypto'
import { z } from 'zod'
import { PRIORITIES, type AlertCandidate } from '../lib/alert-contract.ts'

/** open → acknowledged (a responder) → resolved (the rule's condition cleared); open → resolved too. */
export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const
export type AlertStatus = (typeof ALERT_STATUSES)[number]

/** Numbers (finite), short codes and flags that explain a rule's decision; never free text or personal data. */
export const AlertFacts = z.record(z.string(), z.union([z.number(), z.string(), z.boolean()]))
export type AlertFacts = z.infer<typeof AlertFacts>

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
  /** When the rule's condition cleared (kept with acknowledgedAt/By when it had been acknowledged). */
  resolvedAt: z.string().optional(),
  /** The candidate's facts; absent when it had none. */
  facts: AlertFacts.optional(),
})
export type Alert = z.infer<typeof Alert>

/** Deterministic, so a re-evaluated trigger maps to the alert it already raised. */
export function alertIdFor(dedupeKey: string): string {
  return `al_${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 24)}`
}

/**
 * The candidate's facts that JSON can carry: a NaN or infinite number (a rule's bug) is left out, as
 * JSON would turn it into null and the alert would no longer parse. Undefined when none are left.
 */
function factsOf(candidate: AlertCandidate): AlertFacts | undefined {
  if (!candidate.facts) return undefined
  const entries = Object.entries(candidate.facts).filter(([, v]) => typeof v !== 'number' || Number.isFinite(v))
  return entries.length > 0 ? Object.fromEntries(entries) : undefined
}

export function alertFrom(candidate: AlertCandidate): Alert {
  const facts = factsOf(candidate)
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
    ...(facts ? { facts } : {}),
  }
}
