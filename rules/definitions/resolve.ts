/**
 * Which rules apply to a subject, with which parameters. Pure, and cached by (config version,
 * subject), since it runs for every record.
 *
 * A rule applies to a subject when the subject's device type is in its `appliesTo.deviceTypes` and
 * it is enabled. Overrides that match the subject are applied in rising precedence:
 *
 *   rule defaults < override with no selector < deviceType < site < resident < device
 *
 * (within one level, later in the file wins). `params` deep-merge, `enabled` and `priority` replace.
 * The merged params are validated by the rule's kind again (each override was checked alone at load).
 */
import { LookoutError } from '../../lib/errors.ts'
import type { Subject, AnyRuleKind } from '../engine/types.ts'
import type { Priority } from '../types.ts'
import { deepMerge } from './deep-merge.ts'
import { renderPath } from './issues.ts'
import { checkParams } from './load.ts'
import type { Escalation, LoadedOverride, LoadedRule, OverrideLevel, PackName, RulesConfig } from './schema.ts'

export interface ResolvedRule {
  readonly id: string
  readonly kind: string
  readonly title: string
  readonly priority: Priority
  /** Raises whose key ends with a suffix here take its priority instead. */
  readonly escalations: readonly Escalation[]
  /** Merged and validated by the kind (defaults filled). */
  readonly params: unknown
  /** The kind's implementation. */
  readonly impl: AnyRuleKind
  readonly pack?: PackName | undefined
}

const RANK: Record<OverrideLevel | 'all', number> = { all: 0, deviceType: 1, site: 2, resident: 3, device: 4 }

function matches(o: LoadedOverride, subject: Subject): boolean {
  switch (o.level) {
    case undefined:
      return true
    case 'deviceType':
      return o.match === subject.deviceType
    case 'site':
      return o.match === subject.site
    case 'resident':
      return subject.resident !== undefined && o.match === subject.resident
    case 'device':
      return o.match === subject.deviceId
  }
}

interface ConfigIndex {
  /** Per rule id, its overrides in application order (rising precedence, then file order). */
  overrides: Map<string, LoadedOverride[]>
  /** Validated params per (rule, applied overrides). */
  params: Map<string, unknown>
}

const indexes = new WeakMap<RulesConfig, ConfigIndex>()

function indexOf(config: RulesConfig): ConfigIndex {
  let index = indexes.get(config)
  if (!index) {
    const overrides = new Map<string, LoadedOverride[]>()
    for (const o of config.overrides) {
      const list = overrides.get(o.rule) ?? []
      list.push(o)
      overrides.set(o.rule, list)
    }
    for (const list of overrides.values()) list.sort((a, b) => RANK[a.level ?? 'all'] - RANK[b.level ?? 'all'] || a.index - b.index)
    index = { overrides, params: new Map() }
    indexes.set(config, index)
  }
  return index
}

function resolveRule(config: RulesConfig, index: ConfigIndex, rule: LoadedRule, subject: Subject): ResolvedRule | undefined {
  if (!rule.deviceTypes.includes(subject.deviceType as never)) return undefined
  const applied = (index.overrides.get(rule.id) ?? []).filter((o) => matches(o, subject))
  let enabled = rule.enabled
  let priority = rule.priority
  for (const o of applied) {
    if (o.enabled !== undefined) enabled = o.enabled
    if (o.priority !== undefined) priority = o.priority
  }
  if (!enabled) return undefined
  const impl = config.kinds.get(rule.kind)!
  const withParams = applied.filter((o) => o.params !== undefined)
  const paramsKey = `${rule.id}\u0000${withParams.map((o) => o.index).join(',')}`
  let params = index.params.get(paramsKey)
  if (params === undefined) {
    const merged = withParams.reduce<unknown>((acc, o) => deepMerge(acc, o.params), rule.rawParams)
    const check = checkParams(impl, merged, ['params'])
    if (!check.ok) {
      const from = withParams.map((o) => `overrides[${o.index}]`).join(', ')
      const problems = check.issues.map((i) => `${renderPath(i.path)}: ${i.message}`).join('; ')
      throw new LookoutError('RULES_INVALID', `${config.source}: ${from} together give rule "${rule.id}" invalid params for device ${subject.deviceId}: ${problems}`)
    }
    params = Object.freeze(check.value)
    index.params.set(paramsKey, params)
  }
  return Object.freeze({ id: rule.id, kind: rule.kind, title: rule.title, priority, escalations: rule.escalations, params, impl, pack: rule.pack })
}

const CACHE_LIMIT = 100_000
const cache = new Map<string, readonly ResolvedRule[]>()

function subjectKey(subject: Subject): string {
  return [subject.deviceId, subject.deviceType, subject.site, subject.resident ?? ''].join('\u0000')
}

/** The rules that apply to `subject`, in config order (pack rules, then the tenant's own). Frozen; do not mutate. */
export function rulesFor(config: RulesConfig, subject: Subject): readonly ResolvedRule[] {
  if (subject.tenant !== config.tenant) {
    throw new LookoutError('RULES_TENANT_MISMATCH', `rules of tenant "${config.tenant}" were asked for device ${subject.deviceId} of tenant "${subject.tenant}"`)
  }
  const key = `${config.version}\u0000${subjectKey(subject)}`
  const hit = cache.get(key)
  if (hit) return hit
  const index = indexOf(config)
  const resolved = Object.freeze(config.rules.map((rule) => resolveRule(config, index, rule, subject)).filter((r): r is ResolvedRule => r !== undefined))
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!)
  cache.set(key, resolved)
  return resolved
}
