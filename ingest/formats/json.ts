/**
 * JSON text → value, refusing keys that could pollute prototypes when the value is later merged
 * into other objects (`__proto__`, `constructor`, `prototype`, at any depth: the same rule as
 * ingest/device-payloads.ts, which checks the top level of its flat objects).
 */
import { accept, reject, type FormatResult } from './types.ts'

export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype']
/** JSON nesting deeper than this is refused (no LNS or device format nests this far). */
export const MAX_JSON_DEPTH = 32

export function parseJson(payload: Uint8Array | string): FormatResult<unknown> {
  let json: unknown
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'))
  } catch {
    return reject('payload_not_json', 'payload is not valid JSON')
  }
  const problem = checkKeys(json)
  return problem === undefined ? accept(json) : reject('payload_invalid', problem)
}

/** Why a parsed value may not be used (a forbidden key, or too deep), or undefined. */
export function checkKeys(value: unknown, path = '', depth = 0): string | undefined {
  if (value === null || typeof value !== 'object') return undefined
  if (depth >= MAX_JSON_DEPTH) return `JSON is nested deeper than ${MAX_JSON_DEPTH} levels`
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = checkKeys(value[i], `${path}[${i}]`, depth + 1)
      if (problem !== undefined) return problem
    }
    return undefined
  }
  for (const key of Object.keys(value)) {
    const at = path === '' ? key : `${path}.${key}`
    if (FORBIDDEN_KEYS.includes(key)) return `key ${at} is not allowed (keys ${FORBIDDEN_KEYS.join(', ')} are refused)`
    const problem = checkKeys((value as Record<string, unknown>)[key], at, depth + 1)
    if (problem !== undefined) return problem
  }
  return undefined
}
