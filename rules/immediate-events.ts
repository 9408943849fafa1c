/**
 * Immediate event rules: one event of a given type raises one alert at once. Pure: the decision
 * time is an argument. Priorities and sources: ../shared/domain.md B0 (SCAIP device taxonomy,
 * ARC practice "smoke → fire service first").
 */
import type { IngestRecord } from '../lib/records.ts'
import type { AlertCandidate, Priority } from './types.ts'

export interface ImmediateEventRule {
  id: string
  eventType: string
  priority: Priority
  title: string
  source: string
}

export const IMMEDIATE_EVENT_RULES: readonly ImmediateEventRule[] = [
  { id: 'pendant-press', eventType: 'pendant.pressed', priority: 'P1', title: 'Pendant pressed', source: 'domain.md B0: personal trigger 0003, stc 0010 manual alarm → P1' },
  { id: 'pull-cord', eventType: 'pullcord.pulled', priority: 'P1', title: 'Pull-cord pulled', source: 'domain.md B0: pull-cord 0004, stc 0010 manual alarm → P1' },
  { id: 'fall-detected', eventType: 'fall.detected', priority: 'P1', title: 'Fall detected', source: 'domain.md B0: fall detector 0005, stc 0009 automatic alarm → P1' },
  { id: 'smoke-alarm', eventType: 'smoke.detected', priority: 'P1', title: 'Smoke alarm', source: 'domain.md B0: smoke 0023 alarm → P1 (fire and rescue first)' },
]

export function evaluateImmediateEvent(record: IngestRecord, rules: readonly ImmediateEventRule[], now: number): AlertCandidate[] {
  if (record.kind !== 'event') return []
  return rules
    .filter((rule) => rule.eventType === record.eventType)
    .map((rule) => ({
      rule: rule.id,
      priority: rule.priority,
      title: rule.title,
      tenant: record.tenant,
      deviceId: record.deviceId,
      site: record.site,
      deviceType: record.deviceType,
      occurredAt: record.ts,
      raisedAt: now,
      dedupeKey: `${record.tenant}|${record.deviceId}|${rule.id}|${record.ts}`,
    }))
}
