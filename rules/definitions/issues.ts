/**
 * Validation problems as one line each, pointing at the bad field: `rules[2].params.above: expected a
 * number, got "high"`. Zod's issues are rendered in plain words; a schema's own message (e.g. "a
 * local time is "HH:MM"") is kept as written.
 */
import type { z } from 'zod'
import { isPlainObject } from './deep-merge.ts'
import { didYouMean } from './suggest.ts'

export type FieldPath = readonly (string | number)[]

export interface FieldIssue {
  path: FieldPath
  message: string
}

/** `rules[2].params.above`; keys that are not plain names are quoted: `metrics["co2 ppm"]`. */
export function renderPath(path: FieldPath): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out === '' ? part : `.${part}`
    else out += `[${JSON.stringify(part)}]`
  }
  return out === '' ? '(top level)' : out
}

export function valueAt(root: unknown, path: FieldPath): unknown {
  let value = root
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string | number, unknown>)[part]
  }
  return value
}

const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object (a mapping of fields)',
  array: 'a list',
  record: 'an object (a mapping of fields)',
  date: 'a date',
  bigint: 'a whole number',
  null: 'null',
  literal: 'a fixed value',
}

/** What a value is, in words, for "got …". */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (isPlainObject(value)) return 'an object'
  return typeof value
}

const ZOD_DEFAULT = /^(Invalid|Too (small|big)|Unrecognized key|Expected)/

function bound(issue: { origin?: string; inclusive?: boolean }, kind: 'min' | 'max', limit: unknown): string {
  const n = Number(limit)
  switch (issue.origin) {
    case 'array':
    case 'set':
      return kind === 'min' ? `needs at least ${n} item${n === 1 ? '' : 's'}` : `takes at most ${n} item${n === 1 ? '' : 's'}`
    case 'string':
      return kind === 'min' ? (n === 1 ? 'must not be empty' : `needs at least ${n} characters`) : `takes at most ${n} characters`
    default: {
      const op = kind === 'min' ? (issue.inclusive === false ? '>' : '≥') : issue.inclusive === false ? '<' : '≤'
      return `must be ${op} ${String(limit)}`
    }
  }
}

/** The field names allowed at a path (relative to the parsed input), for "did you mean" on unknown fields. */
export type KnownFields = (path: FieldPath) => readonly string[]

function fromZodIssue(issue: z.core.$ZodIssue, input: unknown, prefix: FieldPath, knownFields: KnownFields): FieldIssue[] {
  const path = [...prefix, ...(issue.path as (string | number)[])]
  const value = valueAt(input, issue.path as (string | number)[])
  const custom = !ZOD_DEFAULT.test(issue.message)
  switch (issue.code) {
    case 'invalid_type': {
      const expected = TYPE_WORDS[issue.expected] ?? issue.expected
      return [{ path, message: value === undefined ? `required (${expected})` : `expected ${expected}, got ${describeValue(value)}` }]
    }
    case 'unrecognized_keys': {
      const known = knownFields(issue.path as (string | number)[])
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown field${didYouMean(key, known)}` }))
    }
    case 'invalid_value':
      if (value === undefined) return [{ path, message: `required (${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`})` }]
      if (custom) return [{ path, message: `${issue.message}, got ${describeValue(value)}` }]
      return [{ path, message: `expected ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`}, got ${describeValue(value)}${typeof value === 'string' ? didYouMean(value, issue.values.filter((v): v is string => typeof v === 'string')) : ''}` }]
    case 'too_small':
      return [{ path, message: custom ? issue.message : `${bound(issue, 'min', issue.minimum)}, got ${describeValue(value)}` }]
    case 'too_big':
      return [{ path, message: custom ? issue.message : `${bound(issue, 'max', issue.maximum)}, got ${describeValue(value)}` }]
    case 'invalid_format':
      return [{ path, message: custom ? `${issue.message}, got ${describeValue(value)}` : `not a valid ${issue.format}, got ${describeValue(value)}` }]
    case 'not_multiple_of':
      return [{ path, message: `must be a multiple of ${String(issue.divisor)}, got ${describeValue(value)}` }]
    case 'invalid_union': {
      if ('discriminator' in issue && typeof issue.discriminator === 'string') {
        const options = (issue as { options?: unknown[] }).options ?? []
        return [{ path: [...path, issue.discriminator], message: `expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${describeValue(valueAt(value, [issue.discriminator]))}` }]
      }
      // the alternative that got furthest explains best: one of the input's own type, then with fewest issues
      const wrongType = (errors: z.core.$ZodIssue[]) => (errors.some((e) => e.code === 'invalid_type' && e.path.length === 0) ? 1 : 0)
      const best = [...issue.errors].sort((a, b) => wrongType(a) - wrongType(b) || a.length - b.length)[0]
      if (best && best.length > 0) return best.flatMap((inner) => fromZodIssue(inner, value, path, () => []))
      return [{ path, message: custom ? issue.message : `does not match any allowed form, got ${describeValue(value)}` }]
    }
    default:
      return [{ path, message: custom ? issue.message : `invalid, got ${describeValue(value)}` }]
  }
}

/** Zod issues as field issues; paths are made absolute with `prefix` (e.g. ['rules', 2, 'params']). */
export function fieldIssues(error: z.ZodError, input: unknown, prefix: FieldPath = [], knownFields: KnownFields = () => []): FieldIssue[] {
  return error.issues.flatMap((issue) => fromZodIssue(issue, input, prefix, knownFields))
}

interface SchemaDef {
  type?: string
  shape?: Record<string, unknown>
  innerType?: unknown
  in?: unknown
  element?: unknown
}

function defOf(schema: unknown): SchemaDef | undefined {
  return (schema as { _zod?: { def?: SchemaDef } } | null)?._zod?.def
}

function unwrap(schema: unknown): unknown {
  for (let i = 0; i < 10; i++) {
    const def = defOf(schema)
    if (def?.innerType !== undefined) schema = def.innerType
    else if (def?.type === 'pipe' && def.in !== undefined) schema = def.in
    else break
  }
  return schema
}

/** The field names an object schema allows at `path` (best effort over zod's definition), for "did you mean". */
export function schemaFields(schema: unknown): KnownFields {
  return (path) => {
    let node = unwrap(schema)
    for (const part of path) {
      const def = defOf(node)
      if (typeof part === 'number' && def?.type === 'array') node = unwrap(def.element)
      else if (typeof part === 'string' && def?.type === 'object' && def.shape) node = unwrap(def.shape[part])
      else return []
    }
    const def = defOf(node)
    return def?.type === 'object' && def.shape ? Object.keys(def.shape) : []
  }
}

/**
 * Fields of `input` that the object schemas at their paths do not declare: a plain z.object strips
 * unknown keys silently, and a misspelt parameter must be reported, not ignored. Read from the
 * schema's input shape (best effort), so a schema that transforms its output is judged correctly.
 */
export function unknownFields(input: unknown, schema: unknown, prefix: FieldPath = []): FieldIssue[] {
  const known = schemaFields(schema)
  const walk = (value: unknown, path: FieldPath): FieldIssue[] => {
    if (Array.isArray(value)) return value.flatMap((item, i) => walk(item, [...path, i]))
    if (!isPlainObject(value)) return []
    const fields = known(path)
    if (fields.length === 0) return []
    return Object.entries(value).flatMap(([key, v]) =>
      fields.includes(key) ? walk(v, [...path, key]) : [{ path: [...prefix, ...path, key], message: `unknown field${didYouMean(key, fields)}` }],
    )
  }
  return walk(input, [])
}
