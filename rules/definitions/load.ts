/**
 * Loading a tenant's rules file: structure (schema.ts), then each rule's params against its kind,
 * then the overrides against the rules they name. Every problem is reported, one line each, with the
 * path of the bad field and, for text input, its line: `rules[2].params.above (line 14): expected a
 * number, got "high"`. Pure: the text in, a RulesConfig or a RULES_INVALID error out.
 */
import { createHash } from 'node:crypto'
import { LineCounter, parseDocument, isNode, type Document } from 'yaml'
import { LookoutError } from '../../lib/errors.ts'
import { PACKS } from '../catalogue/index.ts'
import type { AnyRuleKind } from '../engine/types.ts'
import { RULE_KINDS } from '../kinds/index.ts'
import { HUB_OFFLINE_RULE } from '../types.ts'
import { deepMerge } from './deep-merge.ts'
import { fieldIssues, renderPath, schemaFields, unknownFields, type FieldIssue, type FieldPath } from './issues.ts'
import {
  KNOWN_FIELDS,
  OVERRIDE_LEVELS,
  PACK_NAMES,
  RuleDefinition,
  RuleOverride,
  RulesFile,
  type LoadedOverride,
  type LoadedRule,
  type PackName,
  type RulesConfig,
} from './schema.ts'
import { didYouMean } from './suggest.ts'

export type RuleKinds = ReadonlyMap<string, AnyRuleKind>
export type Packs = Readonly<Record<PackName, readonly RuleDefinition[]>>

export interface LoadOptions {
  /** Named in messages, e.g. the file name. Default "rules". */
  source?: string | undefined
  /** Default RULE_KINDS. */
  kinds?: RuleKinds | undefined
  /** Default the shipped catalogue. */
  packs?: Packs | undefined
}

const MAX_REPORTED = 30

function knownFieldsOf(where: 'file' | 'rule' | 'override') {
  return (path: FieldPath): readonly string[] => {
    if (where === 'rule' && path.length === 1 && path[0] === 'appliesTo') return KNOWN_FIELDS.appliesTo
    if (where === 'rule' && path.length === 2 && path[0] === 'escalations') return KNOWN_FIELDS.escalation
    return path.length === 0 ? KNOWN_FIELDS[where] : []
  }
}

/** Parameters checked against a kind: its own messages, plus fields it does not know. */
export function checkParams(kind: AnyRuleKind, params: unknown, prefix: FieldPath): { ok: true; value: unknown } | { ok: false; issues: FieldIssue[] } {
  const result = kind.params.safeParse(params)
  if (!result.success) return { ok: false, issues: fieldIssues(result.error, params, prefix, schemaFields(kind.params)) }
  const unknown = unknownFields(params, kind.params, prefix)
  return unknown.length > 0 ? { ok: false, issues: unknown } : { ok: true, value: result.data }
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  )
}

const kindRegistryIds = new WeakMap<RuleKinds, number>()
let nextKindRegistryId = 1
/** Configs checked against different kind registries (tests) never share a resolver cache entry. */
function kindRegistryId(kinds: RuleKinds): number {
  const known = kindRegistryIds.get(kinds)
  if (known !== undefined) return known
  const id = nextKindRegistryId++
  kindRegistryIds.set(kinds, id)
  return id
}

interface RuleCheck {
  rule?: LoadedRule
  issues: FieldIssue[]
}

function loadRule(input: unknown, prefix: FieldPath, kinds: RuleKinds, pack: PackName | undefined): RuleCheck {
  const parsed = RuleDefinition.safeParse(input)
  const kindName = (input as { kind?: unknown } | null)?.kind
  const kind = typeof kindName === 'string' ? kinds.get(kindName) : undefined
  const kindIssues: FieldIssue[] = []
  if (typeof kindName === 'string' && kindName !== '' && !kind) {
    const known = [...kinds.keys()]
    kindIssues.push({ path: [...prefix, 'kind'], message: `no rule kind "${kindName}"${didYouMean(kindName, known)}; kinds: ${known.join(', ') || '(none)'}` })
  }
  if (!parsed.success) return { issues: [...fieldIssues(parsed.error, input, prefix, knownFieldsOf('rule')), ...kindIssues] }
  if (!kind) return { issues: kindIssues }
  const def = parsed.data
  const params = checkParams(kind, def.params, [...prefix, 'params'])
  if (!params.ok) return { issues: params.issues }
  return {
    issues: [],
    rule: {
      id: def.id,
      kind: def.kind,
      title: def.title,
      description: def.description,
      priority: def.priority,
      deviceTypes: def.appliesTo.deviceTypes,
      enabled: def.enabled,
      escalations: def.escalations,
      rawParams: def.params,
      pack,
    },
  }
}

