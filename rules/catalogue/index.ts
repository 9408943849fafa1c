/**
 * The shipped catalogue: the rules of docs/domain.md B that the rule kinds can express, grouped
 * into packs a tenant enables in its rules file (`packs: [responder]`). Documented in docs/rules.md,
 * generated from this data (scripts/write-rules-doc.ts).
 */
import type { PackName, RuleDefinition } from '../definitions/schema.ts'
import { DEVICE_HEALTH_RULES } from './device-health.ts'
import { FACILITIES_RULES } from './facilities.ts'
import { RESPONDER_RULES } from './responder.ts'

export const PACKS: Readonly<Record<PackName, readonly RuleDefinition[]>> = {
  responder: RESPONDER_RULES,
  'device-health': DEVICE_HEALTH_RULES,
  facilities: FACILITIES_RULES,
}

export const PACK_AUDIENCES: Readonly<Record<PackName, string>> = {
  responder: 'telecare responders and the ARC (docs/domain.md B1)',
  'device-health': 'the TEC technical team (docs/domain.md B2)',
  facilities: 'facilities managers and water-hygiene contractors (docs/domain.md B4)',
}

export { DEVICE_HEALTH_RULES, FACILITIES_RULES, RESPONDER_RULES }
