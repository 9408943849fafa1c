/**
 * SenML JSON packs (RFC 8428, application/senml+json) → resolved records (§4.6) → canonical
 * readings, one Normalized per distinct time. Pure: `receivedAt` (epoch ms) is "now" for relative
 * times. Never throws.
 *
 * Resolution (§4.1, §4.5): base fields apply to their record and every later record until the next
 * record with the same base field. name = bn + n; time = bt + t (seconds; missing = 0); a time
 * below 2**28 is relative to "now" (§4.5.3); unit = u, else bu; value = bv + v; sum = bs + s (a sum
 * only if either is present). The resolved name must match §4.5.1: letters, digits and "-:./_",
 * starting with a letter or digit. Resolved records are in chronological order and carry `bver`
 * only when the version is not 10 (§4.6).
 *
 * Refused (senml_invalid): not an array of 1..MAX_SENML_RECORDS objects; a field of the wrong JSON
 * type (Table 2); a label ending in "_" (must-understand, §4.4); bver not a positive integer,
 * above 10 (§4.4: "MUST NOT use"), or differing between records (§4.4: one version per pack); more
 * than one of v/vs/vb/vd, or none and no sum (§4.2); a bad name. A non-finite time is refused; a
 * timestamp before 2000 (payload_invalid) or more than 5 minutes ahead (timestamp_in_future)
 * follows ingest/device-payloads.ts.
 *
 * Decisions (../ingest/formats/fixtures/senml/SOURCE.md asks for them to be explicit):
 * - A record holding only base fields and no value (RFC 8428 §5.1.7, ex9's first record) resolves
 *   to nothing: §4.6 strips base fields, and nothing is left.
 * - A `vd` (data value) record is kept: it is a value like any other (it ends up in `unmapped`).
 * - Unknown labels not ending in "_" are ignored (§4.4), e.g. `l` (links) in ex8.
 *
 * Mapping (parseSenml): the metric name is the part of the resolved name after the last ':' or
 * '/' (the device's identity comes from its MQTT connection, not from the name); then the
 * vocabulary (ingest/vocabulary) with the record's unit. A name that is only an identifier
 * (ex1's `10e2073a01080063`) takes the metric its unit implies. `vb` → 0/1 where the metric is
 * binary; `vs`/`vd` and anything that does not map → `unmapped`. A sum (`s`) in W is W·s, i.e. an
 * energy, and maps as `energy`; other sums are kept as `<name>.sum`.
 */
import { normalizeEntries, type FieldEntry, type NormalizeOptions } from '../vocabulary/normalize.ts'
import { checkKeys } from './json.ts'
import { checkTimestamp } from './timestamps.ts'
import { accept, reject, type FormatResult, type Normalized } from './types.ts'

export const MAX_SENML_RECORDS = 256
export const SENML_VERSION = 10
export const MAX_SENML_NAME_LENGTH = 256
/** §4.5.3: times below this are relative to "now". */
export const SENML_RELATIVE_TIME_LIMIT = 2 ** 28

/** A resolved SenML record (RFC 8428 §4.6): no base fields except bver, absolute time in seconds. */
export interface ResolvedSenmlRecord {
  bver?: number
  n: string
  u?: string
  v?: number
  vs?: string
  vb?: boolean
  vd?: string
  s?: number
  t: number
  ut?: number
}

const LABEL_TYPES: Readonly<Record<string, 'string' | 'number' | 'boolean'>> = {
  bn: 'string',
  bt: 'number',
  bu: 'string',
  bv: 'number',
  bs: 'number',
  bver: 'number',
  n: 'string',
  u: 'string',
  v: 'number',
  vs: 'string',
  vb: 'boolean',
  vd: 'string',
  s: 'number',
  t: 'number',
  ut: 'number',
}
const VALUE_LABELS = ['v', 'vs', 'vb', 'vd'] as const
const NAME = /^[A-Za-z0-9][-:./_A-Za-z0-9]*$/
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/

type RawRecord = Record<string, unknown>

