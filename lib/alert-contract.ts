// The contract between the rules, which ask for an alert, and the alert store, which raises it once per dedupe key.
/**
 * Priorities after docs/domain.md B0: P1 life-safety (ARC now; the 60 s / 180 s clock starts),
 * P2 urgent same shift, P3 prevention / next working day, P4 asset planning.
 */
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const
export type Priority = (typeof PRIORITIES)[number]

/** What a rule asks to raise. The alert store turns it into an alert, once per dedupe key. */
export interface AlertCandidate {
  rule: string
  priority: Priority
  title: string
  tenant: string
  deviceId: string
  site: string
  deviceType: string
  /** When the triggering event happened, epoch ms. */
  occurredAt: number
  /** When the rule decided, epoch ms. */
  raisedAt: number
  /** The same trigger evaluated twice (a retried job, a resent message) yields the same key. */
  dedupeKey: string
  /** Numbers or short codes that explain the decision (e.g. { value: 72.5, limit: 70 }); never free text or personal data. */
  facts?: Record<string, number | string | boolean> | undefined
}
