/**
 * The rule definition format (docs/rules.md): what a tenant's rules file holds and what the shipped
 * catalogue is made of. This is the structural layer; `params` are checked against the rule's kind
 * when the file is loaded (load.ts), because each kind has its own parameters.
 */
import { z } from 'zod'
import { DEVICE_TYPES, type DeviceType } from '../../lib/device-types.ts'
import { TENANT_ID, TENANT_ID_RULE } from '../../lib/ids.ts'
import type { AnyRuleKind } from '../engine/types.ts'
import { PRIORITIES, type Priority } from '../types.ts'

/** Rule ids appear in dedupe keys (`tenant|device|rule|key`) and metrics labels. */
export const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
export const RULE_ID_RULE = 'letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64 characters'

/** The shipped packs a tenant can enable (rules/catalogue). */
export const PACK_NAMES = ['responder', 'device-health', 'facilities'] as const
export type PackName = (typeof PACK_NAMES)[number]

const DeviceTypeName = z.enum(DEVICE_TYPES)

export const RuleDefinition = z.strictObject({
  /** e.g. "R07" (shipped) or "acme-door-night" (a tenant's own). */
  id: z.string().regex(RULE_ID, `a rule id is ${RULE_ID_RULE}`),
  /** The rule kind that evaluates it: a key of RULE_KINDS (rules/kinds/index.ts). */
  kind: z.string().min(1),
  /** Short, shown on the alert; no personal data. */
  title: z.string().min(1).max(80, 'a title takes at most 80 characters'),
  /** What it detects and why, with its source. */
  description: z.string().min(1),
  priority: z.enum(PRIORITIES),
  /** The device types it applies to by default. */
  appliesTo: z.strictObject({ deviceTypes: z.array(DeviceTypeName).min(1) }),
  /** Off by default when false: it then applies only where an override enables it (e.g. a room-specific rule per device). */
  enabled: z.boolean().default(true),
  /** Raises whose episode key ends with `keySuffix` (a kind's escalation, e.g. ":repeated") take this priority. */
  escalations: z.array(z.strictObject({ keySuffix: z.string().min(1), priority: z.enum(PRIORITIES) })).default([]),
  /** The kind's parameters; validated by the kind. */
  params: z.record(z.string(), z.unknown()).default({}),
})
export type RuleDefinition = z.input<typeof RuleDefinition>
export interface Escalation {
  keySuffix: string
  priority: Priority
}
export type ParsedRuleDefinition = z.output<typeof RuleDefinition>

/** The selectors of an override, in rising precedence: a more specific one wins. */
export const OVERRIDE_LEVELS = ['deviceType', 'site', 'resident', 'device'] as const
export type OverrideLevel = (typeof OVERRIDE_LEVELS)[number]

export const RuleOverride = z.strictObject({
  /** The id of a rule of an enabled pack or of the file's own rules. */
  rule: z.string().min(1),
  device: z.string().min(1).optional(),
  site: z.string().min(1).optional(),
  /** An opaque resident id (never a name). */
  resident: z.string().min(1).optional(),
  deviceType: DeviceTypeName.optional(),
  /** Partial parameters, deep-merged over the rule's (and less specific overrides'). */
  params: z.record(z.string(), z.unknown()).optional(),
  enabled: z.boolean().optional(),
  priority: z.enum(PRIORITIES).optional(),
})
export type RuleOverride = z.output<typeof RuleOverride>

export const RulesFile = z.strictObject({
  tenant: z.string().regex(TENANT_ID, `a tenant id is ${TENANT_ID_RULE}`),
  packs: z.array(z.enum(PACK_NAMES)).default([]),
  rules: z.array(z.unknown()).default([]),
  overrides: z.array(z.unknown()).default([]),
})

export const KNOWN_FIELDS = {
  file: Object.keys(RulesFile.shape),
  rule: Object.keys(RuleDefinition.shape),
  appliesTo: ['deviceTypes'],
  escalation: ['keySuffix', 'priority'],
  override: Object.keys(RuleOverride.shape),
} as const

/** A rule as loaded: its definition with defaults filled and its default params validated by its kind. */
export interface LoadedRule {
  id: string
  kind: string
  title: string
  description: string
  priority: Priority
  deviceTypes: readonly DeviceType[]
  enabled: boolean
  escalations: readonly Escalation[]
  /** The params as written (merged with overrides before validation). */
  rawParams: Record<string, unknown>
  /** The shipped pack it comes from, or undefined for a tenant's own rule. */
  pack?: PackName | undefined
}

/** An override as loaded, with its level and its place in the file (later wins within a level). */
export interface LoadedOverride {
  index: number
  rule: string
  /** undefined: applies to every subject of the rule (just above the rule's defaults). */
  level: OverrideLevel | undefined
  match: string | undefined
  params?: Record<string, unknown> | undefined
  enabled?: boolean | undefined
  priority?: Priority | undefined
}

/** A validated rules file: the input of the resolver. Immutable. */
export interface RulesConfig {
  tenant: string
  /** Content hash of the file (and of the catalogue and kinds it was checked against): the resolver's cache key. */
  version: string
  packs: readonly PackName[]
  /** Pack rules first (pack order, catalogue order), then the tenant's own, in file order. */
  rules: readonly LoadedRule[]
  overrides: readonly LoadedOverride[]
  /** Where it came from, for messages (a file name, or "inline"). */
  source: string
  /** The kinds it was validated against (RULE_KINDS unless a test gave others). */
  kinds: ReadonlyMap<string, AnyRuleKind>
}