/** Validates an already-parsed rules file. `lineOf` maps a field path to its line, for messages. */
export function parseRules(value: unknown, options: LoadOptions = {}, lineOf: (path: FieldPath) => number | undefined = () => undefined): RulesConfig {
  const source = options.source ?? 'rules'
  const kinds = options.kinds ?? RULE_KINDS
  const packs = options.packs ?? PACKS
  const issues: FieldIssue[] = []
  const fail = (): never => {
    const lines = issues.slice(0, MAX_REPORTED).map((issue) => {
      const line = issue.path[0] === 'catalogue' ? undefined : lineOf(issue.path)
      return `  ${renderPath(issue.path)}${line === undefined ? '' : ` (line ${line})`}: ${issue.message}`
    })
    if (issues.length > MAX_REPORTED) lines.push(`  … and ${issues.length - MAX_REPORTED} more`)
    throw new LookoutError('RULES_INVALID', `${source} is not a valid rules file (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`)
  }

  const file = RulesFile.safeParse(value)
  if (!file.success) {
    issues.push(...fieldIssues(file.error, value, [], knownFieldsOf('file')))
    fail()
  }
  const { tenant, packs: enabledPacks, rules: ownInputs, overrides: overrideInputs } = file.data!

  // shipped rules of the enabled packs (a broken catalogue is reported like a broken file)
  const shippedPack = new Map<string, PackName>()
  for (const name of PACK_NAMES) for (const def of packs[name] ?? []) shippedPack.set(def.id, name)
  const rules: LoadedRule[] = []
  /** Rules that exist but did not validate: overrides naming them are not checked (no cascade of messages). */
  const broken = new Set<string>()
  for (const name of new Set(enabledPacks)) {
    for (const def of packs[name] ?? []) {
      const check = loadRule(def, ['catalogue', name, def.id], kinds, name)
      issues.push(...check.issues)
      if (check.rule) rules.push(check.rule)
      else broken.add(def.id)
    }
  }
  const ownIds = new Map<string, number>()
  ownInputs.forEach((input, i) => {
    const check = loadRule(input, ['rules', i], kinds, undefined)
    issues.push(...check.issues)
    const id = (input as { id?: unknown } | null)?.id
    if (typeof id === 'string') {
      const idPath = ['rules', i, 'id']
      const pack = shippedPack.get(id)
      if (pack) issues.push({ path: idPath, message: `"${id}" is a shipped rule (pack ${pack}); enable the pack and change it with overrides, or choose another id` })
      else if (id === HUB_OFFLINE_RULE) issues.push({ path: idPath, message: `"${HUB_OFFLINE_RULE}" is reserved for the alert raised for an offline hub` })
      else if (ownIds.has(id)) issues.push({ path: idPath, message: `duplicate rule id "${id}" (also rules[${ownIds.get(id)}])` })
      else ownIds.set(id, i)
    }
    if (check.rule && !shippedPack.has(check.rule.id) && check.rule.id !== HUB_OFFLINE_RULE) rules.push(check.rule)
    else if (!check.rule && typeof id === 'string') broken.add(id)
  })

  const byId = new Map(rules.map((r) => [r.id, r]))
  const overrides: LoadedOverride[] = []
  overrideInputs.forEach((input, j) => {
    const prefix = ['overrides', j]
    const parsed = RuleOverride.safeParse(input)
    if (!parsed.success) {
      issues.push(...fieldIssues(parsed.error, input, prefix, knownFieldsOf('override')))
      return
    }
    const o = parsed.data
    const selectors = OVERRIDE_LEVELS.filter((level) => o[level] !== undefined)
    if (selectors.length > 1) {
      issues.push({ path: prefix, message: `give at most one of ${OVERRIDE_LEVELS.join(', ')} (got ${selectors.join(' and ')}); write one override per selector` })
      return
    }
    if (broken.has(o.rule)) return
    const rule = byId.get(o.rule)
    if (!rule) {
      const pack = shippedPack.get(o.rule)
      const message = pack
        ? `rule "${o.rule}" is in pack "${pack}", which is not enabled (add it to packs)`
        : `no rule "${o.rule}"${didYouMean(o.rule, byId.keys())}`
      issues.push({ path: [...prefix, 'rule'], message })
      return
    }
    if (o.deviceType !== undefined && !rule.deviceTypes.includes(o.deviceType)) {
      issues.push({ path: [...prefix, 'deviceType'], message: `rule "${rule.id}" applies to ${rule.deviceTypes.join(', ')} only, not ${o.deviceType}` })
      return
    }
    if (o.params !== undefined) {
      const kind = kinds.get(rule.kind)!
      const merged = deepMerge(rule.rawParams, o.params)
      const check = checkParams(kind, merged, [...prefix, 'params'])
      if (!check.ok) {
        issues.push(...check.issues)
        return
      }
    }
    const level = selectors[0]
    overrides.push({ index: j, rule: o.rule, level, match: level === undefined ? undefined : o[level], params: o.params, enabled: o.enabled, priority: o.priority })
  })

  if (issues.length > 0) fail()
  const version = createHash('sha256')
    .update(canonicalJson({ tenant, enabledPacks, rules, overrides }))
    .digest('hex')
    .slice(0, 16)
  return Object.freeze({
    tenant,
    version: `${version}-k${kindRegistryId(kinds)}`,
    packs: Object.freeze([...new Set(enabledPacks)]),
    rules: Object.freeze(rules.map((r) => Object.freeze(r))),
    overrides: Object.freeze(overrides.map((o) => Object.freeze(o))),
    source,
    kinds,
  })
}

function lineLocator(doc: Document, counter: LineCounter) {
  return (path: FieldPath): number | undefined => {
    // the deepest node that exists on the path (a missing field points at its parent)
    for (let depth = path.length; depth >= 0; depth--) {
      const node: unknown = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true)
      if (isNode(node) && node.range) return counter.linePos(node.range[0]).line
    }
    return undefined
  }
}

/** Parses rules file text, YAML 1.2 or JSON (JSON is YAML), then validates it (parseRules). */
export function parseRulesText(text: string, options: LoadOptions = {}): RulesConfig {
  const source = options.source ?? 'rules'
  const counter = new LineCounter()
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true })
  const error = doc.errors[0]
  if (error) {
    const line = error.pos === undefined ? undefined : counter.linePos(error.pos[0]).line
    throw new LookoutError('RULES_INVALID', `${source}${line === undefined ? '' : ` line ${line}`}: not valid YAML or JSON: ${error.message.split('\n')[0]}`)
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 })
  return parseRules(value, { ...options, source }, lineLocator(doc, counter))
}
