import { describe, expect, it } from 'vitest'
import { MAX_JSON_DEPTH, parseJson } from './json.ts'

describe('parseJson', () => {
  const cases: { name: string; payload: string | Uint8Array; expected: unknown }[] = [
    { name: 'an object', payload: '{"a":1}', expected: { ok: true, value: { a: 1 } } },
    { name: 'bytes', payload: Buffer.from('[1,2]'), expected: { ok: true, value: [1, 2] } },
    { name: 'not JSON', payload: 'secret{', expected: { ok: false, reason: 'payload_not_json', detail: 'payload is not valid JSON' } },
    { name: 'empty', payload: '', expected: { ok: false, reason: 'payload_not_json', detail: 'payload is not valid JSON' } },
    {
      name: '__proto__ at the top',
      payload: '{"__proto__":{"polluted":1}}',
      expected: { ok: false, reason: 'payload_invalid', detail: 'key __proto__ is not allowed (keys __proto__, constructor, prototype are refused)' },
    },
    {
      name: 'constructor deep in an array',
      payload: '[{"a":[{"constructor":1}]}]',
      expected: { ok: false, reason: 'payload_invalid', detail: 'key [0].a[0].constructor is not allowed (keys __proto__, constructor, prototype are refused)' },
    },
    {
      name: 'nested too deep',
      payload: `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`,
      expected: { ok: false, reason: 'payload_invalid', detail: `JSON is nested deeper than ${MAX_JSON_DEPTH} levels` },
    },
  ]
  it.each(cases)('$name', ({ payload, expected }) => {
    expect(parseJson(payload)).toEqual(expected)
  })
})
