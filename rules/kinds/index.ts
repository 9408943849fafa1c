/**
 * The rule kinds by name: the `kind` field of a rule definition picks one. Each kind is a pure
 * evaluator (rules/engine/types.ts); index.test.ts checks every kind in this folder is listed here.
 */
import type { AnyRuleKind } from '../engine/types.ts'
import { absenceKind } from './absence.ts'
import { baselineKind } from './baseline.ts'
import { immediateKind } from './immediate.ts'
import { inactivityKind } from './inactivity.ts'
import { calorifierKind } from './legionella-calorifier.ts'
import { legionellaDrawKind } from './legionella-draw.ts'
import { outletUnusedKind } from './legionella-unused.ts'
import { rateOfChangeKind } from './rate-of-change.ts'
import { sequenceKind } from './sequence.ts'
import { sustainedKind } from './sustained.ts'
import { thresholdKind } from './threshold.ts'

const ALL: readonly AnyRuleKind[] = [
  immediateKind,
  thresholdKind,
  sustainedKind,
  rateOfChangeKind,
  absenceKind,
  inactivityKind,
  sequenceKind,
  baselineKind,
  legionellaDrawKind,
  outletUnusedKind,
  calorifierKind,
]

export const RULE_KINDS: ReadonlyMap<string, AnyRuleKind> = new Map(ALL.map((k) => [k.kind, k]))