export function resolveSenml(json: unknown, receivedAt: number): FormatResult<ResolvedSenmlRecord[]> {
  if (!Array.isArray(json)) return reject('senml_invalid', 'a SenML pack is a JSON array of records')
  if (json.length === 0) return reject('senml_invalid', 'the SenML pack has no records')
  if (json.length > MAX_SENML_RECORDS) {
    return reject('senml_invalid', `the SenML pack has ${json.length} records; the limit is ${MAX_SENML_RECORDS}`)
  }
  const forbidden = checkKeys(json)
  if (forbidden !== undefined) return reject('payload_invalid', forbidden)

  let bn = ''
  let bt = 0
  let bu: string | undefined
  let bv: number | undefined
  let bs: number | undefined
  let version: number | undefined
  const resolved: ResolvedSenmlRecord[] = []
  for (let i = 0; i < json.length; i++) {
    const at = `[${i}]`
    const record = json[i] as unknown
    if (record === null || typeof record !== 'object' || Array.isArray(record)) return reject('senml_invalid', `${at} is not a JSON object`)
    const problem = checkRecord(record as RawRecord, at)
    if (problem !== undefined) return reject('senml_invalid', problem)
    const r = record as RawRecord
    if (r.bver !== undefined) {
      const bver = r.bver as number
      if (!Number.isInteger(bver) || bver < 1) return reject('senml_invalid', `${at}.bver must be a positive integer`)
      if (bver > SENML_VERSION) return reject('senml_invalid', `${at}.bver is newer than SenML version ${SENML_VERSION}, the newest Lookout understands`)
      if (version !== undefined && bver !== version) return reject('senml_invalid', `${at}.bver differs from an earlier record: all records of a pack must have the same version`)
      version = bver
    }
    if (r.bn !== undefined) bn = r.bn as string
    if (r.bt !== undefined) bt = r.bt as number
    if (r.bu !== undefined) bu = r.bu as string
    if (r.bv !== undefined) bv = r.bv as number
    if (r.bs !== undefined) bs = r.bs as number

    const values = VALUE_LABELS.filter((label) => r[label] !== undefined)
    if (values.length > 1) return reject('senml_invalid', `${at} has more than one value field (${values.join(', ')}); exactly one is allowed`)
    const hasSum = r.s !== undefined || bs !== undefined
    if (values.length === 0 && !hasSum && bv === undefined) {
      if (Object.keys(r).every((label) => label.startsWith('b'))) continue
      return reject('senml_invalid', `${at} has no value (v, vs, vb or vd) and no sum (s)`)
    }

    const name = bn + ((r.n as string | undefined) ?? '')
    if (name.length > MAX_SENML_NAME_LENGTH) return reject('senml_invalid', `${at}: the resolved name is longer than ${MAX_SENML_NAME_LENGTH} characters`)
    if (!NAME.test(name)) {
      return reject('senml_invalid', `${at}: the resolved name (bn + n) must be letters, digits and "-:./_", starting with a letter or digit (RFC 8428 §4.5.1)`)
    }
    const time = bt + ((r.t as number | undefined) ?? 0)
    if (!Number.isFinite(time)) return reject('senml_invalid', `${at}: the time (bt + t) is not a finite number`)
    const seconds = time < SENML_RELATIVE_TIME_LIMIT ? (receivedAt + Math.round(time * 1000)) / 1000 : Math.round(time * 1e6) / 1e6
    const checked = checkTimestamp(Math.round(seconds * 1000), receivedAt, `${at}: the time (bt + t)`)
    if (!checked.ok) return checked

    const out: ResolvedSenmlRecord = { n: name, t: seconds }
    if (version !== undefined && version !== SENML_VERSION) out.bver = version
    const unit = (r.u as string | undefined) ?? bu
    if (unit !== undefined) out.u = unit
    if (r.v !== undefined || (values.length === 0 && bv !== undefined)) out.v = (bv ?? 0) + ((r.v as number | undefined) ?? 0)
    if (r.vs !== undefined) out.vs = r.vs as string
    if (r.vb !== undefined) out.vb = r.vb as boolean
    if (r.vd !== undefined) out.vd = r.vd as string
    if (hasSum) out.s = (bs ?? 0) + ((r.s as number | undefined) ?? 0)
    if (r.ut !== undefined) out.ut = r.ut as number
    resolved.push(out)
  }
  // §4.6: chronological order; Array.prototype.sort is stable, so records at one time keep pack order
  return accept(resolved.sort((a, b) => a.t - b.t))
}

function checkRecord(r: RawRecord, at: string): string | undefined {
  for (const label of Object.keys(r)) {
    if (label.endsWith('_')) return `${at}.${label}: labels ending in "_" must be understood, and Lookout does not know this one (RFC 8428 §4.4)`
    const expected = Object.hasOwn(LABEL_TYPES, label) ? LABEL_TYPES[label] : undefined
    if (expected !== undefined && typeof r[label] !== expected) return `${at}.${label} must be a ${expected}`
  }
  for (const label of ['bt', 't', 'ut'] as const) {
    if (r[label] !== undefined && !Number.isFinite(r[label])) return `${at}.${label} must be a finite number`
  }
  if (typeof r.vd === 'string' && !BASE64URL.test(r.vd)) return `${at}.vd must be base64url (RFC 4648 §5)`
  return undefined
}

/** The metric part of a resolved name: after the last ':' or '/'. */
export function senmlMetricName(name: string): string {
  return name.slice(Math.max(name.lastIndexOf(':'), name.lastIndexOf('/')) + 1)
}

export type TimedNormalized = Normalized & { ts: number }

export function parseSenml(json: unknown, receivedAt: number, options: NormalizeOptions = {}): FormatResult<TimedNormalized[]> {
  const resolved = resolveSenml(json, receivedAt)
  if (!resolved.ok) return resolved
  const byTime = new Map<number, FieldEntry[]>()
  for (const record of resolved.value) {
    const ts = Math.round(record.t * 1000)
    const entries = byTime.get(ts) ?? []
    byTime.set(ts, entries)
    const field = senmlMetricName(record.n)
    const value = record.v ?? record.vb ?? record.vs ?? record.vd
    if (value !== undefined) entries.push({ field, value, unit: record.u })
    if (record.s !== undefined) {
      entries.push(record.u === 'W' ? { field: 'energy', value: record.s, unit: 'J' } : { field: `${field}.sum`, value: record.s, unit: record.u })
    }
  }
  return accept([...byTime].map(([ts, entries]) => ({ ts, ...normalizeEntries(entries, options) })))
}
